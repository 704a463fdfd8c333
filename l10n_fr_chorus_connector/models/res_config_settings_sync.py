"""Settings of the status synchronisation and of the automatic deposit."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    chorus_status_sync_watermark = fields.Datetime(
        related="company_id.chorus_status_sync_watermark")
    chorus_auto_deposit = fields.Boolean(
        related="company_id.chorus_auto_deposit", readonly=False)
    chorus_auto_deposit_hour = fields.Float(
        related="company_id.chorus_auto_deposit_hour", readonly=False)
    chorus_auto_deposit_delay_mode = fields.Selection(
        related="company_id.chorus_auto_deposit_delay_mode", readonly=False)
    chorus_auto_deposit_delay_days = fields.Integer(
        related="company_id.chorus_auto_deposit_delay_days", readonly=False)
    chorus_auto_deposit_cutoff = fields.Date(
        related="company_id.chorus_auto_deposit_cutoff", readonly=False)

    def set_values(self):
        super().set_values()
        self.company_id._chorus_update_auto_deposit_cron()
