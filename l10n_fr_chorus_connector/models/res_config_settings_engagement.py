"""Settings: the commitment-number check and its API subscription."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    chorus_ej_api_unsubscribed = fields.Datetime(
        related="company_id.chorus_ej_api_unsubscribed")

    def action_chorus_ej_check_again(self):
        """Save the settings, then check commitment numbers again."""
        self.ensure_one()
        self.execute()
        return self.company_id.action_chorus_ej_check_again()
