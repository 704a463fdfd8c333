"""Complete a suspended invoice with a comment and attachments (``completer``)."""

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..chorus import codes, rules
from ..chorus.errors import ChorusError
from ..chorus.types import Attachment


class ChorusCompleteWizard(models.TransientModel):
    _name = "chorus.complete.wizard"
    _inherit = "chorus.move.wizard"
    _description = "Complete an invoice on Chorus Pro"

    comment = fields.Text("Answer", required=True,
                          help="What you send back to the recipient with the documents.")
    attachment_ids = fields.Many2many(
        "ir.attachment", "chorus_complete_wizard_attachment_rel", "wizard_id",
        "attachment_id", "Documents",
        help="At most 50 characters per name, 10 MB per file, accepted formats only.")

    def action_complete(self):
        """Upload the documents (``ajouter/fichier``) then call ``completer``."""
        self.ensure_one()
        move = self.move_id
        move._chorus_require_status("SUSPENDUE", _("Completing"))
        violations = rules.check_attachments(
            (att.name, att.file_size) for att in self.attachment_ids)
        if violations:
            raise UserError(_("Nothing was sent to Chorus Pro:\n%s",
                              "\n".join(v.text(self.env.lang) for v in violations)))
        client = self._chorus_client()
        try:
            uploaded = [
                Attachment(client.upload_attachment(att.raw or b"", att.name, att.mimetype),
                           att.name)
                for att in self.attachment_ids
            ]
            update = client.complete_invoice(move.chorus_invoice_id, self.comment, uploaded)
        except ChorusError as exc:
            raise UserError(_("Chorus Pro refused to complete the invoice: %s",
                              move.company_id._chorus_error_message(exc))) from None
        move._chorus_close_activities()
        copies = [(att.name, att.raw) for att in self.attachment_ids]
        if update.status:
            body = _("Completed on Chorus Pro (new status: %(status)s): %(comment)s",
                     status=codes.label(update.status), comment=self.comment)
        else:
            body = _("Completed on Chorus Pro: %s", self.comment)
        move.message_post(body=body, attachments=copies)
        move._chorus_refresh()
        return {"type": "ir.actions.act_window_close"}
