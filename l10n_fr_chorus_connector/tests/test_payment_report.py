"""The Chorus Pro overview (chorus.payment.report): stages, overdue, average delays."""

from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import ChorusCase


@tagged("post_install", "-at_install")
class TestChorusOverview(ChorusCase):

    def tracked(self, partner, status, history=(), send_state="sent"):
        """A posted invoice as the follow-up leaves it: state, status and history."""
        move = self.make_invoice(partner, pdf=False, invoice_date=fields.Date.today())
        move._chorus_service_write({"chorus_send_state": send_state, "chorus_status": status})
        self.env["chorus.status.line"].create([{
            "move_id": move.id, "status": code,
            "date": datetime.combine(day, time(12, 0)),
        } for code, day in history])
        return move

    def test_stages_overdue_and_average_delay(self):
        today = fields.Date.context_today(self.env.user)
        ago = lambda days: today - timedelta(days=days)  # noqa: E731
        other = self.public_service
        self.make_invoice(self.public, pdf=False)  # to deposit
        self.tracked(self.public, False, send_state="error")
        self.tracked(self.public, "SUSPENDUE", [("SUSPENDUE", ago(3))])
        self.tracked(self.public, "DEPOSEE", [("DEPOSEE", ago(1))])
        self.tracked(self.public, "MISE_A_DISPOSITION", [("MISE_A_DISPOSITION", ago(45))])
        self.tracked(self.public, "MISE_A_DISPOSITION", [("MISE_A_DISPOSITION", ago(5))])
        # Paid in the last 12 months: 50 days (20 late) and 20 days (on time).
        self.tracked(self.public, "MISE_EN_PAIEMENT", [
            ("MISE_A_DISPOSITION", ago(60)), ("MISE_EN_PAIEMENT", ago(10))])
        self.tracked(self.public, "MISE_EN_PAIEMENT", [
            ("MISE_A_DISPOSITION", ago(40)), ("MISE_EN_PAIEMENT", ago(20))])
        # Paid two years ago: not in the average.
        self.tracked(self.public, "MISE_EN_PAIEMENT", [
            ("MISE_A_DISPOSITION", ago(800)), ("MISE_EN_PAIEMENT", ago(700))])
        self.tracked(other, "MISE_EN_PAIEMENT", [
            ("MISE_A_DISPOSITION", ago(100)), ("MISE_EN_PAIEMENT", ago(90))])
        self.tracked(self.public, "REJETEE", [("REJETEE", ago(2))])
        self.env.flush_all()

        Report = self.env["chorus.payment.report"]
        totals = Report._stage_totals([("partner_id", "=", self.public.id)])
        counts = {stage: count for stage, (count, _amount) in totals.items()}
        self.assertEqual(counts, {
            "to_deposit": 1, "error": 1, "supplier_action": 1, "on_the_way": 1,
            "waiting_payment": 2, "paid": 3, "rejected": 1, "overdue": 1})
        self.assertAlmostEqual(totals["waiting_payment"][1], 2400.0)
        groups = Report._read_group(
            [("paid_last_12_months", "=", True)], ["partner_id"],
            ["__count", "payment_delay:avg", "days_late:avg"])
        averages = {partner: (count, delay, late) for partner, count, delay, late in groups}
        self.assertEqual(averages[self.public], (2, 35.0, 10.0))
        self.assertEqual(averages[other], (1, 10.0, 0.0))

    def test_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        module = self.env["ir.module.module"].search([("name", "=", "l10n_fr_chorus_connector")])
        module._update_translations(["fr_FR"], overwrite=True)
        Report = self.env["chorus.payment.report"].with_context(lang="fr_FR")
        field = Report.fields_get(["stage", "payment_delay"])
        self.assertEqual(dict(field["stage"]["selection"])["waiting_payment"],
                         "En attente de paiement")
        self.assertEqual(field["payment_delay"]["string"], "Délai de paiement moyen (jours)")
        action = self.env.ref("l10n_fr_chorus_connector.action_chorus_payment_report")
        self.assertEqual(action.with_context(lang="fr_FR").name, "Vue d'ensemble Chorus Pro")
        arch = Report.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("En retard sur Chorus Pro", arch)

    def test_other_company_is_invisible(self):
        self.tracked(self.public, "DEPOSEE", [("DEPOSEE", fields.Date.today())])
        other = self.env["res.company"].create({"name": "Autre société"})
        user = self.env["res.users"].create({
            "name": "Comptable autre", "login": "comptable_autre",
            "company_id": other.id, "company_ids": [(6, 0, other.ids)],
            "groups_id": [(6, 0, [self.env.ref("account.group_account_invoice").id])]})
        self.env.flush_all()
        self.assertTrue(self.env["chorus.payment.report"].search_count([]))
        self.assertFalse(self.env["chorus.payment.report"].with_user(user).search_count([]))
