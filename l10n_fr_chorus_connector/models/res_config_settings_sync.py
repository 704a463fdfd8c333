"""Settings of the status synchronisation and of the automatic deposit."""

from odoo import api, fields, models


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

    # Technical: the automatic deposit was off and this save switches it on.
    chorus_auto_deposit_switched_on = fields.Boolean()

    @api.model_create_multi
    def create(self, vals_list):
        # Related values are written by create: compare with the company before.
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) \
                or self.env.company
            if vals.get("chorus_auto_deposit") and not company.chorus_auto_deposit:
                vals["chorus_auto_deposit_switched_on"] = True
        return super().create(vals_list)

    def set_values(self):
        super().set_values()
        self.company_id._chorus_update_auto_deposit_cron(
            activate=self.chorus_auto_deposit_switched_on)
