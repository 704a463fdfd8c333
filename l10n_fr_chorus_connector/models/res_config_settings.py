from odoo import fields, models

SECRET_GROUP = "base.group_system"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    chorus_environment = fields.Selection(
        related="company_id.chorus_environment", readonly=False)
    chorus_api_url = fields.Char(related="company_id.chorus_api_url", readonly=False)
    chorus_token_url = fields.Char(related="company_id.chorus_token_url", readonly=False)
    chorus_client_id = fields.Char(
        related="company_id.chorus_client_id", readonly=False, groups=SECRET_GROUP)
    chorus_client_secret = fields.Char(
        related="company_id.chorus_client_secret", readonly=False, groups=SECRET_GROUP)
    chorus_login = fields.Char(
        related="company_id.chorus_login", readonly=False, groups=SECRET_GROUP)
    chorus_password = fields.Char(
        related="company_id.chorus_password", readonly=False, groups=SECRET_GROUP)
    chorus_supplier_structure_id = fields.Many2one(
        related="company_id.chorus_supplier_structure_id", readonly=False)
    chorus_supplier_service_code = fields.Char(
        related="company_id.chorus_supplier_service_code", readonly=False)
    chorus_flow_syntax = fields.Selection(
        related="company_id.chorus_flow_syntax", readonly=False)
    chorus_password_expiry_date = fields.Date(
        related="company_id.chorus_password_expiry_date", readonly=False)
    chorus_last_connection_message = fields.Text(
        related="company_id.chorus_last_connection_message")

    def action_chorus_test_connection(self):
        """Save the settings, then test them."""
        self.ensure_one()
        self.execute()
        return self.company_id.action_chorus_test_connection()
