"""Build Chorus-ready test files: EN 16931 CII XML, Factur-X PDF, tar.gz / zip batches.

Reusable by the client tests and benchmarks::

    from facturx_samples import cii_xml, facturx_pdf, archive
    xml = cii_xml("F2024-001", buyer_siret=directory.SIRET_NO_REQUIREMENT)
    pdf = facturx_pdf(xml)                       # syntaxeFlux IN_DP_E2_CII_FACTURX
    tgz = archive({"a.pdf": pdf, "b.pdf": pdf2})  # several invoices in one flow

Every XML produced here is valid against the Factur-X EN 16931 XSD (the emulator
checks it, as Chorus does) and passes the official EN 16931 rules without any
warning (``tests/test_en16931.py``). An empty ``ApplicableHeaderTradeDelivery`` would
raise PEPPOL-EN16931-R008 (empty element): the delivery date (BT-72) fills it.
"""

import io
import os
import tarfile
import tempfile
import zipfile
from xml.sax.saxutils import escape

import facturx

from chorus.sandbox import directory

SUPPLIER_IBAN = "FR7630004000010000123456789"


def _party(name: str, siret: str | None, scheme: str, vat: str | None) -> str:
    legal = (f'<ram:SpecifiedLegalOrganization><ram:ID schemeID="{scheme}">{siret}</ram:ID>'
             "</ram:SpecifiedLegalOrganization>") if siret else ""
    tax = (f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{vat}</ram:ID>'
           "</ram:SpecifiedTaxRegistration>") if vat else ""
    return (f"<ram:Name>{escape(name)}</ram:Name>{legal}"
            "<ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID>"
            f"</ram:PostalTradeAddress>{tax}")


def _doc_ref(tag: str, value: str | None) -> str:
    if not value:
        return ""
    return f"<ram:{tag}><ram:IssuerAssignedID>{escape(value)}</ram:IssuerAssignedID></ram:{tag}>"


def _line_item(index: int, amount: float, rate: float) -> str:
    return f"""<ram:IncludedSupplyChainTradeLineItem>
<ram:AssociatedDocumentLineDocument><ram:LineID>{index}</ram:LineID></ram:AssociatedDocumentLineDocument>
<ram:SpecifiedTradeProduct><ram:Name>Prestation de conseil</ram:Name></ram:SpecifiedTradeProduct>
<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>
<ram:ChargeAmount>{amount:.2f}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
</ram:SpecifiedLineTradeAgreement>
<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">1</ram:BilledQuantity>
</ram:SpecifiedLineTradeDelivery>
<ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode>
<ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{rate:.2f}</ram:RateApplicablePercent>
</ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation>
<ram:LineTotalAmount>{amount:.2f}</ram:LineTotalAmount>
</ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
</ram:IncludedSupplyChainTradeLineItem>
"""


def _tax(base: float, tax: float, rate: float) -> str:
    return (f"<ram:ApplicableTradeTax><ram:CalculatedAmount>{tax:.2f}</ram:CalculatedAmount>"
            f"<ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>{base:.2f}</ram:BasisAmount>"
            "<ram:CategoryCode>S</ram:CategoryCode>"
            f"<ram:RateApplicablePercent>{rate:.2f}</ram:RateApplicablePercent>"
            "</ram:ApplicableTradeTax>\n")


