"""The deposit service: lock, build and validate the file, ``deposer/flux``, record.

Shared by the "Déposer sur Chorus Pro" button and the Send & Print method
``chorus_pro``. Order of work, so that nothing is ever sent twice and nothing is
sent when something is wrong:

1. lock the invoices (``FOR UPDATE NOWAIT``): a concurrent attempt is refused;
2. run every check and build every file (XSD-validated) — no API call yet;
3. per invoice: reconcile an earlier unanswered deposit, then deposit. From here
   on nothing raises: a deposit that reached Chorus must be recorded even if the
   next invoice fails.
"""

import base64
import logging
import os
import tempfile
from datetime import timedelta

import facturx
from lxml import etree
from odoo import _, fields, models
from odoo.exceptions import UserError
from psycopg2 import errors as pg_errors

from ..chorus import rules
from ..chorus.errors import (
    ChorusError,
    ChorusUnavailable,
    ChorusUnknownOutcome,
    ChorusValidationError,
)
from .account_edi_xml_cii import NS, RAM

_logger = logging.getLogger(__name__)

SYNTAX_FACTURX = "IN_DP_E2_CII_FACTURX"
SYNTAX_CII = "IN_DP_E1_CII_16B"
SYNTAX_DATA = "SOUMETTRE"  # not a Chorus syntax: marks a deposit by data
#: After an unanswered deposit, Chorus may take this long to list the invoice; until
#: then a new deposit is refused rather than risking a duplicate.
UNCERTAIN_GRACE = timedelta(hours=1)
TIMEOUT_PARAM = "l10n_fr_chorus_connector.timeout"


