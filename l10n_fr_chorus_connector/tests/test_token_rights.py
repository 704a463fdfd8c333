"""Nobody without the Chorus Pro administrators group raises the token balance.

A pack bill posted by a billing user waits for an administrator's approval; ledger
lines are created only by the addon's own methods, never edited nor deleted, and each
credit names who approved it.
"""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ChorusCase

BILLING = "account.group_account_invoice"
MANAGER = "l10n_fr_chorus_connector.group_chorus_manager"


@tagged("post_install", "-at_install")
class TestTokenRights(ChorusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ledger = cls.env["chorus.token.move"]
        cls.vendor = cls.env["res.partner"].create({"name": "Éditeur du connecteur"})
        cls.pack_2500 = cls.env.ref("l10n_fr_chorus_connector.product_chorus_tokens_2500")
        company = [Command.set(cls.company.ids)]
        cls.clerk = new_test_user(cls.env, "token_clerk", groups=BILLING,
                                  company_id=cls.company.id, company_ids=company)
        cls.manager = new_test_user(cls.env, "token_manager", groups=MANAGER,
                                    company_id=cls.company.id, company_ids=company)
        cls.sysadmin = new_test_user(cls.env, "token_sysadmin", groups="base.group_system",
                                     company_id=cls.company.id, company_ids=company)
        missing = 50 - cls.company.chorus_token_balance
        if missing:
            cls.company._chorus_token_move(missing, "adjustment", "Test start")

    def balance(self):
        self.company.invalidate_recordset(["chorus_token_balance"])
        return self.company.chorus_token_balance

    def post_bill(self, user, quantity=4, move_type="in_invoice"):
        """A 0.00 € vendor bill of ``quantity`` × 2,500-token packs, posted by ``user``."""
        bill = self.env["account.move"].with_user(user).create({
            "move_type": move_type, "partner_id": self.vendor.id,
            "invoice_date": "2025-03-14",
            "invoice_line_ids": [Command.create({
                "product_id": self.pack_2500.id, "quantity": quantity, "price_unit": 0.0})],
        })
        bill.action_post()
        return bill

    def test_pack_bill_of_a_billing_user_waits_for_approval(self):
        bill = self.post_bill(self.clerk)
        self.assertEqual(bill.state, "posted")
        self.assertEqual(self.balance(), 50)
        self.assertEqual(bill.chorus_token_approval, "pending")
        self.assertFalse(self.Ledger.search([("bill_id", "=", bill.id)]))
        todo = bill.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertTrue(todo, "the Chorus Pro administrators are asked to approve")
        self.assertIn("10000", todo.summary + (todo.note or ""))
        # The clerk cannot approve their own bill.
        with self.assertRaises(AccessError):
            bill.with_user(self.clerk).action_chorus_token_approve()
        self.assertEqual(self.balance(), 50)
        # An administrator approves: the credit names them.
        bill.with_user(self.manager).action_chorus_token_approve()
        self.assertEqual(self.balance(), 10050)
        credit = self.Ledger.search([("bill_id", "=", bill.id)])
        self.assertEqual(credit.quantity, 10000)
        self.assertEqual(credit.approved_by_id, self.manager)
        self.assertEqual(bill.chorus_token_approval, "approved")
        self.assertFalse(bill.activity_ids.filtered(lambda a: a.user_id == self.manager))
        # Approving twice credits nothing more.
        bill.with_user(self.manager).action_chorus_token_approve()
        self.assertEqual(self.balance(), 10050)

    def test_pending_bill_reset_to_draft_credits_nothing(self):
        bill = self.post_bill(self.clerk)
        bill.with_user(self.clerk).button_draft()
        self.assertFalse(bill.chorus_token_approval)
        with self.assertRaises(UserError):
            bill.with_user(self.manager).action_chorus_token_approve()
        self.assertEqual(self.balance(), 50)
        self.assertFalse(self.Ledger.search([("bill_id", "=", bill.id)]))

    def test_pack_bill_of_an_administrator_is_credited_at_once(self):
        bill = self.post_bill(self.manager, quantity=1)
        self.assertEqual(self.balance(), 2550)
        self.assertEqual(self.Ledger.search([("bill_id", "=", bill.id)]).approved_by_id,
                         self.manager)
        self.assertEqual(bill.chorus_token_approval, "approved")

    def test_ledger_lines_only_come_from_the_addon(self):
        vals = {"quantity": 1000, "reason": "adjustment", "name": "Cadeau",
                "company_id": self.company.id}
        for user in (self.clerk, self.manager, self.sysadmin):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Ledger.with_user(user).create(vals)
        line = self.Ledger.search([("company_id", "=", self.company.id)], limit=1)
        for user in (self.manager, self.sysadmin):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    line.with_user(user).write({"note": "Modifié"})
                with self.assertRaises(UserError):
                    line.with_user(user).unlink()
        with self.assertRaises(UserError):
            line.write({"note": "Modifié"})  # not even from code
        self.assertEqual(self.balance(), 50)

    def test_adjustment_names_the_administrator(self):
        wizard = self.env["chorus.token.adjust.wizard"].with_user(self.manager).create({
            "company_id": self.company.id, "quantity": 20, "reason": "Geste commercial"})
        wizard.action_apply()
        line = self.Ledger.search([("reason", "=", "adjustment")], limit=1)
        self.assertEqual((line.quantity, line.note, line.approved_by_id),
                         (20, "Geste commercial", self.manager))
        self.assertEqual(self.balance(), 70)

    def test_every_credit_names_who_approved_it(self):
        self.post_bill(self.manager, quantity=1)
        credits = self.Ledger.search([("quantity", ">", 0)])
        self.assertTrue(credits)
        self.assertTrue(all(credits.mapped("approved_by_id")), credits.mapped("reason"))

    def test_auto_posted_bill_prepared_by_a_billing_user_waits(self):
        """Odoo's auto-post job posts as the superuser: the clerk's bill still waits."""
        bill = self.env["account.move"].with_user(self.clerk).create({
            "move_type": "in_invoice", "partner_id": self.vendor.id,
            "invoice_date": "2025-03-14",
            "invoice_line_ids": [Command.create({
                "product_id": self.pack_2500.id, "quantity": 4, "price_unit": 0.0})],
        })
        bill.action_post()  # as the superuser, like the scheduled auto-post
        self.assertEqual(bill.chorus_token_approval, "pending")
        self.assertEqual(self.balance(), 50)

    def test_approval_cannot_be_written_directly(self):
        bill = self.post_bill(self.clerk)
        for user in (self.clerk, self.manager):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                bill.with_user(user).write({"chorus_token_approval": "approved"})
        self.assertEqual(bill.chorus_token_approval, "pending")
