"""Token packs on vendor bills, and the token of each deposit.

Confirming a vendor bill credits quantity × ``chorus_token_qty`` for each line of a
pack product (a vendor refund debits it); resetting the bill to draft or cancelling it
reverses exactly what its lines credited. Each ledger line points to its bill line.

Only a Chorus Pro administrator raises the balance: a pack bill confirmed by anyone
else waits for an administrator's approval (an activity asks them), and its tokens
are credited when they approve it, in their name. Debits (vendor refunds) need no
approval.
"""

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_round

from .chorus_token_move import ChorusTokenShortage

BILL_SIGNS = {"in_invoice": 1, "in_refund": -1}
MANAGER_GROUP = "l10n_fr_chorus_connector.group_chorus_manager"
APPROVAL_ACTIVITY = "l10n_fr_chorus_connector.mail_activity_chorus_token_approval"
APPROVALS = [("pending", "Waiting for an administrator"), ("approved", "Credited")]


class AccountMove(models.Model):
    _inherit = "account.move"

    chorus_token_balance = fields.Integer(
        related="company_id.chorus_token_balance", string="Chorus Pro tokens left")
    chorus_token_approval = fields.Selection(
        APPROVALS, "Chorus Pro tokens of the bill", readonly=True, copy=False,
        help="Waiting: the bill buys Chorus Pro tokens and was confirmed by someone who is "
        "not a Chorus Pro administrator; its tokens are credited when an administrator "
        "approves it.")
    chorus_token_pending_qty = fields.Integer(
        "Tokens to approve", compute="_compute_chorus_token_pending_qty")

    def _compute_chorus_token_pending_qty(self):
        for move in self:
            move.chorus_token_pending_qty = sum(
                tokens for _line, tokens in move._chorus_token_pack_amounts()
            ) if move.chorus_token_approval == "pending" else 0

    def write(self, vals):
        if "chorus_token_approval" in vals and not self.env.su:
            raise AccessError(_("The approval of Chorus Pro tokens changes only through the "
                                "'Approve the Chorus Pro tokens' button."))
        return super().write(vals)

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted._chorus_token_credit_packs()
        return posted

    def button_draft(self):
        self._chorus_token_reverse_packs()
        self.filtered("chorus_token_approval")._chorus_token_clear_approval()
        return super().button_draft()

    # ------------------------------------------------------------------
    # Vendor bills of token packs
    # ------------------------------------------------------------------
    def _chorus_token_pack_lines(self):
        return self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
            and line.product_id.product_tmpl_id.chorus_token_qty)

    def _chorus_token_pack_amounts(self):
        """``[(bill line, tokens)]`` this bill credits (negative: debits)."""
        self.ensure_one()
        sign = BILL_SIGNS.get(self.move_type, 0)
        amounts = []
        for line in self._chorus_token_pack_lines():
            tokens = int(float_round(
                line.quantity * line.product_id.product_tmpl_id.chorus_token_qty,
                precision_digits=0)) * sign
            if tokens:
                amounts.append((line, tokens))
        return amounts

    @staticmethod
    def _chorus_token_can_approve(user):
        return user._is_superuser() or user.has_group(MANAGER_GROUP)

    def _chorus_token_deciders(self):
        """The users whose decision posting this bill is.

        Scheduled work (Odoo's auto-post of future bills) runs as the superuser on behalf
        of whoever prepared the bill: then those who created it and last edited its pack
        lines decide, so that a bill prepared by a billing user still waits for approval.
        """
        self.ensure_one()
        user = self.env.user
        if not user._is_superuser():
            return user
        return self.create_uid | self._chorus_token_pack_lines().write_uid or user

    def _chorus_token_credit_packs(self):
        for bill in self.filtered(lambda m: m.move_type in BILL_SIGNS):
            amounts = bill._chorus_token_pack_amounts()
            if not amounts:
                continue
            deciders = bill._chorus_token_deciders()
            if any(tokens > 0 for _line, tokens in amounts) and not all(
                    self._chorus_token_can_approve(user) for user in deciders):
                bill._chorus_token_request_approval()
            else:
                bill._chorus_token_apply_packs(self.env.user)

    def _chorus_token_apply_packs(self, approver):
        self.ensure_one()
        for line, tokens in self._chorus_token_pack_amounts():
            self._chorus_token_record_line(
                line, tokens, "purchase" if tokens > 0 else "purchase_reversal",
                _("%(bill)s: %(product)s", bill=self.name,
                  product=line.product_id.display_name),
                _("%(bill)s cannot be confirmed"),
                approved_by_id=approver.id if tokens > 0 else False)
        self.sudo().chorus_token_approval = "approved"

    def _chorus_token_request_approval(self):
        """Ask the Chorus Pro administrators to approve the tokens of this bill."""
        self.ensure_one()
        self.sudo().chorus_token_approval = "pending"
        tokens = sum(tokens for _line, tokens in self._chorus_token_pack_amounts())
        summary = _("Approve %(tokens)s Chorus Pro tokens (%(bill)s)", tokens=tokens,
                    bill=self.name)
        note = _("%(user)s confirmed %(bill)s, which buys %(tokens)s Chorus Pro tokens for "
                 "%(company)s. Check the bill, then click 'Approve the Chorus Pro tokens' "
                 "on it: only then are the tokens credited.", user=self.env.user.name,
                 bill=self.name, tokens=tokens, company=self.company_id.name)
        self.message_post(body=note)
        for manager in self.company_id._chorus_managers():
            self.sudo().activity_schedule(
                APPROVAL_ACTIVITY, summary=summary, note=note, user_id=manager.id)

    def action_chorus_token_approve(self):
        """Credit the tokens of these pack bills (Chorus Pro administrators only)."""
        if not self._chorus_token_can_approve(self.env.user):
            raise AccessError(_("Only Chorus Pro administrators can approve the Chorus Pro "
                                "tokens of a vendor bill."))
        for bill in self:
            if bill.chorus_token_approval == "approved":
                continue
            if bill.state != "posted" or bill.chorus_token_approval != "pending":
                raise UserError(_("%s has no Chorus Pro tokens waiting for approval: "
                                  "confirm the bill first.", bill.display_name))
            bill._chorus_token_apply_packs(self.env.user)
            bill._chorus_token_close_activities(_("Tokens approved by %s.", self.env.user.name))
            bill.message_post(body=_("%(user)s approved the Chorus Pro tokens of this bill.",
                                     user=self.env.user.name))
        return True

    def _chorus_token_clear_approval(self):
        self._chorus_token_close_activities(_("The bill was reset to draft."))
        self.sudo().chorus_token_approval = False

    def _chorus_token_close_activities(self, feedback):
        kind = self.env.ref(APPROVAL_ACTIVITY, raise_if_not_found=False)
        self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == kind).action_feedback(feedback=feedback)

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

    def _chorus_token_record_line(self, line, tokens, reason, name, refusal, **links):
        """Ledger line for a bill line; a clear UserError when it would go negative."""
        self.ensure_one()
        try:
            self.company_id._chorus_token_move(
                tokens, reason, name, bill_id=self.id, bill_line_id=line.id, **links)
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
