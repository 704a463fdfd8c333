"""Daily automatic deposit: time of day, delay, cut-off date, and refusal without it."""

import csv
import io
from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common import ChorusCase

CRON = "l10n_fr_chorus_connector.ir_cron_chorus_auto_deposit"
# 2025-03-20 in Paris (UTC+1): 10:00 and 19:30 local time, as naive UTC.
MORNING = datetime(2025, 3, 20, 9, 0)
EVENING = datetime(2025, 3, 20, 18, 30)
TODAY = date(2025, 3, 20)


@tagged("post_install", "-at_install")
class TestAutoDeposit(ChorusCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Europe/Paris"
        for partner in (cls.public, cls.public_service, cls.private):
            partner.with_company(cls.company).invoice_sending_method = "chorus_pro"
        cls.company.write({
            "chorus_auto_deposit": True,
            "chorus_auto_deposit_hour": 19.0,
            "chorus_auto_deposit_delay_mode": "after_posting",
            "chorus_auto_deposit_delay_days": 0,
            "chorus_auto_deposit_cutoff": date(2025, 3, 1),
        })

    def invoice(self, posted=TODAY, partner=None, **vals):
        move = self.make_invoice(partner=partner, **vals)
        move.chorus_posted_date = posted
        return move

    def run_cron(self, now=EVENING):
        return self.env["res.company"]._cron_chorus_auto_deposit(now=now)

    def run_sending(self):
        """Odoo's background sending, which does the deposits."""
        self.env["account.move"]._cron_account_move_send()

    def test_posting_records_the_day(self):
        move = self.make_invoice()
        self.assertTrue(move.chorus_posted_date)

    def test_refuses_without_cutoff(self):
        self.invoice()
        self.company.chorus_auto_deposit_cutoff = False
        with self.assertLogs("odoo.addons.l10n_fr_chorus_connector.models.res_company_sync",
                             "WARNING") as logs:
            batches = self.run_cron()
        self.assertFalse(batches)
        self.assertFalse(self.deposit_calls())
        self.assertIn("no cut-off date", logs.output[0])
        message = self.company.partner_id.message_ids[:1]
        self.assertIn("no cut-off date", message.body)
        self.assertEqual(message.partner_ids, self.company._chorus_managers().partner_id)

    def test_respects_time_of_day_and_runs_once_a_day(self):
        move = self.invoice()
        cron = self.env.ref(CRON)
        cron.active = True  # as saving the settings does
        before = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertFalse(self.run_cron(MORNING), "19:00 is not reached at 10:00")
        self.assertFalse(self.deposit_calls())
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(trigger.call_at, datetime(2025, 3, 20, 18, 0), "19:00 Paris")
        run = self.run_cron(EVENING)
        self.assertEqual(run.move_ids, move)
        self.assertEqual(run.origin, "auto")
        # The automatic deposit only queues: Odoo's background sending deposits.
        self.assertFalse(self.deposit_calls())
        self.assertTrue(move.is_being_sent)
        self.run_sending()
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertEqual(self.company.chorus_auto_deposit_last_run, TODAY)
        self.assertFalse(self.run_cron(EVENING + timedelta(hours=1)), "once a day")
        self.assertEqual(len(self.deposit_calls()), 1)

    def test_delay_after_posting(self):
        self.company.chorus_auto_deposit_delay_days = 2
        recent = self.invoice(posted=TODAY - timedelta(days=1))
        due = self.invoice(posted=TODAY - timedelta(days=2))
        run = self.run_cron()
        self.assertEqual(run.move_ids, due)
        self.assertEqual(recent.chorus_send_state, "to_send")

    def test_delay_before_invoice_date(self):
        self.company.write({"chorus_auto_deposit_delay_mode": "before_invoice_date",
                            "chorus_auto_deposit_delay_days": 3})
        later = self.invoice(invoice_date=TODAY + timedelta(days=5))
        soon = self.invoice(invoice_date=TODAY + timedelta(days=3))
        candidates = self.env["account.move"]._chorus_auto_deposit_candidates(
            self.company, TODAY)
        self.assertIn(soon, candidates)
        self.assertNotIn(later, candidates)

    def test_cutoff_sending_method_and_public_only(self):
        old = self.invoice(posted=date(2025, 3, 1))
        new = self.invoice(posted=date(2025, 3, 2))
        private = self.invoice(partner=self.private)
        by_email = self.invoice(partner=self.public_ej)
        self.public_ej.with_company(self.company).invoice_sending_method = "email"
        candidates = self.env["account.move"]._chorus_auto_deposit_candidates(
            self.company, TODAY)
        self.assertIn(new, candidates)
        for move in (old, private, by_email):
            self.assertNotIn(move, candidates)

    def test_skips_failing_checks_and_reports_them(self):
        good = self.invoice()
        no_service = self.invoice(partner=self.public_service)
        run = self.run_cron()
        self.run_sending()
        self.assertEqual(good.chorus_send_state, "sent")
        self.assertEqual(no_service.chorus_send_state, "error")
        self.assertChatter(no_service, "via automatic deposit")
        self.assertEqual(len(self.deposit_calls()), 1)
        rows = list(csv.reader(io.StringIO(run.report_id.raw.decode("utf-8-sig")),
                               delimiter=";"))
        results = {row[0]: row[2] for row in rows[1:]}
        self.assertEqual(results, {good.name: "Deposited", no_service.name: "Failed"})
        message = run.message_ids.filtered(lambda m: m.attachment_ids == run.report_id)
        self.assertTrue(self.company._chorus_managers().partner_id <= message.partner_ids)

    def test_invoices_in_error_are_deposited_again_and_queued_ones_not_twice(self):
        failed = self.invoice()
        self.emulator.inject_fault("503")
        failed._chorus_deposit()
        self.assertEqual(failed.chorus_send_state, "error")
        queued = self.invoice()
        queued.sending_data = {"author_user_id": self.env.uid,
                               "author_partner_id": self.env.user.partner_id.id}
        candidates = self.env["account.move"]._chorus_auto_deposit_candidates(
            self.company, TODAY)
        self.assertIn(failed, candidates)
        self.assertNotIn(queued, candidates)

    def test_settings_activate_the_cron(self):
        cron = self.env.ref(CRON)
        cron.active = False
        self.company.chorus_auto_deposit = False  # enabling it (below) wakes the cron up
        settings = self.env["res.config.settings"].create({
            "chorus_auto_deposit": True, "chorus_auto_deposit_hour": 7.5,
            "chorus_auto_deposit_cutoff": "2025-03-01"})
        settings.execute()
        self.assertTrue(cron.active)
        self.assertEqual(cron.nextcall.minute, 30)
        self.company.chorus_auto_deposit = False
        self.company._chorus_update_auto_deposit_cron()
        self.assertFalse(cron.active)
