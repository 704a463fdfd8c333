"""Mass deposit from the invoice list: the dialog counts exactly, the invoices go
through Odoo's own background sending (the same deposit service as the button),
and the run ends with a CSV report in the launcher's inbox and a notification."""

import csv
import io
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import config

from .common import ChorusCase

SEND_CRON = "account.ir_cron_account_move_send"


class Crash(BaseException):
    """The worker dies (kill -9 cannot be caught: nothing after it runs)."""


@tagged("post_install", "-at_install")
class TestMassDeposit(ChorusCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(cls.env, "chorus_clerk", groups="account.group_account_invoice",
                                  name="Claire Compta", lang="en_US")

    def wizard(self, moves):
        return self.env["chorus.mass.deposit.wizard"].with_user(self.clerk).with_context(
            active_model="account.move", active_ids=moves.ids).create({})

    def launch(self, moves):
        self.wizard(moves).action_confirm()
        return self.env["chorus.deposit.run"].search([], order="id desc", limit=1)

    def run_sending(self, job_count=10):
        """One call of Odoo's background sending cron."""
        return self.env["account.move"]._cron_account_move_send(job_count=job_count)

    def csv_rows(self, run):
        text = run.report_id.raw.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))

    def triggers(self):
        return self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.env.ref(SEND_CRON).id)])

    def test_dialog_counts_exactly_and_says_why_invoices_are_left_out(self):
        todo = self.make_invoice() | self.make_invoice()
        sent = self.deposit(self.make_invoice())
        running = self.make_invoice()
        running.sending_data = {"author_user_id": self.env.uid,
                                "author_partner_id": self.env.user.partner_id.id}
        private = self.make_invoice(partner=self.private)
        draft = self.make_invoice(post=False, pdf=False)
        no_service = self.make_invoice(partner=self.public_service)
        wizard = self.wizard(todo | sent | running | private | draft | no_service)
        self.assertEqual(wizard.todo_ids, todo)
        self.assertEqual((wizard.todo_count, wizard.sent_count, wizard.running_count,
                          wizard.other_count), (2, 1, 1, 3))
        html = str(wizard.excluded_html)
        self.assertIn(sent.name, html)
        self.assertIn("already deposited", html)
        self.assertIn("being sent in the background", html)
        self.assertIn("not a public entity", html)
        self.assertIn("not confirmed", html)
        self.assertIn("Service code", html)
        triggers = self.triggers()
        wizard.action_confirm()
        run = self.env["chorus.deposit.run"].search([], order="id desc", limit=1)
        self.assertEqual(run.move_ids, todo)
        self.assertEqual((run.user_id, run.origin), (self.clerk, "mass"))
        # Queued in Odoo's own background sending, which is woken up.
        self.assertEqual(todo.mapped("is_being_sent"), [True, True])
        self.assertEqual({m.sending_data["chorus_run"] for m in todo}, {run.id})
        self.assertEqual(self.triggers(), triggers + 1)
        self.assertEqual(len(self.deposit_calls()), 1, "nothing deposited before the cron")

    def test_confirm_with_nothing_to_deposit_says_why(self):
        sent = self.deposit(self.make_invoice())
        private = self.make_invoice(partner=self.private)
        wizard = self.wizard(sent | private)
        self.assertEqual(wizard.todo_count, 0)
        with self.assertRaisesRegex(UserError, "Nothing to deposit on Chorus Pro") as caught:
            wizard.action_confirm()
        self.assertIn(sent.name, str(caught.exception))
        self.assertIn("not a public entity", str(caught.exception))

    def test_background_deposit_reports_each_invoice_and_notifies_in_odoo(self):
        self.public.invoice_sending_method = "email"  # mass deposit deposits anyway
        good = self.make_invoice() | self.make_invoice()
        no_service = self.make_invoice(partner=self.public_service, buyer_reference="ACHATS")
        late_sent = self.make_invoice()
        run = self.launch(good | no_service | late_sent)
        self.assertEqual(run.move_ids, good | no_service | late_sent)
        # Changed after the launch: the deposit's own checks refuse it.
        no_service.buyer_reference = False
        # Deposited by hand after the launch: not deposited again.
        self.assertEqual(late_sent._chorus_deposit()[0][0], "success")
        calls = len(self.deposit_calls())
        with patch.object(type(self.env["res.partner"]), "_bus_send",
                          autospec=True) as bus:
            self.run_sending()
        self.assertEqual(len(self.deposit_calls()), calls + 2, "only the two good ones")
        self.assertEqual(set(good.mapped("chorus_send_state")), {"sent"})
        self.assertEqual(good.mapped("is_move_sent"), [True, True])
        self.assertFalse((good | no_service | late_sent).filtered("sending_data"))
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "account.move"),
                                                       ("res_id", "in", good.ids)]),
                         "deposited, not e-mailed")
        # The failed one is in error, under the filter, and its chatter says why.
        self.assertEqual(no_service.chorus_send_state, "error")
        self.assertIn(no_service, self.env["account.move"].search(
            [("chorus_send_state", "in", ("error", "uncertain"))]))
        self.assertChatter(no_service, "Service code")
        self.assertChatter(no_service, "by Claire Compta via mass deposit")
        self.assertChatter(good[0], "by Claire Compta via mass deposit")
        ledger = self.env["chorus.token.move"].search([("invoice_id", "=", good[0].id)])
        self.assertEqual(ledger.user_id, self.clerk)
        self.assertIn("via mass deposit", ledger.name)
        # End of run: CSV in the inbox of the launcher and the administrators.
        self.assertEqual(run.state, "done")
        rows = self.csv_rows(run)
        self.assertEqual(rows[0], ["Invoice", "Customer", "Result", "Chorus Pro flow",
                                   "Chorus Pro invoice ID", "Message"])
        by_name = {row[0]: row for row in rows[1:]}
        self.assertEqual(by_name[good[0].name][2], "Deposited")
        self.assertEqual(by_name[good[0].name][3], good[0].chorus_flow_id.name)
        failed = by_name[no_service.name]
        self.assertEqual((failed[1], failed[2]), (self.public_service.name, "Failed"))
        self.assertIn("Service code", failed[5])
        self.assertEqual(by_name[late_sent.name][2], "Deposited")
        message = run.message_ids.filtered(lambda m: m.attachment_ids == run.report_id)
        expected = self.clerk.partner_id | self.company._chorus_managers().partner_id
        self.assertEqual(message.partner_ids, expected)
        self.assertIn("3 deposited, 1 failed", message.body)
        inbox = self.env["mail.notification"].search([("mail_message_id", "=", message.id)])
        self.assertIn(self.clerk.partner_id, inbox.res_partner_id)
        notified = {call.args[0] for call in bus.call_args_list
                    if call.args[1] == "simple_notification"}
        self.assertTrue(expected <= self.env["res.partner"].union(*notified))

    def test_background_messages_speak_the_launchers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.clerk.lang = "fr_FR"
        move = self.make_invoice()
        run = self.launch(move)
        self.assertEqual(run.lang, "fr_FR")
        self.run_sending()
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertChatter(move, "Déposée sur Chorus Pro")
        self.assertEqual(self.csv_rows(run)[0][0], "Facture")

    def test_calls_stop_after_their_budget_and_trigger_themselves(self):
        moves = self.make_invoice() | self.make_invoice() | self.make_invoice()
        self.launch(moves)
        triggers = self.triggers()
        with patch("odoo.addons.l10n_fr_chorus_connector.models.account_move_send."
                   "BACKGROUND_BUDGET", 0):
            self.run_sending()
            # Budget spent after the first deposit: the others stay queued (not in
            # error), and the cron is triggered again.
            self.assertEqual(len(self.deposit_calls()), 1)
            self.assertEqual(sorted(moves.mapped("chorus_send_state")),
                             ["sent", "to_send", "to_send"])
            self.assertEqual(len(moves.filtered("sending_data")), 2)
            self.assertGreater(self.triggers(), triggers)
            self.run_sending()
            self.run_sending()
        self.assertEqual(set(moves.mapped("chorus_send_state")), {"sent"})
        self.assertFalse(moves.filtered("sending_data"))

    def test_a_cron_run_ends_after_its_budget_and_triggers_the_next(self):
        moves = self.make_invoice() | self.make_invoice()
        self.launch(moves)
        cron = self.env.ref(SEND_CRON)
        Move = self.env["account.move"].with_context(cron_id=cron.id, lastcall="run-1")
        triggers = self.triggers()
        with patch("odoo.addons.l10n_fr_chorus_connector.models.account_move_deposit."
                   "JOB_RUN_BUDGET", -1):
            # A call of a run that has used its time: nothing done, next run triggered.
            Move._cron_account_move_send(job_count=1)
            self.assertFalse(self.deposit_calls())
            self.assertGreater(self.triggers(), triggers)
        # The next run (another lastcall) within its budget goes on.
        Move.with_context(lastcall="run-2")._cron_account_move_send(job_count=1)
        self.assertEqual(len(self.deposit_calls()), 1)

    def test_a_run_resumed_after_ten_calls_has_a_budget_of_its_own(self):
        # Odoo's runner keeps ``lastcall`` when a run was only partially done (ten
        # calls): the next run, on a cursor of its own, must not be taken as spent.
        cron = self.env.ref(SEND_CRON)
        Move = self.env["account.move"].with_context(cron_id=cron.id,
                                                     lastcall="2026-12-02 10:00:00")
        with patch("odoo.addons.l10n_fr_chorus_connector.models.account_move_deposit."
                   "time") as clock, self.env.registry.cursor() as next_run_cr:
            clock.monotonic.side_effect = [0.0, 61.0, 61.0]
            clock.process_time.return_value = 0.0
            self.assertFalse(Move._chorus_job_run_spent())
            self.assertTrue(Move._chorus_job_run_spent())
            self.assertFalse(Move.with_env(Move.env(cr=next_run_cr))._chorus_job_run_spent())

    def test_a_run_ends_after_its_share_of_the_worker_cpu_limit(self):
        # A prefork worker is stopped past limit_time_cpu, counted over the whole
        # process (the threads that render PDFs included): a run ends at a third.
        cron = self.env.ref(SEND_CRON)
        Move = self.env["account.move"].with_context(cron_id=cron.id, lastcall="run-cpu")
        with patch("odoo.addons.l10n_fr_chorus_connector.models.account_move_deposit."
                   "time") as clock, patch.dict(config.options, {"limit_time_cpu": 60}):
            clock.monotonic.return_value = 0.0
            clock.process_time.side_effect = [100.0, 119.0, 121.0]
            self.assertFalse(Move._chorus_job_run_spent())
            self.assertFalse(Move._chorus_job_run_spent(), "19 s of CPU: goes on")
            self.assertTrue(Move._chorus_job_run_spent(), "21 s of CPU: ends")
        with patch("odoo.addons.l10n_fr_chorus_connector.models.account_move_deposit."
                   "time") as clock, patch.dict(config.options, {"limit_time_cpu": 0}):
            clock.monotonic.return_value = 0.0
            clock.process_time.side_effect = [0.0, 1000.0]
            Move = Move.with_context(lastcall="run-no-limit")
            self.assertFalse(Move._chorus_job_run_spent())
            self.assertFalse(Move._chorus_job_run_spent(), "no CPU limit configured")

    def test_crash_in_the_middle_never_deposits_twice(self):
        moves = self.make_invoice() | self.make_invoice()
        run = self.launch(moves)
        Flow = type(self.env["chorus.flow"])
        original = Flow._chorus_create_from_deposit
        seen = []

        def dies_on_second(flow_model, deposit, move, *args):
            seen.append(move)
            if len(seen) == 2:
                raise Crash()  # Chorus has the file, Odoo never records it
            return original(flow_model, deposit, move, *args)

        crashed = False
        with patch.object(Flow, "_chorus_create_from_deposit", dies_on_second):
            try:
                self.run_sending()
            except Crash:
                crashed = True
        self.assertTrue(crashed)
        self.assertEqual(len(self.deposit_calls()), 2)
        second = seen[1]
        self.assertNotEqual(second.chorus_send_state, "sent")
        # Restart: the attempt journal shows the interrupted deposit; Chorus does not
        # list the invoice yet, so nothing is sent again.
        self.run_sending()
        self.assertEqual(len(self.deposit_calls()), 2)
        self.assertEqual(second.chorus_send_state, "uncertain")
        self.assertChatter(second, "interrupted")
        with self.assertRaisesRegex(UserError, "got no answer"):
            second.button_cancel()
        # The hourly sync finds it once Chorus has processed the file.
        self.process_flows()
        self.company._chorus_sync_status()
        self.assertEqual(second.chorus_send_state, "sent")
        self.assertTrue(second.chorus_invoice_id)
        self.assertEqual(len(self.deposit_calls()), 2, "never deposited twice")
        self.assertEqual(run.state, "done")
