"""Factur-X (CII, EN 16931) as Chorus Pro expects it.

Odoo's stock export (``account_edi_ubl_cii``) is kept and only corrected for
invoices addressed to a public entity, where Chorus Pro (or the Factur-X XSD)
refuses what the stock export produces:

- the guideline id says EXTENDED while the content is EN 16931;
- ``BuyerReference`` falls back to the partner's internal reference, and the
  commitment number to the invoice reference: a wrong service code / EJ would
  reach Chorus;
- legal organisations are emitted with scheme ``0002`` (SIREN) although the value
  is a SIRET (scheme ``0009``, which Chorus requires);
- a line without product has no ``ram:Name`` (mandatory in the XSD);
- payment means are only emitted when a bank account is set, without the type
  code Chorus requires on invoices, and they must be absent on credit notes;
- credit notes do not name the invoice they correct;
- the mandatory payment mentions of a French invoice (penalties, recovery
  indemnity, discount) are missing from the notes;
- the ship-to party carries a contact (``DefinedTradeContact``), which the EN 16931
  rules do not allow in the delivery block (CEN rule CII-SR-312; reported by the
  Factur-X EN 16931 Schematron as "not used in the given context").
"""

from lxml import etree
from odoo import api, models

#: UNTDID 4461 payment means code of each Chorus Pro payment mode.
PAYMENT_MEANS_CODES = {
    "VIREMENT": "30",  # credit transfer
    "PRELEVEMENT": "49",  # direct debit
    "CHEQUE": "20",
    "ESPECE": "10",
    "AUTRE": "1",  # instrument not defined
    "REPORT": "97",  # clearing between partners
}
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"
SIRET_SCHEME = "0009"

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS = {"ram": RAM, "rsm": RSM, "udt": UDT, "qdt": QDT}


def _ram(tag):
    return f"{{{RAM}}}{tag}"


def _sub(parent, tag, text=None, **attrs):
    node = etree.SubElement(parent, _ram(tag), **attrs)
    if text is not None:
        node.text = str(text)
    return node


