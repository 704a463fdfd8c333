from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.chorus_token_move import ChorusTokenShortage

MANAGER_GROUP = "l10n_fr_chorus_connector.group_chorus_manager"


class ChorusTokenAdjustWizard(models.TransientModel):
    _name = "chorus.token.adjust.wizard"
    _description = "Adjust the Chorus Pro tokens of a company"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)])
    balance = fields.Integer(related="company_id.chorus_token_balance", string="Current balance")
    quantity = fields.Integer(
        "Tokens to add", required=True,
        help="Positive to add tokens, negative to remove them.")
    reason = fields.Text(
        required=True, help="Why the balance is changed (kept in the token history).")

    @api.model
    def _chorus_check_rights(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Chorus Pro administrators can adjust the Chorus Pro "
                                "tokens."))

    @api.model_create_multi
    def create(self, vals_list):
        self._chorus_check_rights()
        return super().create(vals_list)

    def action_apply(self):
        self.ensure_one()
        self._chorus_check_rights()
        if not (self.reason or "").strip():
            raise UserError(_("Give the reason of the adjustment: it is kept in the token "
                              "history."))
        if not self.quantity:
            raise UserError(_("Enter the number of tokens to add (or a negative number to "
                              "remove tokens)."))
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(_("You can only adjust the tokens of your own companies."))
        try:
            self.company_id._chorus_token_move(
                self.quantity, "adjustment", _("Manual adjustment"),
                note=self.reason.strip())
        except ChorusTokenShortage as exc:
            raise UserError(_(
                "Cannot remove %(needed)s tokens: %(company)s has only %(balance)s left.",
                needed=exc.needed, company=self.company_id.name,
                balance=exc.balance)) from None
        return self.env["ir.actions.actions"]._for_xml_id(
            "l10n_fr_chorus_connector.action_chorus_token_move")
