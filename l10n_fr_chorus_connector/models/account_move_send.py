"""Send & Print method ``chorus_pro``, and the background sending of deposits.

Same hooks as Odoo's ``account_peppol``. Interactive Send & Print deposits through
``account.move._chorus_deposit`` (like the button). Batch Send & Print, the mass
deposit and the automatic deposit put invoices in Odoo's own background sending
(``sending_data`` + cron ``account.ir_cron_account_move_send``); each invoice is
then deposited by ``_chorus_deposit_background``. A call stops taking new
deposits after ``BACKGROUND_BUDGET`` seconds: the rest stays queued and the cron
is triggered again at once.
"""

import functools
import logging
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import find_in_path

from .res_company_sync import in_test

_logger = logging.getLogger(__name__)

METHOD = "chorus_pro"
#: Seconds of depositing per call of Odoo's sending cron, counted once its PDFs are
#: rendered (a prefork cron worker lives 120 s; one deposit call is bounded by the
#: client, see chorus/transport.py). At least one invoice is deposited per call.
BACKGROUND_BUDGET = 30.0
BATCH_PARAM = "account.pdf_generation_batch"
#: System parameter: wkhtmltopdf runs at once when each renders one invoice
#: (background sending). With the short delay below a run mostly computes: one more
#: run than cores keeps them busy (measured on 2 cores: 3 at once beat 6 and 8).
RENDER_WORKERS_PARAM = "l10n_fr_chorus_connector.render_workers"
RENDER_WORKERS = (os.cpu_count() or 1) + 1
#: Odoo's sending cron takes 20 invoices per call: more runs would never be used.
RENDER_WORKERS_MAX = 20
#: System parameter: milliseconds wkhtmltopdf waits after loading an invoice before
#: printing it, for these renders only (Odoo's ``report.print_delay``, 1,000 by
#: default, is for reports that draw with JavaScript; the invoice draws nothing
#: after loading). 200 is wkhtmltopdf's own default.
RENDER_DELAY_PARAM = "l10n_fr_chorus_connector.render_delay"
RENDER_DELAY = 200


@functools.cache
def wkhtmltopdf_renders_batches():
    """Whether wkhtmltopdf can render several invoices in one run: only builds with
    the patched Qt can (Debian's 0.12.6 cannot: the PDF comes out unreadable)."""
    try:
        output = subprocess.run([find_in_path("wkhtmltopdf"), "--version"],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    patched = "patched qt" in (output.stdout + output.stderr).lower()
    if not patched:
        _logger.info("wkhtmltopdf without patched Qt: Send & Print renders one invoice "
                     "PDF at a time (set %s to choose)", BATCH_PARAM)
    return patched


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
    def _prepare_invoice_pdf_report(self, invoices_data):
        # EXTENDS 'account': Odoo renders the PDFs of a background batch in one
        # wkhtmltopdf run, which only a patched-Qt build gets right; with another
        # build (and no explicit setting), one invoice per run.
        explicit = self.env["ir.config_parameter"].sudo().get_param(BATCH_PARAM)
        if len(invoices_data) > 1 and not explicit and not wkhtmltopdf_renders_batches():
            if self.env.context.get("chorus_deferred") is not None and not in_test():
                rendered = self._chorus_render_in_parallel(invoices_data)
            else:
                rendered = {}
            for invoice, invoice_data in invoices_data.items():
                if invoice.id in rendered:
                    invoice_data["pdf_attachment_values"] = {
                        "name": invoice._get_invoice_report_filename(),
                        "raw": rendered[invoice.id],
                        "mimetype": "application/pdf",
                        "res_model": invoice._name,
                        "res_id": invoice.id,
                        "res_field": "invoice_pdf_report_file",
                    }
                else:
                    super()._prepare_invoice_pdf_report({invoice: invoice_data})
            return None
        return super()._prepare_invoice_pdf_report(invoices_data)

    @api.model
    def _chorus_render_settings(self):
        """``(runs at once, wkhtmltopdf delay in ms)`` of the parallel rendering, from
        the system parameters (bounded; a wrong value falls back to the default)."""
        params = self.env["ir.config_parameter"].sudo()

        def read(key, default, low, high):
            try:
                value = int(params.get_param(key) or default)
            except ValueError:
                _logger.warning("System parameter %s is not a number: %s used", key,
                                default)
                return default
            return min(max(value, low), high)

        return (read(RENDER_WORKERS_PARAM, RENDER_WORKERS, 1, RENDER_WORKERS_MAX),
                read(RENDER_DELAY_PARAM, RENDER_DELAY, 0, 10000))

    @api.model
    def _chorus_render_in_parallel(self, invoices_data):
        """``{invoice id: PDF}`` rendered several at a time (``_chorus_render_settings``),
        each in a transaction of its own (background work only: the invoices are
        committed).

        wkhtmltopdf mostly waits: several runs at once use the idle time. An invoice
        that fails here is rendered the usual way.
        """
        workers, delay = self._chorus_render_settings()
        registry, uid = self.env.registry, self.env.uid
        context = dict(self.env.context, chorus_print_delay=delay)

        def render(invoice_id, report_name, company_id):
            try:
                with registry.cursor() as cr:
                    # The caller holds the invoice rows: never wait for them here.
                    cr.execute("SET LOCAL lock_timeout = '5s'")
                    env = api.Environment(cr, uid, context)
                    reports = env["ir.actions.report"].with_company(company_id)
                    content, kind = reports._pre_render_qweb_pdf(report_name,
                                                                 res_ids=[invoice_id])
                    if kind != "pdf":
                        return None
                    return reports._get_splitted_report(report_name, content, kind).get(
                        invoice_id)
            except Exception:  # rendered again the usual way
                _logger.exception("Chorus Pro: parallel PDF rendering of invoice %s failed",
                                  invoice_id)
                return None

        with ThreadPoolExecutor(max_workers=min(workers, len(invoices_data))) as pool:
            futures = {invoice.id: pool.submit(render, invoice.id,
                                               data["pdf_report"].report_name,
                                               invoice.company_id.id)
                       for invoice, data in invoices_data.items()}
        return {invoice_id: future.result() for invoice_id, future in futures.items()
                if future.result()}

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
        sender = self.with_context(chorus_deferred=deferred)
        result = super(AccountMoveSend, sender)._generate_and_send_invoices(
            moves, from_cron=from_cron, allow_raising=allow_raising,
            allow_fallback_pdf=allow_fallback_pdf, **custom_settings)
        if deferred:
            for move in self.env["account.move"].browse(list(deferred)):
                move.sending_data = deferred[move.id]
            self.env.ref("account.ir_cron_account_move_send")._trigger(
                at=fields.Datetime.now())
        return result
