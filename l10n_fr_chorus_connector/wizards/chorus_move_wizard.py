from odoo import fields, models


class ChorusMoveWizard(models.AbstractModel):
    """What the recycle and complete wizards share: the invoice, Chorus's comment and
    the client of the invoice's company."""

    _name = "chorus.move.wizard"
    _description = "Chorus Pro action on an invoice"

    move_id = fields.Many2one("account.move", "Invoice", required=True, readonly=True,
                              ondelete="cascade")
    chorus_comment = fields.Text(related="move_id.chorus_status_comment",
                                 string="Chorus Pro comment")

    def _chorus_client(self):
        move = self.move_id
        return move.company_id._chorus_client(**move._chorus_client_options())
