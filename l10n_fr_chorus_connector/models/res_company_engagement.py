"""Whether the company's PISTE application may check commitment numbers (EJ)."""

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    chorus_ej_api_unsubscribed = fields.Datetime(
        "Commitment API not subscribed", readonly=True, copy=False,
        groups="account.group_account_invoice",
        help="When Chorus Pro answered that the PISTE application has not subscribed the "
        "'Engagements juridiques' API. Until then commitment numbers are checked on Chorus "
        "Pro before each deposit; after, the check is skipped.")

    def action_chorus_ej_check_again(self):
        """Check commitment numbers again (after subscribing the API on piste.gouv.fr)."""
        self.check_access("write")
        self.sudo().chorus_ej_api_unsubscribed = False
        return True