class AccountEdiXmlCII(models.AbstractModel):
    _inherit = "account.edi.xml.cii"

    def _export_invoice_vals(self, invoice):
        # EXTENDS account_edi_ubl_cii: Chorus routing data, no silent fall-backs.
        vals = super()._export_invoice_vals(invoice)
        if not invoice._chorus_is_applicable():
            return vals
        vals.update({
            "document_context_id": EN16931_GUIDELINE,
            # Empty values are dropped by cleanup_xml_node: no node rather than a
            # guessed service code or commitment number.
            "buyer_reference": invoice.buyer_reference or "",
            "purchase_order_reference": invoice.purchase_order_reference or "",
            "contract_reference": invoice.contract_reference or "",
            "buyer_specified_legal_organization": invoice.chorus_recipient_siret or "",
            "seller_specified_legal_organization": invoice.company_id.siret or "",
            "payment_means_code": PAYMENT_MEANS_CODES.get(invoice.chorus_payment_mode, ""),
        })
        return vals

    def _export_invoice(self, invoice):
        # EXTENDS account_edi_ubl_cii: fix the produced tree for Chorus Pro.
        xml_content, errors = super()._export_invoice(invoice)
        if not invoice._chorus_is_applicable():
            return xml_content, errors
        root = etree.fromstring(xml_content)
        self._chorus_fix_tree(invoice, root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), errors

    @api.model
    def _chorus_fix_tree(self, invoice, root):
        """Apply every Chorus correction to the CII tree ``root`` (in place)."""
        self._chorus_fix_legal_schemes(root)
        self._chorus_fix_line_names(root)
        self._chorus_fix_delivery_contact(root)
        self._chorus_set_framework(invoice, root)
        self._chorus_set_legal_notes(invoice, root)
        settlement = root.find(
            "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement", NS)
        self._chorus_set_payment_means(invoice, settlement)
        self._chorus_set_origin_invoice(invoice, settlement)

    @api.model
    def _chorus_fix_legal_schemes(self, root):
        # A 14-digit legal identifier is a SIRET: scheme 0009, not 0002 (SIREN).
        for node in root.iterfind(".//ram:SpecifiedLegalOrganization/ram:ID", NS):
            value = (node.text or "").replace(" ", "")
            if len(value) == 14 and value.isdigit():
                node.text = value
                node.set("schemeID", SIRET_SCHEME)

    @api.model
    def _chorus_fix_line_names(self, root):
        # ram:Name is mandatory; the stock template leaves it empty without product.
        for product in root.iterfind(".//ram:IncludedSupplyChainTradeLineItem/"
                                     "ram:SpecifiedTradeProduct", NS):
            if product.find("ram:Name", NS) is not None:
                continue
            description = product.find("ram:Description", NS)
            text = (description.text or "").strip() if description is not None else ""
            name = etree.Element(_ram("Name"))
            name.text = text.splitlines()[0] if text else "-"
            if description is not None:
                description.addprevious(name)
                if name.text == text:
                    product.remove(description)
            else:
                product.append(name)

    @api.model
    def _chorus_fix_delivery_contact(self, root):
        # CII-SR-312: no contact in ApplicableHeaderTradeDelivery (the buyer contact
        # already travels in the buyer party).
        for contact in root.iterfind("rsm:SupplyChainTradeTransaction/"
                                     "ram:ApplicableHeaderTradeDelivery//"
                                     "ram:DefinedTradeContact", NS):
            contact.getparent().remove(contact)

    @api.model
    def _chorus_set_framework(self, invoice, root):
        # BT-23 business process: the cadre de facturation, sent only when it is
        # not the default A1 (Chorus assumes A1 without it).
        code = invoice.chorus_framework
        if not code or code.startswith("A1_"):
            return
        context = root.find("rsm:ExchangedDocumentContext", NS)
        process = etree.Element(_ram("BusinessProcessSpecifiedDocumentContextParameter"))
        _sub(process, "ID", code.split("_", 1)[0])
        guideline = context.find("ram:GuidelineSpecifiedDocumentContextParameter", NS)
        guideline.addprevious(process)

    @api.model
    def _chorus_set_legal_notes(self, invoice, root):
        # BT-21/22: the mandatory payment mentions as notes with their subject code
        # (models/res_company_mentions.py). Notes close ExchangedDocument in the XSD.
        document = root.find("rsm:ExchangedDocument", NS)
        for code, text in invoice._chorus_legal_mentions():
            note = _sub(document, "IncludedNote")
            _sub(note, "Content", text)
            _sub(note, "SubjectCode", code)

    @api.model
    def _chorus_set_payment_means(self, invoice, settlement):
        for means in settlement.findall("ram:SpecifiedTradeSettlementPaymentMeans", NS):
            settlement.remove(means)
        code = PAYMENT_MEANS_CODES.get(invoice.chorus_payment_mode)
        if invoice.move_type != "out_invoice" or not code:
            return  # Chorus Pro refuses payment means on credit notes.
        means = etree.Element(_ram("SpecifiedTradeSettlementPaymentMeans"))
        _sub(means, "TypeCode", code)
        bank = invoice.partner_bank_id
        if invoice.chorus_payment_mode == "VIREMENT" and bank.sanitized_acc_number:
            account = _sub(means, "PayeePartyCreditorFinancialAccount")
            _sub(account, "IBANID" if bank.acc_type == "iban" else "ProprietaryID",
                 bank.sanitized_acc_number)
        # XSD order: payment means come right before the VAT breakdown.
        anchor = settlement.find("ram:ApplicableTradeTax", NS)
        if anchor is None:
            anchor = settlement.find("ram:SpecifiedTradePaymentTerms", NS)
        if anchor is not None:
            anchor.addprevious(means)
        else:
            settlement.append(means)

    @api.model
    def _chorus_set_origin_invoice(self, invoice, settlement):
        # BT-25/26: a credit note names the invoice it corrects (Chorus requires it).
        origin = invoice.reversed_entry_id
        if invoice.move_type != "out_refund" or not origin.name:
            return
        reference = etree.Element(_ram("InvoiceReferencedDocument"))
        _sub(reference, "IssuerAssignedID", origin.name)
        if origin.invoice_date:
            issued = _sub(reference, "FormattedIssueDateTime")
            date = etree.SubElement(issued, f"{{{QDT}}}DateTimeString", format="102")
            date.text = origin.invoice_date.strftime("%Y%m%d")
        # XSD order: after the monetary summation, before accounting accounts.
        summation = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
        summation.addnext(reference)
