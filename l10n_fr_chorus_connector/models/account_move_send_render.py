"""The invoice PDFs of Odoo's background sending, for Chorus Pro deposits.

wkhtmltopdf mostly waits: in the background, the PDFs of a call of the sending cron
are rendered ahead, several at a time in threads of their own, while the invoices
before them are deposited one by one (see ``account_move_send``). Odoo renders a
batch of invoices in one wkhtmltopdf run, which only a patched-Qt build gets right;
with another build each invoice gets its own run.
"""

import functools
import logging
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from odoo import api, models
from odoo.tools.misc import find_in_path

from .res_company_sync import in_test

_logger = logging.getLogger(__name__)

METHOD = "chorus_pro"
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
    def _chorus_one_invoice_per_run(self):
        """Whether wkhtmltopdf must render one invoice per run: an unpatched build and
        no explicit ``account.pdf_generation_batch`` (an administrator's choice wins)."""
        explicit = self.env["ir.config_parameter"].sudo().get_param(BATCH_PARAM)
        return not explicit and not wkhtmltopdf_renders_batches()

    @api.model
    def _prepare_invoice_pdf_report(self, invoices_data):
        # EXTENDS 'account': takes the PDFs rendered ahead (context ``chorus_pdfs``),
        # and renders one invoice per run when the wkhtmltopdf build needs it.
        ahead = self.env.context.get("chorus_pdfs") or {}
        split = len(invoices_data) > 1 and self._chorus_one_invoice_per_run()
        if not split and not any(invoice.id in ahead for invoice in invoices_data):
            return super()._prepare_invoice_pdf_report(invoices_data)
        for invoice, invoice_data in invoices_data.items():
            future = ahead.get(invoice.id)
            pdf = future.result() if future else None
            if not pdf:  # not rendered ahead, or failed there: the usual way
                super()._prepare_invoice_pdf_report({invoice: invoice_data})
                continue
            invoice_data["pdf_attachment_values"] = {
                "name": invoice._get_invoice_report_filename(),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": invoice._name,
                "res_id": invoice.id,
                "res_field": "invoice_pdf_report_file",
            }
        return None

    @api.model
    def _chorus_render_settings(self):
        """``(runs at once, wkhtmltopdf delay in ms)`` of the rendering ahead, from the
        system parameters (bounded; a wrong value falls back to the default)."""
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
    def _chorus_to_render_ahead(self, moves):
        """``{invoice: report}`` of the queued ``moves`` whose PDF Odoo's background
        sending will render for a Chorus Pro deposit."""
        todo = {}
        for move in moves:
            if move.invoice_pdf_report_id:
                continue
            settings = self._get_default_sending_settings(move, from_cron=True)
            if METHOD in settings["sending_methods"] \
                    and self._is_applicable_to_move(METHOD, move, **settings):
                todo[move] = settings["pdf_report"]
        return todo

    @contextmanager
    def _chorus_rendering_ahead(self, moves):
        """Starts rendering the PDFs of ``moves`` in threads (``_chorus_render_settings``)
        and yields ``{invoice id: future PDF}``, or ``None`` when nothing is rendered
        ahead: a batch-capable wkhtmltopdf, nothing to render, or a test (whose
        uncommitted invoices other transactions cannot read). Renders not started when
        the block ends are dropped."""
        todo = {} if in_test() or not self._chorus_one_invoice_per_run() \
            else self._chorus_to_render_ahead(moves)
        if not todo:
            yield None
            return
        workers, delay = self._chorus_render_settings()
        pool = ThreadPoolExecutor(max_workers=min(workers, len(todo)),
                                  thread_name_prefix="chorus-pdf")
        try:
            yield {move.id: pool.submit(self._chorus_render_apart, move.id, report.id, delay)
                   for move, report in todo.items()}
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _chorus_render_apart(self, invoice_id, report_id, delay):
        """PDF of one invoice rendered in a transaction of its own (a thread of the
        rendering ahead), or ``None`` on any failure: it is then rendered the usual
        way."""
        try:
            with self.env.registry.cursor() as cr:
                # The sending cron holds the invoice rows: never wait for them here.
                cr.execute("SET LOCAL lock_timeout = '5s'")
                # This registry, not a lookup by name: that waits for the registry
                # lock, which a thread loading modules (and running their tests) holds.
                cr.transaction = api.Transaction(self.env.registry)
                env = api.Environment(cr, self.env.uid,
                                      dict(self.env.context, chorus_print_delay=delay,
                                           chorus_pdfs=None, chorus_deferred=None))
                return env["account.move.send"]._chorus_render_pdf(invoice_id, report_id)
        except Exception:  # rendered again the usual way
            _logger.exception("Chorus Pro: rendering ahead the PDF of invoice %s failed",
                              invoice_id)
            return None

    @api.model
    def _chorus_render_pdf(self, invoice_id, report_id):
        """The PDF of one invoice, rendered by Odoo's own Send & Print rendering
        (``None`` when that is no PDF, e.g. HTML while testing)."""
        invoice = self.env["account.move"].browse(invoice_id)
        invoices_data = {invoice: {"pdf_report": self.env["ir.actions.report"].browse(report_id)}}
        self._prepare_invoice_pdf_report(invoices_data)
        pdf = invoices_data[invoice]["pdf_attachment_values"]["raw"]
        return pdf if pdf[:5] == b"%PDF-" else None
