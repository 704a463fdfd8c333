"""Payment delay of a public customer: type of public buyer and contractual delay."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..chorus import payment_delay as pd

BUYER_TYPES = [
    (pd.BUYER_STATE, "State, local authority or their public bodies (30 days)"),
    (pd.BUYER_HEALTH, "Public health establishment (50 days)"),
    (pd.BUYER_PUBLIC_ENTERPRISE, "Public enterprise (60 days)"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    chorus_buyer_type = fields.Selection(
        BUYER_TYPES, "Type of public buyer", default=pd.BUYER_STATE,
        help="Sets the legal payment delay of the invoices deposited on Chorus Pro "
        "(Code de la commande publique, art. R2192-10 and R2192-11).")
    chorus_contractual_delay = fields.Integer(
        "Contractual payment delay (days)",
        help="Payment delay written in the contract, when it is shorter than the legal one. "
        "Leave 0 to apply the legal delay.")
    chorus_payment_delay = fields.Integer(
        "Payment delay (days)", compute="_compute_chorus_payment_delay",
        help="Delay that applies to this customer's invoices on Chorus Pro.")

    @api.depends("chorus_buyer_type", "chorus_contractual_delay")
    def _compute_chorus_payment_delay(self):
        for partner in self:
            partner.chorus_payment_delay = pd.applicable_delay(
                partner.chorus_buyer_type, partner.chorus_contractual_delay)

    @api.constrains("chorus_buyer_type", "chorus_contractual_delay")
    def _check_chorus_contractual_delay(self):
        for partner in self:
            days = partner.chorus_contractual_delay
            legal = pd.legal_delay(partner.chorus_buyer_type)
            if days < 0 or days > legal:
                raise ValidationError(_(
                    "Contractual payment delay of %(partner)s: %(days)s days is not allowed. "
                    "A contract may not give a public buyer more than the legal delay "
                    "(%(legal)s days for this type of buyer): enter at most %(legal)s, or 0 "
                    "to apply the legal delay.", partner=partner.display_name, days=days,
                    legal=legal))

    @api.model
    def _commercial_fields(self):
        # The delay is the customer's, whatever address the invoice goes to.
        return super()._commercial_fields() + ["chorus_buyer_type", "chorus_contractual_delay"]
