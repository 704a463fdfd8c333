"""Read a deposited flow: unpack archives, extract Factur-X XML, parse CII invoices.

Technical problems (unreadable archive, PDF without Factur-X XML, XML not valid
against the Factur-X XSD, syntax the emulator cannot read) become
``listeErreurTechnique`` entries; readable invoices become :class:`InvoiceData`
records that :mod:`checks` then verifies like Chorus does.
"""

import io
import tarfile
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from . import messages as m

try:
    import facturx
except ImportError:  # pragma: no cover - factur-x is a declared dependency
    facturx = None

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
_TOTALS = _SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
MAX_MEMBERS = 500  # an E1 flow holds at most 500 invoices


@dataclass
class InvoiceData:
    """The fields of one invoice that Chorus checks or shows in searches."""

    numero: str | None = None
    type_code: str | None = None
    date_facture: str | None = None  # YYYY-MM-DD
    seller_siret: str | None = None
    seller_scheme: str | None = None
    buyer_siret: str | None = None
    buyer_scheme: str | None = None
    service_code: str | None = None
    ej: str | None = None
    marche: str | None = None
    origine: str | None = None
    payment_means: str | None = None
    devise: str = "EUR"
    montant_ht: float | None = None
    montant_tva: float | None = None
    montant_ttc: float | None = None
    montant_a_payer: float | None = None
    file_name: str = ""
    file_content: bytes = b""
    # Deposit by data (soumettre) only: framework, validator, supplier service.
    cadre: str = "A1_FACTURE_FOURNISSEUR"
    valideur_siret: str | None = None
    valideur_service: str | None = None
    service_fournisseur_id: int | None = None


@dataclass
class FlowContent:
    """What was read from a flow file."""

    invoices: list[InvoiceData] = field(default_factory=list)
    technical_errors: list[dict] = field(default_factory=list)

    def fail(self, code: str, text: str) -> None:
        """Record a technical error (whole file or archive member)."""
        self.technical_errors.append(
            {"codeErreur": code, "libelleErreur": text, "natureErreur": "TECHNIQUE"})


def read_flow(content: bytes, file_name: str, syntax: str, check_xsd: bool = True
              ) -> FlowContent:
    """Unpack and parse a deposited flow file."""
    result = FlowContent()
    if syntax not in (m.SYNTAX_FACTURX, m.SYNTAX_CII):
        result.fail("ERR_SYNTAXE", f"La syntaxe {syntax} n'est pas prise en charge par "
                    f"l'émulateur (syntaxes lues : {m.SYNTAX_FACTURX}, {m.SYNTAX_CII}).")
        return result
    try:
        members = list(_members(content, file_name))
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
        result.fail("ERR_ARCHIVE", f"L'archive {file_name} est illisible : {exc}")
        return result
    if len(members) > MAX_MEMBERS:
        result.fail("ERR_VOLUME", f"Le flux contient {len(members)} fichiers "
                    f"(maximum {MAX_MEMBERS}).")
        return result
    if not members:
        result.fail("ERR_VIDE", f"Le flux {file_name} ne contient aucun fichier.")
    for name, data in members:
        _read_member(result, name, data, syntax, check_xsd)
    return result


def _members(content: bytes, file_name: str):
    """Yield (name, bytes) of each file: the archive members, or the file itself."""
    if content[:2] == b"\x1f\x8b" or file_name.lower().endswith((".tar.gz", ".tgz")):
        with tarfile.open(fileobj=io.BytesIO(content), mode="r:*") as tar:
            for info in tar.getmembers():
                if info.isfile():
                    yield info.name, tar.extractfile(info).read()
    elif content[:4] == b"PK\x03\x04" or file_name.lower().endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    yield info.filename, archive.read(info)
    else:
        yield file_name, content


