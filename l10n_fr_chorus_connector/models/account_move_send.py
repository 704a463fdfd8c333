"""Send & Print method ``chorus_pro``, and the background sending of deposits.

Same hooks as Odoo's ``account_peppol``. Interactive Send & Print deposits through
``account.move._chorus_deposit`` (like the button). Batch Send & Print, the mass
deposit and the automatic deposit put invoices in Odoo's own background sending
(``sending_data`` + cron ``account.ir_cron_account_move_send``); each invoice is
then deposited by ``_chorus_deposit_background``, one after the other while the
PDFs of the next ones render (``account_move_send_render``). A call stops taking
new deposits after ``BACKGROUND_BUDGET`` seconds: the rest stays queued and the
cron is triggered again at once.
"""

import time

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .account_move_send_render import METHOD

#: Seconds of depositing per call of Odoo's sending cron (a prefork cron worker lives
#: 120 s; one deposit call is bounded by the client, see chorus/transport.py). Counted
#: from the start of the call when the PDFs are rendered ahead, once they are rendered
#: otherwise. At least one invoice is deposited per call.
BACKGROUND_BUDGET = 30.0
class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _is_applicable_to_move(self, method, move, **move_data):
        # EXTENDS 'account'
        if method == METHOD:
            return move._chorus_is_applicable() and move.chorus_send_state != "sent"
        return super()._is_applicable_to_move(method, move, **move_data)

    @api.model
    def _get_default_sending_settings(self, move, from_cron=False, **custom_settings):
        # EXTENDS 'account': a mass or automatic deposit only deposits on Chorus Pro,
        # whatever the customer's usual sending method.
        vals = super()._get_default_sending_settings(move, from_cron=from_cron,
                                                      **custom_settings)
        if from_cron and (move.sending_data or {}).get("chorus_run"):
            vals["sending_methods"] = {METHOD}
        return vals

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
    def _hook_invoice_document_before_pdf_report_render(self, invoice, invoice_data):
        # EXTENDS 'account_edi_ubl_cii': Odoo's generic CII checks (company VAT, phone,
        # e-mail…) are not Chorus Pro rules. For a deposit, the Factur-X XML is built
        # and checked exactly as the button does (our checks and the XSD).
        super()._hook_invoice_document_before_pdf_report_render(invoice, invoice_data)
        if METHOD not in invoice_data["sending_methods"] \
                or not self._is_applicable_to_move(METHOD, invoice, **invoice_data) \
                or not invoice_data.get("error_but_continue") \
                or "ubl_cii_xml_attachment_values" in invoice_data \
                or invoice_data.get("invoice_edi_format") != "facturx":
            return
        builder = invoice.partner_id.commercial_partner_id._get_edi_builder("facturx")
        xml_content, _errors = builder._export_invoice(invoice)
        invoice_data.pop("error", None)
        invoice_data.pop("error_but_continue", None)
        invoice_data["ubl_cii_xml_attachment_values"] = {
            "name": builder._export_invoice_filename(invoice),
            "raw": xml_content,
            "mimetype": "application/xml",
            "res_model": invoice._name,
            "res_id": invoice.id,
            "res_field": "ubl_cii_xml_file",
        }
        invoice_data["ubl_cii_xml_options"] = {"ubl_cii_format": "facturx", "builder": builder}

    @api.model
    def _call_web_service_after_invoice_pdf_render(self, invoices_data):
        # EXTENDS 'account'
        super()._call_web_service_after_invoice_pdf_render(invoices_data)
        # The budget counts deposits only (the PDFs are rendered by now), and each call
        # deposits at least one invoice.
        deadline = None
        if self.env.context.get("chorus_deferred") is not None:
            deadline = time.monotonic() + BACKGROUND_BUDGET
        started = False
        for invoice, invoice_data in invoices_data.items():
            if METHOD not in invoice_data["sending_methods"] \
                    or not self._is_applicable_to_move(METHOD, invoice, **invoice_data):
                continue
            pdf = (invoice_data.get("pdf_attachment_values") or {}).get("raw")
            if invoice.sending_data:
                if deadline and time.monotonic() >= deadline and started:
                    self._chorus_defer(invoice, invoice_data)
                    continue
                self._chorus_background_one(invoice, invoice_data, pdf)
                started = True
            else:
                self._chorus_interactive_one(invoice, invoice_data, pdf)
            if self._can_commit():
                # A deposit that reached Chorus must survive a later failure of the batch.
                self._cr.commit()

    @api.model
    def _chorus_interactive_one(self, invoice, invoice_data, pdf):
        """Send & Print of one invoice: same service and checks as the button."""
        try:
            results = invoice._chorus_deposit(pdf_contents={invoice.id: pdf})
        except UserError as exc:
            invoice_data["error"] = {
                "error_title": _("The invoice could not be deposited on Chorus Pro:"),
                "errors": [exc.args[0]],
            }
            return
        invoice_data["chorus_results"] = results
        failures = [message for level, message in results if level == "danger"]
        if failures:
            invoice_data["error"] = {"error_title": _("Chorus Pro deposit failed:"),
                                     "errors": failures}

    @api.model
    def _chorus_background_one(self, invoice, invoice_data, pdf):
        """One invoice of Odoo's background sending, in the launcher's language."""
        move = invoice.with_context(**self.env["chorus.deposit.run"]._chorus_launch_context(
            invoice.sending_data))
        result = move._chorus_deposit_background(pdf)
        if result is None:  # being deposited by someone else: later
            self._chorus_defer(invoice, invoice_data)
            return
        level, message = result
        if level == "danger" or move.chorus_send_state != "sent":
            # Already recorded on the invoice (state, chatter): Odoo only counts it.
            invoice_data["error"] = {"error_title": _("Chorus Pro deposit failed:"),
                                     "errors": [message]}
            invoice_data["chorus_recorded"] = True

    @api.model
    def _chorus_defer(self, invoice, invoice_data):
        """Leave ``invoice`` queued for a later call of the sending cron."""
        deferred = self.env.context.get("chorus_deferred")
        if deferred is None:
            invoice_data["error"] = {"error_title": _("Chorus Pro deposit postponed:"),
                                     "errors": [_("%s is being deposited by another "
                                                  "process; try again.", invoice.name)]}
            return
        deferred[invoice.id] = dict(invoice.sending_data)
        invoice_data["error"] = {"error_title": _("Chorus Pro deposit postponed"),
                                 "errors": []}
        invoice_data["chorus_deferred"] = True

    @api.model
    def _hook_if_errors(self, moves_data, allow_raising=True):
        # EXTENDS 'account': deposits already recorded their outcome (state and
        # chatter); postponed ones are not errors. A Chorus invoice that failed before
        # the deposit (PDF, EDI…) in the background is put in error, with the reason.
        others = {}
        for move, move_data in moves_data.items():
            if move_data.get("chorus_deferred") or move_data.get("chorus_recorded"):
                continue
            if not allow_raising and METHOD in move_data["sending_methods"] \
                    and move._chorus_is_applicable() \
                    and move.chorus_send_state in ("to_send", "error"):
                launch = self.env["chorus.deposit.run"]._chorus_launch_context(
                    move.sending_data)
                move = move.with_context(**launch)
                move._chorus_transition("checks_refused", _(
                    "Not deposited on Chorus Pro%(by)s: %(reason)s", by=move._chorus_by(),
                    reason=self._format_error_text(move_data["error"])))
                continue
            others[move] = move_data
        if others:
            super()._hook_if_errors(others, allow_raising=allow_raising)

    @api.model
    def _generate_and_send_invoices(self, moves, from_cron=False, allow_raising=True,
                                    allow_fallback_pdf=False, **custom_settings):
        # EXTENDS 'account': in the background, stop depositing after a deadline and
        # keep what was postponed queued (Odoo would clear its sending_data).
        if not from_cron:
            return super()._generate_and_send_invoices(
                moves, from_cron=from_cron, allow_raising=allow_raising,
                allow_fallback_pdf=allow_fallback_pdf, **custom_settings)
        deferred = {}
        with self._chorus_rendering_ahead(moves) as pdfs:
            sender = self.with_context(chorus_deferred=deferred, chorus_pdfs=pdfs)

            def send(batch):
                return super(AccountMoveSend, sender)._generate_and_send_invoices(
                    batch, from_cron=from_cron, allow_raising=allow_raising,
                    allow_fallback_pdf=allow_fallback_pdf, **custom_settings)

            if pdfs:
                result = self._chorus_send_one_by_one(moves, send, deferred)
            else:
                result = send(moves)
        if deferred:
            for move in self.env["account.move"].browse(list(deferred)):
                move.sending_data = deferred[move.id]
            self.env.ref("account.ir_cron_account_move_send")._trigger(
                at=fields.Datetime.now())
        return result

    @api.model
    def _chorus_send_one_by_one(self, moves, send, deferred):
        """``send`` each invoice on its own, so that each deposit starts as soon as its
        PDF is rendered; after ``BACKGROUND_BUDGET`` seconds the rest is postponed."""
        deadline = time.monotonic() + BACKGROUND_BUDGET
        attachments = self.env["ir.attachment"]
        for index, move in enumerate(moves):
            if index and time.monotonic() >= deadline:
                deferred.update({late.id: dict(late.sending_data) for late in moves[index:]})
                break
            attachments |= send(move)
        return attachments
