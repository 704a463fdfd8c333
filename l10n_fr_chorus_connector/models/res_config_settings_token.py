from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    chorus_token_balance = fields.Integer(related="company_id.chorus_token_balance")
    chorus_token_low_threshold = fields.Integer(
        related="company_id.chorus_token_low_threshold", readonly=False)
    chorus_token_pack_table = fields.Html(
        "Chorus Pro token packs", compute="_compute_chorus_token_pack_table", sanitize=False)

    @api.depends("company_id")
    def _compute_chorus_token_pack_table(self):
        for settings in self:
            settings.chorus_token_pack_table = settings.company_id._chorus_token_pack_table()

    def action_chorus_token_moves(self):
        return self.env["ir.actions.actions"]._for_xml_id(
            "l10n_fr_chorus_connector.action_chorus_token_move")

    def action_chorus_token_packs(self):
        return self.env["ir.actions.actions"]._for_xml_id(
            "l10n_fr_chorus_connector.action_chorus_token_packs")

    def action_chorus_token_adjust(self):
        action = self.env["ir.actions.actions"]._for_xml_id(
            "l10n_fr_chorus_connector.action_chorus_token_adjust_wizard")
        action["context"] = {"default_company_id": self.company_id.id}
        return action