def _read_member(result: FlowContent, name: str, data: bytes, syntax: str,
                 check_xsd: bool) -> None:
    if syntax == m.SYNTAX_FACTURX:
        xml = _xml_from_pdf(result, name, data)
    elif data.lstrip()[:1] != b"<":
        result.fail("ERR_FORMAT", f"Le fichier {name} n'est pas un fichier XML "
                    f"(syntaxe {syntax}).")
        return
    else:
        xml = data
    if xml is None:
        return
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        result.fail("ERR_XML", f"Le fichier {name} n'est pas un XML bien formé : {exc}")
        return
    if root.tag != "{%s}CrossIndustryInvoice" % NS["rsm"]:
        result.fail("ERR_XML", f"Le fichier {name} n'est pas une facture CII "
                    f"(élément racine {etree.QName(root).localname}).")
        return
    if check_xsd and not _xsd_ok(result, name, root):
        return
    invoice = parse_cii(root)
    invoice.file_name, invoice.file_content = name, data
    result.invoices.append(invoice)


def _xml_from_pdf(result: FlowContent, name: str, data: bytes) -> bytes | None:
    if not data.startswith(b"%PDF"):
        result.fail("ERR_FORMAT", f"Le fichier {name} n'est pas un PDF "
                    f"(syntaxe {m.SYNTAX_FACTURX}).")
        return None
    try:
        _xml_name, xml = facturx.get_facturx_xml_from_pdf(data, check_xsd=False)
    except Exception as exc:  # the PDF library raises many types on broken files
        result.fail("ERR_PDF", f"Le PDF {name} est illisible : {exc}")
        return None
    if not xml:
        result.fail("ERR_FACTURX", f"Le PDF {name} ne contient pas de fichier XML "
                    "Factur-X (factur-x.xml).")
        return None
    return xml


def _xsd_ok(result: FlowContent, name: str, root) -> bool:
    try:
        facturx.xml_check_xsd(root, flavor="factur-x")
    except Exception as exc:
        result.fail("ERR_XSD", f"Le fichier {name} n'est pas conforme au schéma XSD "
                    f"Factur-X : {str(exc)[-400:]}")
        return False
    return True


def _text(root, path: str) -> str | None:
    node = root.find(path, NS)
    if node is None or node.text is None:
        return None
    return node.text.strip() or None


def _attr(root, path: str, attr: str) -> str | None:
    node = root.find(path, NS)
    return None if node is None else node.get(attr)


def _amount(root, path: str) -> float | None:
    value = _text(root, path)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _date_102(value: str | None) -> str | None:
    if value and len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


def parse_cii(root) -> InvoiceData:
    """Extract the checked fields from a CII ``rsm:CrossIndustryInvoice`` element."""
    seller = _AGREEMENT + "ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"
    buyer = _AGREEMENT + "ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"
    return InvoiceData(
        numero=_text(root, "rsm:ExchangedDocument/ram:ID"),
        type_code=_text(root, "rsm:ExchangedDocument/ram:TypeCode"),
        date_facture=_date_102(_text(
            root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")),
        seller_siret=_text(root, seller), seller_scheme=_attr(root, seller, "schemeID"),
        buyer_siret=_text(root, buyer), buyer_scheme=_attr(root, buyer, "schemeID"),
        service_code=_text(root, _AGREEMENT + "ram:BuyerReference"),
        ej=_text(root, _AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        marche=_text(root, _AGREEMENT + "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        origine=_text(root, _SETTLEMENT + "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        payment_means=_text(root, _SETTLEMENT
                            + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"),
        devise=_text(root, _SETTLEMENT + "ram:InvoiceCurrencyCode") or "EUR",
        montant_ht=_amount(root, _TOTALS + "ram:TaxBasisTotalAmount"),
        montant_tva=_amount(root, _TOTALS + "ram:TaxTotalAmount"),
        montant_ttc=_amount(root, _TOTALS + "ram:GrandTotalAmount"),
        montant_a_payer=_amount(root, _TOTALS + "ram:DuePayableAmount"),
    )
