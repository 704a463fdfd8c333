from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    chorus_deposit_mode = fields.Selection(
        related="company_id.chorus_deposit_mode", readonly=False)
