from odoo import api, fields, models


class ChorusPartnerService(models.Model):
    """A service (service exécutant) of a public customer's Chorus Pro structure."""

    _name = "chorus.partner.service"
    _description = "Chorus Pro service of a public customer"
    _order = "partner_id, code"
    _rec_names_search = ["code", "name"]

    partner_id = fields.Many2one(
        "res.partner", "Public entity", required=True, ondelete="cascade", index=True)
    # Chorus technical ids may exceed PostgreSQL's int4: kept as text.
    chorus_service_id = fields.Char("idService")
    code = fields.Char("Service code", required=True)
    name = fields.Char("Service name")
    active_in_chorus = fields.Boolean("Active on Chorus Pro", default=True)
    engagement_required = fields.Boolean(
        "Commitment required", help="Chorus Pro requires a commitment number "
        "(engagement juridique) for invoices sent to this service.")

    _sql_constraints = [
        ("code_partner_uniq", "unique(partner_id, code)",
         "A service code appears only once per public entity."),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for service in self:
            service.display_name = (f"{service.code} - {service.name}"
                                    if service.name else service.code)
