from odoo import api, fields, models

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
    chorus_connection_stale = fields.Boolean(
        "Connection test outdated",
        help="The environment changed since the last connection test: its message no "
        "longer applies.")

    @api.onchange("chorus_environment")
    def _onchange_chorus_environment(self):
        # Show the addresses of the chosen environment at once (the company computes
        # them only when saved), and hide the previous environment's test message.
        env_name = self.chorus_environment
        if env_name and env_name != "custom":  # custom: keep what was typed
            # The company's own computation, on a record that is never saved.
            preview = self.env["res.company"].new({"chorus_environment": env_name})
            self.chorus_api_url = preview.chorus_api_url
            self.chorus_token_url = preview.chorus_token_url
        self.chorus_connection_stale = env_name != self.company_id._origin.chorus_environment

    def action_chorus_test_connection(self):
        """Save the settings, then test them; the page stays where it is."""
        self.ensure_one()
        self.execute()
        action = self.company_id.action_chorus_test_connection()
        if isinstance(action, dict) and action.get("tag") == "display_notification":
            # Closing reloads this settings record in place (the new message shows)
            # instead of reloading the page, which would scroll back to the top.
            action["params"]["next"] = {"type": "ir.actions.act_window_close"}
        self.chorus_connection_stale = False
        return action
