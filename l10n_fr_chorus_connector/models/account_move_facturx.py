"""The file deposited on Chorus Pro: Factur-X PDF or CII 16B XML, built and checked.

Called by the deposit service (``account_move_deposit.py``) before any API call:
every problem found here raises a UserError and nothing is sent.
"""

import base64
import logging
import os
import tempfile

import facturx
from lxml import etree
from odoo import _, models
from odoo.exceptions import UserError

from ..chorus import rules
from .account_edi_xml_cii import NS, RAM

_logger = logging.getLogger(__name__)

SYNTAX_FACTURX = "IN_DP_E2_CII_FACTURX"
SYNTAX_CII = "IN_DP_E1_CII_16B"
SYNTAX_DATA = "SOUMETTRE"  # not a Chorus syntax: a deposit by data (account_move_deposit_data.py)


class AccountMove(models.Model):
    _inherit = "account.move"

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
        # The invoice draws nothing after loading: the Chorus rendering delay, not
        # report.print_delay (see account_move_send_render.RENDER_DELAY_PARAM).
        _workers, delay = self.env["account.move.send"]._chorus_render_settings()
        content, _report_type = self.env["ir.actions.report"].with_context(
            chorus_print_delay=delay)._render_qweb_pdf("account.account_invoices", self.ids)
        if not content or content[:5] != b"%PDF-":
            raise UserError(_(
                "%s: the invoice PDF could not be produced (is wkhtmltopdf installed?), so "
                "nothing was sent to Chorus Pro.", self.display_name))
        return content
