"""One status change of an invoice on Chorus Pro (``consulter/historique``)."""

from odoo import fields, models

from ..chorus import codes


class ChorusStatusLine(models.Model):
    _name = "chorus.status.line"
    _description = "Chorus Pro status history line"
    _order = "date desc, id desc"

    move_id = fields.Many2one("account.move", "Invoice", required=True, ondelete="cascade",
                              index=True)
    status = fields.Selection(codes.selection("fr"), required=True)
    date = fields.Datetime()
    comment = fields.Text("Chorus Pro comment")
