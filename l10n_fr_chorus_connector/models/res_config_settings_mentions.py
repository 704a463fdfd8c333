from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    chorus_mention_penalties = fields.Text(
        related="company_id.chorus_mention_penalties", readonly=False)
    chorus_mention_recovery = fields.Text(
        related="company_id.chorus_mention_recovery", readonly=False)
    chorus_mention_discount = fields.Text(
        related="company_id.chorus_mention_discount", readonly=False)
