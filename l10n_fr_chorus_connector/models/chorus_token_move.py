"""The Chorus Pro token ledger: one line per credit or debit, never edited nor deleted.

Creating a line is the only way to change ``res.company.chorus_token_balance``, which
is the sum of the ledger: ``create`` has ``res.company._chorus_token_apply`` check that
it stays non-negative, even when two transactions take tokens at the same time. Lines
are created only by the addon's own methods (as superuser, after their own checks):
nobody creates one directly, not even an administrator (the adjustment wizard, with
its mandatory reason, is the way), and each credit names who approved it.
"""

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

REASONS = [
    ("initial", "Initial credit"),
    ("purchase", "Pack purchase"),
    ("purchase_reversal", "Pack purchase reversed"),
    ("deposit", "Invoice deposit"),
    ("refund", "Refused deposit refunded"),
    ("adjustment", "Manual adjustment"),
]

#: Credits no person decides: the welcome tokens and the token of a refused deposit.
AUTOMATIC_CREDITS = ("initial", "refund")


class ChorusTokenShortage(UserError):
    """The company has fewer tokens than a debit needs (nothing was changed)."""

    def __init__(self, message, company, balance, needed):
        super().__init__(message)
        self.company = company
        self.balance = balance
        self.needed = needed


class ChorusTokenMove(models.Model):
    _name = "chorus.token.move"
    _description = "Chorus Pro token move"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char("Description", required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True,
        ondelete="restrict", default=lambda self: self.env.company)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    quantity = fields.Integer(
        "Tokens", required=True, readonly=True,
        help="Tokens credited (positive) or debited (negative).")
    balance_after = fields.Integer("Balance after", readonly=True)
    reason = fields.Selection(REASONS, required=True, readonly=True, index=True)
    note = fields.Text("Explanation", help="Why the tokens were adjusted or refunded.")
    bill_id = fields.Many2one(
        "account.move", "Vendor bill", readonly=True, index="btree_not_null",
        ondelete="set null", check_company=True)
    bill_line_id = fields.Many2one(
        "account.move.line", "Vendor bill line", readonly=True, index="btree_not_null",
        ondelete="set null")
    invoice_id = fields.Many2one(
        "account.move", "Deposited invoice", readonly=True, index="btree_not_null",
        ondelete="set null", check_company=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user)
    approved_by_id = fields.Many2one(
        "res.users", "Approved by", readonly=True,
        help="Who approved this credit: the Chorus Pro administrator who confirmed the pack "
        "bill or made the adjustment (the system for the initial credit and for tokens "
        "given back after a refused deposit).")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(_(
                "Chorus Pro token moves are recorded by the connector only: use the 'Adjust "
                "tokens' button in Settings > Accounting > Chorus Pro tokens (Chorus Pro "
                "administrators, with a reason)."))
        for vals in vals_list:
            company = self.env["res.company"].browse(
                vals.get("company_id") or self.env.company.id)
            quantity = vals.get("quantity") or 0
            if not quantity:
                raise UserError(_("A Chorus Pro token move needs a number of tokens other "
                                  "than zero."))
            vals["company_id"] = company.id
            if quantity > 0:
                # env.user is the real user even in sudo: the one whose action credits.
                vals.setdefault("approved_by_id", SUPERUSER_ID
                                if vals.get("reason") in AUTOMATIC_CREDITS else self.env.user.id)
            vals["balance_after"] = company._chorus_token_apply(quantity)
        return super().create(vals_list)

    def write(self, vals):
        if vals:  # lines are never edited, by anyone
            raise UserError(_(
                "Chorus Pro token moves cannot be changed (%s): record a manual adjustment "
                "with the 'Adjust tokens' button in Settings > Accounting > Chorus Pro "
                "tokens instead.", ", ".join(sorted(vals))))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("Chorus Pro token moves are never deleted: record a manual "
                          "adjustment with the 'Adjust tokens' button in Settings > "
                          "Accounting > Chorus Pro tokens instead."))