class AccountMove(models.Model):
    _inherit = "account.move"

    def _chorus_deposit(self, pdf_contents=None):
        """Deposit these invoices on Chorus Pro, one flow each.

        ``pdf_contents``: optional ``{move id: PDF bytes}`` of freshly rendered
        invoice PDFs (Send & Print). Raises ``UserError`` when anything is wrong
        before the first call; afterwards returns ``[(level, message)]`` with
        level ``success`` / ``warning`` / ``danger`` per invoice.
        """
        moves = self.sorted("id")
        moves._chorus_lock()
        moves._chorus_adopt_unfinished_attempts()
        moves._chorus_check_deposit()
        files = {move: move._chorus_build_file((pdf_contents or {}).get(move.id))
                 for move in moves}
        clients = {}
        results = []
        for move in moves:
            company = move.company_id
            if company not in clients:
                clients[company] = company._chorus_client(**move._chorus_client_options())
            results.append(move._chorus_deposit_one(clients[company], *files[move]))
        return results

    def _chorus_adopt_unfinished_attempts(self):
        """An attempt whose transaction never committed may have reached Chorus:
        treat it like a deposit that got no answer (reconcile before sending)."""
        unfinished = self.env["chorus.deposit.attempt"]._chorus_unfinished(self)
        for move in self:
            if move.id in unfinished and move.chorus_send_state != "sent" \
                    and not move.chorus_deposit_uncertain:
                move.chorus_deposit_uncertain = unfinished[move.id]
                move.message_post(body=_(
                    "A deposit on Chorus Pro was interrupted before Odoo could record "
                    "its result: Chorus Pro is checked before anything is sent again."))

    def _chorus_client_options(self):
        timeout = self.env["ir.config_parameter"].sudo().get_param(TIMEOUT_PARAM)
        return {"timeout": float(timeout)} if timeout else {}

    def _chorus_lock(self):
        """Lock the invoices' rows; refuse if another deposit holds them."""
        try:
            with self.env.cr.savepoint(flush=False):
                # Expected to fail under contention: no "bad query" error in the log.
                self.env.cr.execute(
                    "SELECT id FROM account_move WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(self.ids)], log_exceptions=False)
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            raise UserError(_(
                "%s is already being deposited on Chorus Pro (by another user or the "
                "sending job). Wait a moment, then refresh the page.",
                ", ".join(self.mapped("display_name")))) from None
        # Tokens are taken on the company rows. Lock them now, before any deposit: a
        # concurrent deposit can then only fail this transaction before anything is
        # sent, never between two invoices of a batch (which would forget the first).
        # (A serialization failure here is expected under contention: Odoo replays
        # the request; no "bad query" error in the log.)
        # NO KEY UPDATE: what the balance update takes anyway; rows that merely point
        # to the company (attachments written while the PDF renders...) are not held.
        self.env.cr.execute("SELECT id FROM res_company WHERE id IN %s FOR NO KEY UPDATE",
                            [tuple(self.company_id.ids)], log_exceptions=False)
        # Another transaction may have deposited them before we got the lock.
        self.invalidate_recordset()

    # ------------------------------------------------------------------
    # File
    # ------------------------------------------------------------------
    def _chorus_build_file(self, pdf_content=None):
        """``(file name, bytes, syntaxeFlux)`` to deposit; UserError if invalid."""
        self.ensure_one()
        syntax = self.company_id.chorus_flow_syntax or SYNTAX_FACTURX
        base_name = self.name.replace("/", "_").replace(" ", "_")
        xml = self._chorus_xml(embed_attachments=syntax == SYNTAX_CII)
        if syntax == SYNTAX_CII:
            name, content = f"{base_name}.xml", xml
        else:
            pdf = self._chorus_invoice_pdf(pdf_content)
            name = f"{base_name}.pdf"
            content = self._chorus_facturx_pdf(pdf, xml)
        violation = rules.check_attachment_size(name, len(content)) or rules.check_total_size(
            len(content))
        if violation:
            raise UserError(_("%(invoice)s: nothing was sent to Chorus Pro. %(message)s",
                              invoice=self.display_name, message=violation.text(self.env.lang)))
        return name, content, syntax

    def _chorus_xml(self, embed_attachments=False):
        """The CII XML of the invoice for Chorus, checked against the Factur-X XSD."""
        builder = self.env["account.edi.xml.cii"]
        xml, _errors = builder._export_invoice(self)
        if embed_attachments and self.chorus_attachment_ids:
            xml = self._chorus_embed_in_xml(xml)
        try:
            facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        except Exception as exc:  # the factur-x library raises a bare Exception
            _logger.warning("Chorus Pro: XML of %s fails the XSD: %s", self.name, exc)
            raise UserError(_(
                "%(invoice)s: nothing was sent to Chorus Pro because its Factur-X XML is "
                "not valid against the Factur-X EN 16931 schema. Check the invoice lines "
                "and the customer and company data. Details: %(details)s",
                invoice=self.display_name, details=str(exc)[-600:])) from None
        return xml

    def _chorus_embed_in_xml(self, xml):
        # CII 16B flows have no PDF: attachments travel as BG-24 documents.
        root = etree.fromstring(xml)
        agreement = root.find("rsm:SupplyChainTradeTransaction/"
                              "ram:ApplicableHeaderTradeAgreement", NS)
        anchor = agreement.find("ram:SpecifiedProcuringProject", NS)
        for attachment in self.chorus_attachment_ids:
            document = etree.Element(f"{{{RAM}}}AdditionalReferencedDocument")
            etree.SubElement(document, f"{{{RAM}}}IssuerAssignedID").text = attachment.name
            etree.SubElement(document, f"{{{RAM}}}TypeCode").text = "916"
            binary = etree.SubElement(document, f"{{{RAM}}}AttachmentBinaryObject",
                                      mimeCode=attachment.mimetype or "application/pdf",
                                      filename=attachment.name)
            binary.text = base64.b64encode(attachment.raw or b"").decode()
            if anchor is not None:
                anchor.addprevious(document)
            else:
                agreement.append(document)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _chorus_facturx_pdf(self, pdf, xml):
        """Embed the XML and the secondary attachments in the invoice PDF.

        Through files on purpose: factur-x's ``generate_from_binary`` writes the new
        PDF after the old bytes (file position not rewound), leaving a corrupt prefix.
        """
        with tempfile.TemporaryDirectory(prefix="chorus-") as folder:
            source, target = os.path.join(folder, "in.pdf"), os.path.join(folder, "out.pdf")
            with open(source, "wb") as handle:
                handle.write(pdf)
            facturx.generate_from_file(
                source, xml, flavor="factur-x", level="en16931", check_xsd=False,
                lang="fr-FR", attachments=self._chorus_facturx_attachments(),
                output_pdf_file=target)
            with open(target, "rb") as handle:
                return handle.read()

    def _chorus_facturx_attachments(self):
        return {
            attachment.name: {
                "filedata": attachment.raw or b"",
                "description": attachment.description or attachment.name,
                "afrelationship": "supplement",
            }
            for attachment in self.chorus_attachment_ids
        }

    def _chorus_invoice_pdf(self, pdf_content=None):
        """The invoice PDF: the one just rendered, the stored one, or a fresh rendering."""
        for candidate in (pdf_content, self.invoice_pdf_report_id.raw):
            if candidate and candidate[:5] == b"%PDF-":
                return candidate
        content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "account.account_invoices", self.ids)
        if not content or content[:5] != b"%PDF-":
            raise UserError(_(
                "%s: the invoice PDF could not be produced (is wkhtmltopdf installed?), so "
                "nothing was sent to Chorus Pro.", self.display_name))
        return content

    # ------------------------------------------------------------------
    # Deposit
    # ------------------------------------------------------------------
    def _chorus_deposit_one(self, client, file_name, content, syntax):
        """Deposit one invoice; never raises once Chorus may have received something."""
        self.ensure_one()
        if self.chorus_deposit_uncertain:
            try:
                outcome = self._chorus_reconcile(client)
            except ChorusError as exc:
                return self._chorus_failed(exc, reached=False)
            if outcome:
                return outcome
        if refused := self._chorus_token_take():  # tokens: models/account_move_token.py
            return refused
        self.env["chorus.deposit.attempt"]._chorus_record(self)
        try:
            if syntax == SYNTAX_DATA:  # deposit by data: account_move_deposit_data.py
                return self._chorus_deposit_data(client, file_name, content)
            deposit = client.deposit_flow(content, file_name, syntax)
        except ChorusUnknownOutcome as exc:
            self.write({"chorus_send_state": "error",
                        "chorus_deposit_uncertain": fields.Datetime.now()})
            message = _("No answer from Chorus Pro to the deposit: %s The next attempt "
                        "will first look for the invoice on Chorus Pro.", exc.message)
            self.message_post(body=message)
            return ("danger", f"{self.name}: {message}")
        except ChorusError as exc:
            self._chorus_token_give_back(self.company_id._chorus_error_message(exc))
            return self._chorus_failed(exc, reached=isinstance(exc, ChorusValidationError))
        flow = self.env["chorus.flow"].sudo()._chorus_create_from_deposit(
            deposit, self, file_name, content, syntax)
        self._chorus_set_deposited(flow)
        self.message_post(body=_("Deposited on Chorus Pro: flow %s.", flow.name))
        return ("success", _("%(invoice)s deposited on Chorus Pro (flow %(flow)s).",
                             invoice=self.name, flow=flow.name))

    def _chorus_set_deposited(self, flow, chorus_invoice=None):
        self.env["chorus.deposit.attempt"]._chorus_forget_on_commit(self)
        vals = {"chorus_flow_id": flow.id, "chorus_send_state": "sent",
                "chorus_deposit_uncertain": False, "chorus_followup_done": False}
        if chorus_invoice:
            vals.update(self._chorus_invoice_vals(chorus_invoice))
        self.write(vals)

    def _chorus_failed(self, exc, reached):
        """Record a refused deposit (``reached``) or report one that never left."""
        message = self.company_id._chorus_error_message(exc)
        if reached:
            # Chorus refused the file outright: nothing to follow, fix and deposit again.
            self.chorus_send_state = "error"
            self.message_post(body=_("Chorus Pro refused the deposit: %s", message))
        elif isinstance(exc, ChorusUnavailable):
            message = _("Chorus Pro could not be reached, nothing was deposited: %s", message)
        return ("danger", f"{self.name}: {message}")

    def _chorus_reconcile(self, client):
        """After an unanswered deposit: link the invoice if Chorus has it.

        Returns a result tuple when the deposit must not happen now, else None.
        """
        found = [inv for inv in client.iter_invoices(
            invoice_number=self.name, supplier_id=self.company_id.chorus_supplier_id or None)
            if inv.number == self.name]
        if found:
            chorus_invoice = found[0]
            # A deposit lost by a crash lost its token debit too: charge it now (no-op
            # when the unanswered deposit already paid, or when no token is left).
            self.company_id._chorus_try_take_token(self)
            flow = self.env["chorus.flow"].sudo()._chorus_find_or_create(
                chorus_invoice.flow_number, self)
            self._chorus_set_deposited(flow, chorus_invoice)
            message = _("The earlier unanswered deposit did reach Chorus Pro (invoice ID "
                        "%(id)s, flow %(flow)s): linked, not deposited again.",
                        id=chorus_invoice.chorus_id, flow=flow.name or "?")
            self.message_post(body=message)
            return ("success", f"{self.name}: {message}")
        if fields.Datetime.now() - self.chorus_deposit_uncertain < UNCERTAIN_GRACE:
            return ("warning", _(
                "%s: an earlier deposit got no answer and Chorus Pro does not list the "
                "invoice yet; it may still be processing the file. Try again later: after "
                "one hour without trace it will be deposited again.", self.name))
        return None