def cii_xml(number: str, buyer_siret: str = directory.SIRET_NO_REQUIREMENT, *,
            seller_siret: str = directory.SUPPLIER_SIRET, service_code: str | None = None,
            ej: str | None = None, contract: str | None = None, type_code: str = "380",
            payment_means: str | None = "30", seller_scheme: str = "0009",
            buyer_scheme: str = "0009", amount: float = 100.0, vat_rate: float = 20.0,
            origin_invoice: str | None = None, issue_date: str = "20240115",
            lines: list[tuple[float, float]] | None = None) -> bytes:
    """An EN 16931 CII invoice (380) or credit note (381).

    One line of ``amount`` at ``vat_rate`` %, or ``lines`` = ``[(amount, rate), ...]``
    (one VAT breakdown per rate).
    """
    lines = lines or [(amount, vat_rate)]
    rates = sorted({rate for _amount, rate in lines})
    bases = {rate: round(sum(a for a, r in lines if r == rate), 2) for rate in rates}
    taxes = {rate: round(bases[rate] * rate / 100, 2) for rate in rates}
    amount = round(sum(bases.values()), 2)
    tax = round(sum(taxes.values()), 2)
    total = round(amount + tax, 2)
    means = ""
    if payment_means:
        means = (f"<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>{payment_means}"
                 "</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>"
                 f"{SUPPLIER_IBAN}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>"
                 "</ram:SpecifiedTradeSettlementPaymentMeans>")
    items = "".join(_line_item(i, a, r) for i, (a, r) in enumerate(lines, 1))
    breakdown = "".join(_tax(bases[r], taxes[r], r) for r in rates)
    buyer_ref = f"<ram:BuyerReference>{escape(service_code)}</ram:BuyerReference>" \
        if service_code else ""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice
 xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
 xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
<ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
</rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{escape(number)}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>
<ram:IssueDateTime><udt:DateTimeString format="102">{issue_date}</udt:DateTimeString>
</ram:IssueDateTime></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
{items}<ram:ApplicableHeaderTradeAgreement>{buyer_ref}
<ram:SellerTradeParty>{_party(directory.SUPPLIER_NAME, seller_siret, seller_scheme,
                              "FR32884123456")}</ram:SellerTradeParty>
<ram:BuyerTradeParty>{_party("Entité publique", buyer_siret, buyer_scheme, None)}
</ram:BuyerTradeParty>
{_doc_ref("BuyerOrderReferencedDocument", ej)}{_doc_ref("ContractReferencedDocument", contract)}
</ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeDelivery><ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime>
<udt:DateTimeString format="102">{issue_date}</udt:DateTimeString></ram:OccurrenceDateTime>
</ram:ActualDeliverySupplyChainEvent></ram:ApplicableHeaderTradeDelivery>
<ram:ApplicableHeaderTradeSettlement>
<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>{means}
{breakdown}<ram:SpecifiedTradeSettlementHeaderMonetarySummation>
<ram:LineTotalAmount>{amount:.2f}</ram:LineTotalAmount>
<ram:TaxBasisTotalAmount>{amount:.2f}</ram:TaxBasisTotalAmount>
<ram:TaxTotalAmount currencyID="EUR">{tax:.2f}</ram:TaxTotalAmount>
<ram:GrandTotalAmount>{total:.2f}</ram:GrandTotalAmount>
<ram:DuePayableAmount>{total:.2f}</ram:DuePayableAmount>
</ram:SpecifiedTradeSettlementHeaderMonetarySummation>
{_doc_ref("InvoiceReferencedDocument", origin_invoice)}
</ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""
    return xml.encode("utf-8")


def plain_pdf(text: str = "Facture") -> bytes:
    """A one-page PDF (reportlab) to carry the Factur-X XML."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def facturx_pdf(xml: bytes, text: str = "Facture") -> bytes:
    """A Factur-X (EN 16931) PDF embedding ``xml``."""
    # generate_from_binary (factur-x 7.8) leaves the input PDF's bytes in front of the
    # output; writing to a fresh file gives a clean PDF.
    with tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "facturx.pdf")
        facturx.generate_from_file(io.BytesIO(plain_pdf(text)), xml, flavor="factur-x",
                                   level="en16931", check_xsd=True, output_pdf_file=target)
        with open(target, "rb") as produced:
            return produced.read()


def archive(files: dict[str, bytes], fmt: str = "tar.gz") -> bytes:
    """Pack several files in a ``tar.gz`` or ``zip`` batch."""
    buffer = io.BytesIO()
    if fmt == "zip":
        with zipfile.ZipFile(buffer, "w") as packed:
            for name, data in files.items():
                packed.writestr(name, data)
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz") as packed:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                packed.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
