"""Chorus Pro tokens: initial credit, packs on vendor bills, deposits, ledger, rights."""

from ast import literal_eval
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import new_test_user, tagged

from ..chorus.client import ChorusClient
from ..chorus.errors import ChorusValidationError
from .common import ChorusCase

PACKS = {200: 100.0, 500: 235.0, 1000: 450.0, 2500: 1000.0}


@tagged("post_install", "-at_install")
class TestChorusTokens(ChorusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ledger = cls.env["chorus.token.move"]
        cls.vendor = cls.env["res.partner"].create({"name": "Éditeur du connecteur"})
        cls.pack_200 = cls.env.ref("l10n_fr_chorus_connector.product_chorus_tokens_200")
        cls.pack_500 = cls.env.ref("l10n_fr_chorus_connector.product_chorus_tokens_500")
        # Whatever earlier committed tests left, each test starts from 50 tokens.
        missing = 50 - cls.company.chorus_token_balance
        if missing:
            cls.company._chorus_token_move(missing, "adjustment", "Test start")

    def assertBalance(self, expected, company=None):
        """The balance is ``expected`` and is the sum of the ledger (in SQL)."""
        company = company or self.company
        company.invalidate_recordset(["chorus_token_balance"])
        self.env.flush_all()
        self.env.cr.execute("SELECT COALESCE(SUM(quantity), 0) FROM chorus_token_move "
                            "WHERE company_id = %s", [company.id])
        self.assertEqual(self.env.cr.fetchone()[0], expected)
        self.assertEqual(company.chorus_token_balance, expected)

    def adjust(self, quantity, reason="Test", company=None):
        wizard = self.env["chorus.token.adjust.wizard"].create({
            "company_id": (company or self.company).id, "quantity": quantity,
            "reason": reason})
        return wizard.action_apply()

    def make_bill(self, lines, move_type="in_invoice", post=True):
        bill = self.env["account.move"].create({
            "move_type": move_type, "partner_id": self.vendor.id,
            "invoice_date": "2025-03-14",
            "invoice_line_ids": [Command.create({
                "product_id": product.id, "quantity": qty, "price_unit": product.lst_price})
                for product, qty in lines],
        })
        if post:
            bill.action_post()
        return bill

    def bill_refund(self, bill):
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=bill.ids).create({
                "journal_id": bill.journal_id.id, "reason": "Pack non utilisé",
                "date": "2025-03-20"})
        refund = self.env["account.move"].browse(wizard.reverse_moves()["res_id"])
        refund.action_post()
        return refund

    # ------------------------------------------------------------------
    # Packs and initial credit
    # ------------------------------------------------------------------
    def test_packs_are_purchasable_services(self):
        for tokens, price in PACKS.items():
            pack = self.env.ref(f"l10n_fr_chorus_connector.product_chorus_tokens_{tokens}")
            self.assertEqual((pack.chorus_token_qty, pack.lst_price, pack.type),
                             (tokens, price, "service"))
            self.assertTrue(pack.sale_ok and pack.purchase_ok)
        settings = self.env["res.config.settings"].create({"chorus_token_low_threshold": 5})
        self.assertIn("1000", settings.chorus_token_pack_table)
        self.assertIn("0.40", settings.chorus_token_pack_table)
        self.assertEqual(settings.chorus_token_balance, 50)
        settings.execute()
        self.assertEqual(self.company.chorus_token_low_threshold, 5)
        self.assertBalance(50)
        arch = settings.get_view(view_type="form")["arch"]
        self.assertIn('id="chorus_pro_tokens"', arch)
        self.assertIn("action_chorus_token_moves", arch)
        history = settings.action_chorus_token_moves()
        self.assertEqual(history["res_model"], "chorus.token.move")
        packs = self.env["product.product"].search(
            literal_eval(settings.action_chorus_token_packs()["domain"]))
        self.assertEqual(set(packs.mapped("chorus_token_qty")), set(PACKS))

    def test_only_chorus_administrators_set_the_token_quantity(self):
        clerk = new_test_user(self.env, "clerk_tokens",
                              groups="base.group_user,product.group_product_manager")
        with self.assertRaisesRegex(AccessError, "Only Chorus Pro administrators"):
            self.pack_200.product_tmpl_id.with_user(clerk).chorus_token_qty = 20000
        self.pack_200.product_tmpl_id.with_user(clerk).name = "Jetons Chorus Pro (200)"
        self.assertEqual(self.pack_200.chorus_token_qty, 200)

    def test_initial_credit_once_per_company(self):
        initial = self.Ledger.search([("company_id", "=", self.company.id),
                                      ("reason", "=", "initial")])
        self.assertEqual(initial.mapped("quantity"), [50])
        other = self.env["res.company"].create({"name": "Filiale Sud"})
        self.assertBalance(50, other)
        self.env["res.company"]._chorus_initial_credit()
        (self.company | other)._chorus_initial_credit()
        self.assertBalance(50, other)
        self.assertEqual(len(self.Ledger.search([("reason", "=", "initial"),
                                                 ("company_id", "=", self.company.id)])), 1)

    # ------------------------------------------------------------------
    # Vendor bills of packs
    # ------------------------------------------------------------------
    def test_bill_posting_credits_and_reset_reverses(self):
        bill = self.make_bill([(self.pack_500, 2), (self.pack_200, 1), (self.product, 1)])
        self.assertBalance(50 + 1200)
        credits = self.Ledger.search([("bill_id", "=", bill.id)])
        self.assertEqual(sorted(credits.mapped("quantity")), [200, 1000])
        self.assertEqual(credits.bill_line_id.product_id, self.pack_500 | self.pack_200)
        self.assertEqual(set(credits.mapped("reason")), {"purchase"})

        bill.button_draft()
        self.assertBalance(50)
        bill.invoice_line_ids.filtered(lambda line: line.product_id == self.pack_500).quantity = 1
        bill.action_post()
        self.assertBalance(50 + 700)
        bill.button_cancel()
        self.assertEqual(bill.state, "cancel")
        self.assertBalance(50)
        self.assertEqual(sum(self.Ledger.search([("bill_id", "=", bill.id)]).mapped("quantity")),
                         0)

    def test_vendor_refund_takes_the_tokens_back(self):
        bill = self.make_bill([(self.pack_500, 1)])
        self.assertBalance(550)
        refund = self.bill_refund(bill)
        self.assertBalance(50)
        debit = self.Ledger.search([("bill_id", "=", refund.id)])
        self.assertEqual((debit.quantity, debit.reason), (-500, "purchase_reversal"))
        refund.button_draft()
        self.assertBalance(550)

    def test_reversal_refused_when_the_tokens_are_spent(self):
        bill = self.make_bill([(self.pack_200, 1)])
        self.adjust(-230, "Jetons consommés hors Odoo")
        self.assertBalance(20)
        with self.assertRaisesRegex(UserError, "cannot be reset to draft or cancelled: it "
                                               "takes back 200 Chorus Pro tokens .* only 20"):
            bill.button_draft()
        self.assertEqual(bill.state, "posted")
        self.assertBalance(20)
        with self.assertRaisesRegex(UserError, "cannot be confirmed: it takes back 200"):
            self.bill_refund(bill)
        self.assertBalance(20)

    # ------------------------------------------------------------------
    # Deposits
    # ------------------------------------------------------------------
    def test_deposit_debits_one_token(self):
        move = self.make_invoice()
        self.assertEqual(move._chorus_deposit()[0][0], "success")
        self.assertBalance(49)
        debit = self.Ledger.search([("invoice_id", "=", move.id)])
        self.assertEqual((debit.quantity, debit.reason, debit.balance_after),
                         (-1, "deposit", 49))
        self.assertEqual(move.chorus_token_balance, 49)

    def test_refusal_refunds_the_token_and_a_new_deposit_costs_one(self):
        move = self.make_invoice()
        refusal = ChorusValidationError("Chorus Pro refused the invoice file deposit: "
                                        "GDP_MSG_11.001 (code 20002).", code_retour=20002)
        with patch.object(ChorusClient, "deposit_flow", side_effect=refusal):
            self.assertEqual(move._chorus_deposit()[0][0], "danger")
        self.assertBalance(50)
        lines = self.Ledger.search([("invoice_id", "=", move.id)], order="id")
        self.assertEqual(lines.mapped("reason"), ["deposit", "refund"])
        self.assertIn("GDP_MSG_11.001", lines[1].note)
        self.assertEqual(move._chorus_deposit()[0][0], "success")
        self.assertBalance(49)

    def test_unreachable_chorus_gives_the_token_back(self):
        move = self.make_invoice()
        self.emulator.inject_fault("503")
        self.assertEqual(move._chorus_deposit()[0][0], "danger")
        self.assertBalance(50)

    def test_rejected_flow_refunds_the_token_once(self):
        move = self.make_invoice(self.public_flow_reject)
        self.assertEqual(move._chorus_deposit()[0][0], "success")
        self.assertBalance(49)
        self.process_flows()
        move._chorus_refresh()
        self.assertEqual(move.chorus_send_state, "error")
        self.assertBalance(50)
        move._chorus_refresh()
        self.assertBalance(50)
        self.assertEqual(self.Ledger.search([("invoice_id", "=", move.id)],
                                            order="id").mapped("reason"), ["deposit", "refund"])

    def test_unanswered_deposit_is_paid_once(self):
        move = self.make_invoice()
        self.emulator.inject_fault("500")
        self.assertEqual(move._chorus_deposit()[0][0], "danger")
        self.assertTrue(move.chorus_deposit_uncertain)
        self.assertBalance(49)
        # Deposited again after the grace delay: the first token covers it.
        move._chorus_service_write({"chorus_deposit_uncertain": "2020-01-01 00:00:00"})
        self.assertEqual(move._chorus_deposit()[0][0], "success")
        self.assertBalance(49)

    def test_no_token_blocks_the_deposit_before_any_call(self):
        self.adjust(-50, "Solde épuisé")
        move = self.make_invoice()
        with self.assertRaisesRegex(UserError, r"No Chorus Pro token left: buy a pack "
                                               r"\(200 tokens: .*100\.00"):
            move._chorus_deposit()
        self.assertFalse(self.api_calls())
        self.assertEqual(move.chorus_send_state, "to_send")
        with self.assertRaisesRegex(UserError, "No Chorus Pro token left"):
            self.company._chorus_take_token(move)
        self.assertBalance(0)
        # The button says the same and opens the packs.
        with self.assertRaises(RedirectWarning) as caught:
            move.action_chorus_deposit()
        message, action_id, button = caught.exception.args[:3]
        self.assertIn("No Chorus Pro token left", message)
        self.assertEqual(action_id, self.env.ref(
            "l10n_fr_chorus_connector.action_chorus_token_packs").id)
        self.assertTrue(button)
        self.assertFalse(self.api_calls())

    def test_batch_stops_depositing_when_tokens_run_out(self):
        self.adjust(-49, "Un seul jeton")
        first, second = self.make_invoice(), self.make_invoice()
        results = (first | second)._chorus_deposit()
        self.assertEqual([level for level, _message in results], ["success", "danger"])
        self.assertIn("No Chorus Pro token left", results[1][1])
        self.assertEqual(len(self.deposit_calls()), 1)
        self.assertEqual(second.chorus_send_state, "error")
        self.assertChatter(second, "No Chorus Pro token left")
        self.assertBalance(0)

    def test_low_balance_warns_the_administrators_once(self):
        self.company.chorus_token_low_threshold = 50
        Activity = self.env["mail.activity"]
        domain = [("res_model", "=", "res.partner"),
                  ("res_id", "=", self.company.partner_id.id),
                  ("summary", "ilike", "tokens left")]
        self.assertFalse(Activity.search(domain))
        self.assertEqual(self.make_invoice()._chorus_deposit()[0][0], "success")
        warnings = Activity.search(domain)
        self.assertTrue(warnings)
        self.assertEqual(set(warnings.user_id.ids), set(self.company._chorus_managers().ids))
        self.assertIn("49", warnings[0].summary)
        self.assertEqual(self.make_invoice()._chorus_deposit()[0][0], "success")
        self.assertEqual(Activity.search(domain), warnings)

    # ------------------------------------------------------------------
    # Ledger and adjustments
    # ------------------------------------------------------------------
    def test_adjustment_needs_a_reason_and_an_administrator(self):
        with self.assertRaisesRegex(UserError, "Give the reason"):
            self.adjust(10, "   ")
        self.assertBalance(50)
        self.adjust(10, "Geste commercial après incident")
        self.assertBalance(60)
        line = self.Ledger.search([("reason", "=", "adjustment")], limit=1)
        self.assertEqual((line.quantity, line.note, line.user_id),
                         (10, "Geste commercial après incident", self.env.user))
        with self.assertRaisesRegex(UserError, "only 60 left"):
            self.adjust(-61, "Trop")
        clerk = new_test_user(self.env, "clerk_adjust", groups="account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.env["chorus.token.adjust.wizard"].with_user(clerk).create({
                "quantity": 5, "reason": "Moi-même"})
        self.assertBalance(60)

    def test_ledger_is_append_only(self):
        line = self.Ledger.search([("company_id", "=", self.company.id)], limit=1)
        with self.assertRaisesRegex(UserError, "never deleted"):
            line.unlink()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            line.quantity = 1000
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            line.note = "Vérifié"
        with self.assertRaisesRegex(UserError, "follows the token history"):
            self.company.write({"chorus_token_balance": 1000})
        clerk = new_test_user(self.env, "clerk_ledger", groups="account.group_account_invoice")
        self.assertTrue(line.with_user(clerk).read(["quantity"]))
        with self.assertRaises(UserError):  # never edited, by anyone
            line.with_user(clerk).note = "Modifié"
        with self.assertRaises(AccessError):
            self.Ledger.with_user(clerk).create({"quantity": 1000, "reason": "adjustment",
                                                 "name": "Cadeau"})
        self.assertBalance(50)

    def test_companies_see_only_their_own_ledger(self):
        other = self.env["res.company"].create({"name": "Filiale Nord"})
        self.adjust(5, "Filiale", company=other)
        user_b = new_test_user(self.env, "user_b", groups="account.group_account_invoice",
                               company_id=other.id, company_ids=[Command.set(other.ids)])
        visible = self.Ledger.with_user(user_b).search([])
        self.assertEqual(visible.company_id, other)
        self.assertEqual(sum(visible.mapped("quantity")), 55)
        own_line = self.Ledger.search([("company_id", "=", self.company.id)], limit=1)
        with self.assertRaises(AccessError):
            own_line.with_user(user_b).read(["quantity"])
        self.assertBalance(55, other)
        self.assertBalance(50)

    def test_settings_show_the_pack_price_table(self):
        # What the settings form receives for a new record (web client onchange).
        spec = {"company_id": {}, "chorus_token_pack_table": {}, "chorus_token_balance": {}}
        values = self.env["res.config.settings"].onchange({}, [], spec)["value"]
        table = str(values["chorus_token_pack_table"])
        for tokens, price, per_send in (("200", "100.00", "0.50"), ("500", "235.00", "0.47"),
                                        ("1000", "450.00", "0.45"), ("2500", "1,000.00", "0.40")):
            self.assertIn(f">{tokens}<", table)
            self.assertIn(price, table)
            self.assertIn(per_send, table)
        self.assertEqual(values["chorus_token_balance"], self.company.chorus_token_balance)
        # Names on one line in the narrow settings column (the tour measures it): the
        # product name without its internal reference, no wrapping.
        self.assertIn(">Chorus Pro tokens - pack of 200<", table)
        self.assertNotIn("[CHORUS-TOKENS-200]", table)
        self.assertIn("text-nowrap", table)
