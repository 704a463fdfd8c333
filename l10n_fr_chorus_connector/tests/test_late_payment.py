"""Payment delay, late-payment interest and the claim invoice, driven through the emulator.

The emulator's clock is moved on so that Chorus Pro reports the payment
(MISE_EN_PAIEMENT) after the legal due date.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from freezegun import freeze_time
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..chorus import payment_delay as pd
from ..models.account_move_payment import PARIS
from .common import ChorusCase

DAY = 86400


@tagged("post_install", "-at_install")
class TestLatePayment(ChorusCase):

    def paris_today(self):
        return self.emulator.now().astimezone(PARIS).date()

    def deposit_and_make_available(self, partner=None):
        move = self.deposit(self.make_invoice(partner))
        self.emulator.set_invoice_status(move.chorus_invoice_id, "MISE_A_DISPOSITION")
        made_available = self.paris_today()
        move._chorus_refresh()
        return move, made_available

    def test_buyer_type_sets_the_delay(self):
        move, start = self.deposit_and_make_available()
        self.assertEqual(move.chorus_payment_start, start)
        self.assertEqual(move.chorus_payment_delay, 30)
        self.assertEqual(move.chorus_due_date, start + timedelta(days=30))
        self.public.chorus_buyer_type = pd.BUYER_HEALTH
        self.assertEqual(move.chorus_payment_delay, 50)
        self.assertEqual(move.chorus_due_date, start + timedelta(days=50))
        self.public.chorus_contractual_delay = 40
        self.assertEqual(move.chorus_due_date, start + timedelta(days=40))
        self.assertFalse(move.chorus_overdue)

    def test_contractual_delay_longer_than_legal_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "at most 30"):
            self.public.chorus_contractual_delay = 45
        self.public.chorus_buyer_type = pd.BUYER_PUBLIC_ENTERPRISE
        self.public.chorus_contractual_delay = 45
        self.assertEqual(self.public.chorus_payment_delay, 45)

    def test_overdue_filter(self):
        move, start = self.deposit_and_make_available()
        Move = self.env["account.move"]
        with freeze_time(move.chorus_due_date):  # the due day itself is not late
            move.invalidate_recordset(["chorus_overdue"])
            self.assertFalse(move.chorus_overdue)
            self.assertNotIn(move, Move.search([("chorus_overdue", "=", True)]))
        with freeze_time(move.chorus_due_date + timedelta(days=1)):
            move.invalidate_recordset(["chorus_overdue"])
            self.assertTrue(move.chorus_overdue)
            self.assertIn(move, Move.search([("chorus_overdue", "=", True)]))
            self.assertNotIn(move, Move.search([("chorus_overdue", "=", False)]))
        self.assertEqual(move.chorus_days_late, 0)  # not paid: lateness is not final

    def test_paid_late_interest_indemnity_and_claim(self):
        move, start = self.deposit_and_make_available()
        self.emulator.advance(45 * DAY)
        self.emulator.set_invoice_status(move.chorus_invoice_id, "MISE_EN_PAIEMENT")
        paid = self.paris_today()
        move._chorus_refresh()
        self.assertEqual(move.chorus_status, "MISE_EN_PAIEMENT")
        due = start + timedelta(days=30)
        days_late = (paid - due).days
        self.assertEqual(move.chorus_due_date, due)
        self.assertEqual(move.chorus_paid_date, paid)
        self.assertEqual(move.chorus_real_delay, (paid - start).days)
        self.assertEqual(move.chorus_days_late, days_late)
        self.assertGreater(days_late, 10)
        self.assertEqual(move.chorus_late_indemnity, 40.0)
        half_year = pd.half_year_start(due + timedelta(days=1))
        Rate = self.env["chorus.ecb.rate"]
        Rate.search([("date_start", "=", half_year)]).unlink()
        # No ECB rate for that half-year yet: said, and no claim can be prepared.
        self.assertEqual(move.chorus_late_interest, 0.0)
        self.assertIn("No ECB main refinancing rate", move.chorus_late_computation)
        with self.assertRaisesRegex(UserError, "ECB rates"):
            move.action_chorus_late_claim()
        # The administrator adds the rate: the interest is computed at once.
        Rate.create({"date_start": half_year, "rate": 2.15})
        expected = (Decimal("1200.00") * Decimal("10.15") * days_late / 36500).quantize(
            Decimal("0.01"), ROUND_HALF_UP)
        self.assertEqual(move.amount_total, 1200.0)
        self.assertAlmostEqual(move.chorus_late_ecb_rate, 2.15)
        self.assertAlmostEqual(move.chorus_late_rate, 10.15)
        self.assertAlmostEqual(move.chorus_late_interest, float(expected))
        self.assertIn(f"1200.00 × 10.15 % × {days_late} / 365 = {expected}",
                      move.chorus_late_computation)

        action = move.action_chorus_late_claim()
        claim = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(claim.state, "draft")
        self.assertEqual(claim.move_type, "out_invoice")
        self.assertEqual(claim.partner_id, move.partner_id)
        self.assertEqual(claim.chorus_late_claim_origin_id, move)
        self.assertEqual(claim.invoice_origin, move.name)
        self.assertEqual(move.chorus_late_claim_ids, claim)
        interest_line, indemnity_line = claim.invoice_line_ids.sorted("sequence")
        self.assertAlmostEqual(interest_line.price_subtotal, float(expected))
        self.assertIn(move.name, interest_line.name)
        self.assertIn("R2192-31", interest_line.name)
        self.assertAlmostEqual(indemnity_line.price_subtotal, 40.0)
        self.assertIn("D2192-35", indemnity_line.name)
        # Outside the scope of VAT: a 0 % tax, no VAT amount.
        self.assertEqual(claim.invoice_line_ids.tax_ids.mapped("amount"), [0.0])
        self.assertEqual(claim.amount_tax, 0.0)
        self.assertAlmostEqual(claim.amount_total, float(expected) + 40.0)
        # Asking again opens the same claim instead of a second one.
        self.assertEqual(move.action_chorus_late_claim()["res_id"], claim.id)
        # Depositable like any other invoice.
        claim.action_post()
        self.attach_pdf(claim)
        self.assertEqual(claim._chorus_deposit_problems(), {})
        self.deposit(claim)
        self.assertEqual(claim.chorus_send_state, "sent")
        self.assertTrue(claim.chorus_invoice_id)

    def test_claim_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        module = self.env["ir.module.module"].search([("name", "=", "l10n_fr_chorus_connector")])
        module._update_translations(["fr_FR"], overwrite=True)
        self.public.lang = "fr_FR"
        move, start = self.deposit_and_make_available()
        self.emulator.advance(40 * DAY)
        self.emulator.set_invoice_status(move.chorus_invoice_id, "MISE_EN_PAIEMENT")
        move._chorus_refresh()
        half_year = move.chorus_late_half_year
        if not move.chorus_late_rate:
            self.env["chorus.ecb.rate"].create({"date_start": half_year, "rate": 2.15})
        claim = self.env["account.move"].browse(move.action_chorus_late_claim()["res_id"])
        names = claim.invoice_line_ids.sorted("sequence").mapped("name")
        self.assertTrue(names[0].startswith(f"Intérêts moratoires de la facture {move.name}"),
                        names)
        self.assertTrue(names[1].startswith("Indemnité forfaitaire pour frais de recouvrement"),
                        names)
        self.assertIn("jours de retard", str(claim.narration))
        self.assertEqual(claim.ref, f"Retard de paiement de {move.name}")

    def test_suspension_opens_a_new_delay(self):
        move = self.deposit(self.make_invoice(self.public_suspend))
        self.next_statuses(2)  # MISE_A_DISPOSITION, then SUSPENDUE (scenario customer)
        move._chorus_refresh()
        self.assertEqual(move.chorus_status, "SUSPENDUE")
        start = self.paris_today()
        self.assertEqual(move.chorus_payment_start, start)
        self.assertFalse(move.chorus_due_date)  # interrupted: no delay runs
        self.emulator.advance(5 * DAY)
        client = self.company._chorus_client(need_supplier=True)
        client.complete_invoice(move.chorus_invoice_id, comment="Bon de livraison joint")
        completed = self.paris_today()
        move._chorus_refresh()
        self.assertEqual(move.chorus_suspended_days, (completed - start).days)
        # R2192-29: a new delay of 30 days from the completion (30 were left at most).
        self.assertEqual(move.chorus_due_date, completed + timedelta(days=30))

    def test_list_action_prepares_claims(self):
        move, _start = self.deposit_and_make_available()
        self.emulator.advance(45 * DAY)
        self.emulator.set_invoice_status(move.chorus_invoice_id, "MISE_EN_PAIEMENT")
        move._chorus_refresh()
        if not move.chorus_late_rate:
            self.env["chorus.ecb.rate"].create({"date_start": move.chorus_late_half_year,
                                                "rate": 2.15})
        action = self.env.ref("l10n_fr_chorus_connector.action_chorus_late_claim_server")
        result = action.with_context(active_model="account.move", active_ids=move.ids,
                                     active_id=move.id).run()
        self.assertEqual(move.chorus_late_claim_ids.ids, [result["res_id"]])
        self.assertEqual(move.chorus_late_claim_ids.state, "draft")

    def test_claim_refused_for_invoice_paid_on_time(self):
        move, _start = self.deposit_and_make_available()
        self.emulator.advance(10 * DAY)
        self.emulator.set_invoice_status(move.chorus_invoice_id, "MISE_EN_PAIEMENT")
        move._chorus_refresh()
        self.assertEqual(move.chorus_days_late, 0)
        self.assertFalse(move.chorus_late_interest)
        with self.assertRaisesRegex(UserError, "paid late"):
            move.action_chorus_late_claim()

    def test_ecb_rate_must_start_a_half_year(self):
        with self.assertRaisesRegex(ValidationError, "1 January nor a 1 July"):
            self.env["chorus.ecb.rate"].create({"date_start": "2030-03-01", "rate": 1.0})
        shipped = self.env.ref("l10n_fr_chorus_connector.ecb_rate_2025_h1")
        self.assertAlmostEqual(shipped.rate, 3.15)
        self.assertAlmostEqual(shipped.interest_rate, 11.15)
