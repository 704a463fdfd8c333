"""Token packs on vendor bills, and the token of each deposit.

Confirming a vendor bill credits quantity × ``chorus_token_qty`` for each line of a
pack product (a vendor refund debits it); resetting the bill to draft or cancelling it
reverses exactly what its lines credited. Each ledger line points to its bill line.
"""

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from .chorus_token_move import ChorusTokenShortage

BILL_SIGNS = {"in_invoice": 1, "in_refund": -1}


class AccountMove(models.Model):
    _inherit = "account.move"

    chorus_token_balance = fields.Integer(
        related="company_id.chorus_token_balance", string="Chorus Pro tokens left")

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted._chorus_token_credit_packs()
        return posted

    def button_draft(self):
        self._chorus_token_reverse_packs()
        return super().button_draft()

    # ------------------------------------------------------------------
    # Vendor bills of token packs
    # ------------------------------------------------------------------
    def _chorus_token_pack_lines(self):
        return self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
            and line.product_id.product_tmpl_id.chorus_token_qty)

    def _chorus_token_credit_packs(self):
        for bill in self.filtered(lambda m: m.move_type in BILL_SIGNS):
            sign = BILL_SIGNS[bill.move_type]
            for line in bill._chorus_token_pack_lines():
                tokens = int(float_round(
                    line.quantity * line.product_id.product_tmpl_id.chorus_token_qty,
                    precision_digits=0)) * sign
                if tokens:
                    bill._chorus_token_record_line(
                        line, tokens, "purchase" if tokens > 0 else "purchase_reversal",
                        _("%(bill)s: %(product)s", bill=bill.name,
                          product=line.product_id.display_name),
                        _("%(bill)s cannot be confirmed"))

    def _chorus_token_reverse_packs(self):
        """Take back what the lines of these posted bills credited (or give back)."""
        Ledger = self.env["chorus.token.move"].sudo()
        for bill in self.filtered(lambda m: m.state == "posted" and m.move_type in BILL_SIGNS):
            groups = Ledger._read_group(
                [("bill_line_id", "in", bill.line_ids.ids)], ["bill_line_id"],
                ["quantity:sum"])
            for line, net in groups:
                if net:
                    bill._chorus_token_record_line(
                        line, -net, "purchase_reversal",
                        _("%(bill)s reset to draft: %(product)s", bill=bill.name,
                          product=line.product_id.display_name),
                        _("%(bill)s cannot be reset to draft or cancelled"))

    def _chorus_token_record_line(self, line, tokens, reason, name, refusal):
        """Ledger line for a bill line; a clear UserError when it would go negative."""
        self.ensure_one()
        try:
            self.company_id._chorus_token_move(
                tokens, reason, name, bill_id=self.id, bill_line_id=line.id)
        except ChorusTokenShortage as exc:
            raise UserError(_(
                "%(refusal)s: it takes back %(needed)s Chorus Pro tokens but %(company)s has "
                "only %(balance)s left (tokens already used for deposits cannot be returned). "
                "Buy a pack first, or take back fewer tokens with a smaller vendor refund.",
                refusal=refusal % {"bill": self.display_name}, needed=exc.needed,
                company=self.company_id.name, balance=exc.balance)) from None

    # ------------------------------------------------------------------
    # Deposits (called by the deposit service)
    # ------------------------------------------------------------------
    def _chorus_token_take(self):
        """Take this invoice's deposit token; None, or a ``("danger", message)`` result.

        Never raises: in a batch, earlier invoices may already be on Chorus Pro.
        """
        self.ensure_one()
        company = self.company_id
        if company._chorus_try_take_token(self):
            return None
        return ("danger", f"{self.name}: {company._chorus_no_token_message()}")

    def _chorus_token_give_back(self, reason):
        """Chorus Pro refused the deposit outright: return its token (once)."""
        self.ensure_one()
        return self.company_id._chorus_return_token(self, reason)
