from odoo import _, api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "l10n_fr_chorus_connector.group_chorus_manager"


class ProductTemplate(models.Model):
    _inherit = "product.template"

    chorus_token_qty = fields.Integer(
        "Chorus Pro tokens",
        help="Marks the product as a pack of Chorus Pro tokens: confirming a vendor bill "
        "for it credits this many tokens per unit to the company (one token per invoice "
        "deposited on Chorus Pro). Only Chorus Pro administrators may change it.",
    )

    _sql_constraints = [
        ("chorus_token_qty_not_negative", "CHECK(chorus_token_qty >= 0)",
         "The number of Chorus Pro tokens of a pack cannot be negative."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("chorus_token_qty") for vals in vals_list):
            self._chorus_check_token_qty_rights()
        return super().create(vals_list)

    def write(self, vals):
        if "chorus_token_qty" in vals and any(
                template.chorus_token_qty != (vals["chorus_token_qty"] or 0)
                for template in self):
            self._chorus_check_token_qty_rights()
        return super().write(vals)

    def _chorus_check_token_qty_rights(self):
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        raise AccessError(_(
            "Only Chorus Pro administrators can set the number of Chorus Pro tokens of a "
            "product: ask one of them (Settings > Users, group 'Chorus Pro administrators')."))
