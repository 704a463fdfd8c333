from odoo import api, fields, models


class ChorusSupplierStructure(models.Model):
    """A supplier structure the company's technical account may invoice for.

    Filled from ``recuperer/structures/actives/fournisseur`` by 'Test connection';
    the company picks its own among them.
    """

    _name = "chorus.supplier.structure"
    _description = "Chorus Pro supplier structure"
    _order = "name"
    _rec_names_search = ["name", "siret"]

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True)
    chorus_structure_id = fields.Integer("idStructureCPP", required=True)
    siret = fields.Char("SIRET")
    name = fields.Char(required=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("structure_company_uniq", "unique(company_id, chorus_structure_id)",
         "This Chorus Pro structure is already listed for the company."),
    ]

    @api.depends("name", "siret")
    def _compute_display_name(self):
        for structure in self:
            structure.display_name = (f"{structure.siret} - {structure.name}"
                                      if structure.siret else structure.name)
