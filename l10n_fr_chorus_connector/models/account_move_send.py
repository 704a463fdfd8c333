"""Send & Print method ``chorus_pro``: deposit on Chorus Pro after the PDF is rendered.

Same hooks as Odoo's ``account_peppol``; the deposit itself is the one service of
``account.move._chorus_deposit`` (also behind the invoice's button).
"""

from odoo import _, api, models
from odoo.exceptions import UserError

METHOD = "chorus_pro"


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _is_applicable_to_move(self, method, move, **move_data):
        # EXTENDS 'account'
        if method == METHOD:
            return move._chorus_is_applicable() and move.chorus_send_state != "sent"
        return super()._is_applicable_to_move(method, move, **move_data)

    @api.model
    def _get_alerts(self, moves, moves_data):
        # EXTENDS 'account': Chorus problems are blocking ('danger') before sending.
        alerts = super()._get_alerts(moves, moves_data)
        chorus_moves = moves.filtered(
            lambda m: METHOD in moves_data[m]["sending_methods"]
            and self._is_applicable_to_move(METHOD, m, **moves_data[m]))
        if chorus_moves:
            problems = chorus_moves._chorus_deposit_problems()
            if problems:
                alerts["l10n_fr_chorus_connector_problems"] = {
                    "level": "danger",
                    "message": chorus_moves._chorus_format_problems(problems),
                    "action_text": _("View invoice(s)"),
                    "action": self.env["account.move"].browse(
                        [m.id for m in problems])._get_records_action(
                        name=_("Invoices to fix for Chorus Pro")),
                }
        missed = moves.filtered(
            lambda m: METHOD not in moves_data[m]["sending_methods"]
            and m._chorus_is_applicable() and m.chorus_send_state != "sent")
        if missed:
            alerts["l10n_fr_chorus_connector_not_selected"] = {
                "level": "info",
                "message": _("%s: public customer, the invoice should be deposited on Chorus "
                             "Pro ('by Chorus Pro').", ", ".join(missed.mapped("name"))),
            }
        return alerts

    @api.model
    def _call_web_service_after_invoice_pdf_render(self, invoices_data):
        # EXTENDS 'account'
        super()._call_web_service_after_invoice_pdf_render(invoices_data)
        for invoice, invoice_data in invoices_data.items():
            if METHOD not in invoice_data["sending_methods"] \
                    or not self._is_applicable_to_move(METHOD, invoice, **invoice_data):
                continue
            pdf = (invoice_data.get("pdf_attachment_values") or {}).get("raw")
            try:
                results = invoice._chorus_deposit(pdf_contents={invoice.id: pdf})
            except UserError as exc:
                if invoice.chorus_send_state == "queued":
                    invoice.chorus_send_state = "error"  # visible in "Chorus Pro: in error"
                invoice_data["error"] = {
                    "error_title": _("The invoice could not be deposited on Chorus Pro:"),
                    "errors": [exc.args[0]],
                }
                continue
            failures = [message for level, message in results if level == "danger"]
            if failures:
                invoice_data["error"] = {
                    "error_title": _("Chorus Pro deposit failed:"),
                    "errors": failures,
                }
            if self._can_commit():
                # A deposit that reached Chorus must survive a later failure of the batch.
                self._cr.commit()
