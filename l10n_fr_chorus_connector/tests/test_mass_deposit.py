"""Mass deposit from the invoice list: counts, background job, CSV report, and a
worker killed in the middle of a deposit never leads to a second deposit."""

import csv
import io
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import ChorusCase


class Crash(BaseException):
    """The worker dies (kill -9 cannot be caught: nothing after it runs)."""


@tagged("post_install", "-at_install")
class TestMassDeposit(ChorusCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(cls.env, "chorus_clerk", groups="account.group_account_invoice",
                                  name="Claire Compta")

    def wizard(self, moves):
        return self.env["chorus.mass.deposit.wizard"].with_user(self.clerk).with_context(
            active_model="account.move", active_ids=moves.ids).create({})

    def launch(self, moves):
        wizard = self.wizard(moves)
        wizard.action_confirm()
        return self.env["chorus.deposit.batch"].search([], order="id desc", limit=1)

    def run_job(self):
        return self.env["chorus.deposit.batch"]._cron_chorus_process_batches(budget=120)

    def test_job_calls_stay_short_and_resume(self):
        moves = self.make_invoice() | self.make_invoice() | self.make_invoice()
        batch = self.launch(moves)
        Batch = self.env["chorus.deposit.batch"]
        # An exhausted time budget still deposits one invoice, then hands back to ir.cron.
        self.assertEqual(Batch._cron_chorus_process_batches(budget=0), 1)
        self.assertEqual(batch.state, "running")
        self.assertEqual(len(self.deposit_calls()), 1)
        self.assertEqual(Batch._cron_chorus_process_batches(budget=0), 1)
        self.assertEqual(Batch._cron_chorus_process_batches(budget=0), 1)
        self.assertEqual(batch.state, "done")
        self.assertEqual(set(moves.mapped("chorus_send_state")), {"sent"})
        self.assertEqual(len(self.deposit_calls()), 3)

    def csv_rows(self, batch):
        text = batch.report_id.raw.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))

    def test_wizard_counts_and_excludes(self):
        todo = self.make_invoice() | self.make_invoice()
        sent = self.deposit(self.make_invoice())
        running = self.make_invoice()
        self.env["chorus.deposit.batch"]._chorus_create_for(running)
        private = self.make_invoice(partner=self.private)
        draft = self.make_invoice(post=False, pdf=False)
        wizard = self.wizard(todo | sent | running | private | draft)
        self.assertEqual((wizard.todo_count, wizard.sent_count, wizard.running_count,
                          wizard.other_count), (2, 1, 1, 2))
        triggers = self.env["ir.cron.trigger"].search_count([
            ("cron_id", "=", self.env.ref(
                "l10n_fr_chorus_connector.ir_cron_chorus_deposit_batch").id)])
        wizard.action_confirm()
        batch = self.env["chorus.deposit.batch"].search([], order="id desc", limit=1)
        self.assertEqual(batch.line_ids.move_id, todo)
        self.assertEqual(batch.user_id, self.clerk)
        self.assertEqual(set(todo.mapped("chorus_send_state")), {"queued"})
        self.assertEqual(self.env["ir.cron.trigger"].search_count([
            ("cron_id", "=", self.env.ref(
                "l10n_fr_chorus_connector.ir_cron_chorus_deposit_batch").id)]), triggers + 1,
            "the job is woken up")
        self.assertFalse(self.deposit_calls()[1:], "nothing deposited before the job runs")

    def test_job_deposits_reports_each_failure_and_notifies(self):
        good = self.make_invoice() | self.make_invoice()
        no_service = self.make_invoice(partner=self.public_service)
        late_sent = self.make_invoice()
        batch = self.launch(good | no_service | late_sent)
        # Deposited by hand after the launch: the job must not send it again.
        late_sent.chorus_send_state = "to_send"
        self.assertEqual(late_sent._chorus_deposit()[0][0], "success")
        calls = len(self.deposit_calls())
        self.run_job()
        self.assertEqual(len(self.deposit_calls()), calls + 2, "only the two good ones")
        self.assertEqual(batch.state, "done")
        self.assertEqual(set(good.mapped("chorus_send_state")), {"sent"})
        self.assertEqual(no_service.chorus_send_state, "to_send", "back to depositable")
        states = {line.move_id: line.state for line in batch.line_ids}
        self.assertEqual(states, {good[0]: "done", good[1]: "done", no_service: "failed",
                                  late_sent: "skipped"})
        rows = self.csv_rows(batch)
        self.assertEqual(rows[0], ["Invoice", "Customer", "Result", "Chorus Pro flow",
                                   "Chorus Pro invoice ID", "Message"])
        by_name = {row[0]: row for row in rows[1:]}
        self.assertEqual(by_name[good[0].name][2], "Deposited")
        self.assertEqual(by_name[good[0].name][3], good[0].chorus_flow_id.name)
        failed = by_name[no_service.name]
        self.assertEqual((failed[1], failed[2]), (self.public_service.name, "Failed"))
        self.assertIn("service", failed[5].lower())
        self.assertEqual(by_name[late_sent.name][2], "Skipped")
        self.assertIn("not deposited again", by_name[late_sent.name][5])
        message = batch.message_ids.filtered(lambda m: m.attachment_ids == batch.report_id)
        self.assertTrue(message, "the report is posted with the CSV attached")
        expected = self.clerk.partner_id | self.company._chorus_managers().partner_id
        self.assertEqual(message.partner_ids, expected)
        self.assertIn("2 deposited, 1 failed, 1 skipped", message.body)

    def test_crash_in_the_middle_never_deposits_twice(self):
        moves = self.make_invoice() | self.make_invoice() | self.make_invoice()
        batch = self.launch(moves)
        Move = type(self.env["account.move"])
        original = Move._chorus_set_deposited
        seen = []

        def dies_on_second(move, flow, chorus_invoice=None):
            seen.append(move)
            if len(seen) == 2:
                raise Crash()  # Chorus has the file, Odoo never records it
            return original(move, flow, chorus_invoice)

        # Not assertRaises: Odoo's rolls back its block, a dead worker does not.
        crashed = False
        with patch.object(Move, "_chorus_set_deposited", dies_on_second):
            try:
                self.run_job()
            except Crash:
                crashed = True
        self.assertTrue(crashed)
        self.assertEqual(len(self.deposit_calls()), 2)
        first, second, third = batch.line_ids.sorted("id")
        self.assertEqual((first.state, second.state, third.state),
                         ("done", "running", "pending"))
        self.assertEqual(moves[0].chorus_send_state, "sent")
        self.assertEqual(moves[1].chorus_send_state, "queued", "coherent: not marked sent")
        self.assertFalse(moves[1].chorus_flow_id)

        # Restart before Chorus lists the invoice: it waits, nothing is sent again.
        self.run_job()
        self.assertEqual(len(self.deposit_calls()), 3, "only the third invoice")
        self.assertEqual(third.state, "done")
        self.assertEqual(second.state, "pending")
        self.assertTrue(second.next_attempt)
        self.assertTrue(moves[1].chorus_deposit_uncertain)
        self.assertEqual(batch.state, "running")
        self.assertChatter(moves[1], "interrupted")

        # Chorus has processed the file; the retry finds it and links it.
        self.process_flows()
        second.write({"next_attempt": fields.Datetime.now() - timedelta(minutes=1)})
        self.run_job()
        self.assertEqual(len(self.deposit_calls()), 3, "never deposited twice")
        self.assertEqual(second.state, "done")
        self.assertEqual(moves[1].chorus_send_state, "sent")
        self.assertTrue(moves[1].chorus_flow_id)
        self.assertFalse(moves[1].chorus_deposit_uncertain)
        self.assertEqual(batch.state, "done")
        self.assertEqual(len(self.emulator.store.query(
            "SELECT id FROM invoices WHERE numero = ?", (moves[1].name,))), 1)
        self.assertEqual([row[2] for row in self.csv_rows(batch)[1:]], ["Deposited"] * 3)
