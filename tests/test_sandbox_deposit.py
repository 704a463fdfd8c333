"""Emulator: deposer/flux, flow processing, consulterCRDetaille and the invoice checks."""

import base64
import re

import pytest
from facturx_samples import archive, cii_xml, facturx_pdf
from sandbox_fixtures import process

from chorus.sandbox import FLOW_FINAL_AFTER, FLOW_PROCESSING_AFTER, directory

D = directory
ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$")
CII = "IN_DP_E1_CII_16B"


def test_facturx_flow_progresses_to_integre(emu, api):
    pdf = facturx_pdf(cii_xml("F2024-001", D.SIRET_NO_REQUIREMENT))
    answer = api.ok("factures/v1/deposer/flux", {
        "fichierFlux": base64.b64encode(pdf).decode(), "nomFichier": "facture.pdf",
        "syntaxeFlux": "IN_DP_E2_CII_FACTURX", "avecSignature": False})
    flow = answer["numeroFluxDepot"]
    assert re.match(r"^CPP\d{22}$", flow)
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", answer["dateDepot"])
    assert answer["syntaxeFlux"] == "IN_DP_E2_CII_FACTURX"
    assert api.report(flow)["etatCourantDepotFlux"] == "IN_RECU"
    assert api.invoices_of(flow) == []
    emu.advance(FLOW_PROCESSING_AFTER)
    assert api.report(flow)["etatCourantDepotFlux"] == "IN_EN_COURS_TRAITEMENT_CPP"
    emu.advance(FLOW_FINAL_AFTER - FLOW_PROCESSING_AFTER)
    report = api.report(flow)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"
    assert report["listeErreurDP"] == [] and report["listeErreurTechnique"] == []
    [invoice] = api.invoices_of(flow)
    assert invoice["numeroFacture"] == "F2024-001"
    assert invoice["statut"] == "DEPOSEE"
    assert invoice["codeDestinataire"] == D.SIRET_NO_REQUIREMENT
    assert invoice["montantTTC"] == 120.0
    assert invoice["typeFacture"] == "FACTURE"


def test_report_shape_does_not_echo_the_flow_number(emu, api):
    flow, report = process(emu, api, facturx_pdf(cii_xml("F-SHAPE", D.SIRET_NO_REQUIREMENT)))
    assert "numeroFluxDepot" not in report
    assert report["codeInterfaceDepotFlux"] == "FSO1117A"
    assert report["nomFichier"] == f"FSO1117A_CPP001_{flow}"
    assert ISO_OFFSET.match(report["dateHeureEtatCourantFlux"])
    assert ISO_OFFSET.match(report["dateDepotFlux"])
    assert report["libelle"] == "TRA_MSG_00.000"


def test_cii_xml_flow_is_integrated(emu, api):
    xml = cii_xml("F-CII-1", D.SIRET_SERVICE_REQUIRED, service_code=D.SERVICE_ACHATS)
    flow, report = process(emu, api, xml, "facture.xml", CII)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"
    assert report["codeInterfaceDepotFlux"] == "FSO1106A"
    [invoice] = api.invoices_of(flow)
    assert invoice["codeServiceExecutant"] == D.SERVICE_ACHATS
    assert invoice["modeDepot"] == "EDI_XML_STRUCT"


def test_credit_note_without_payment_means_is_accepted(emu, api):
    xml = cii_xml("AV-1", D.SIRET_NO_REQUIREMENT, type_code="381", payment_means=None,
                  origin_invoice="F-1")
    flow, report = process(emu, api, xml, "avoir.xml", CII)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"
    [invoice] = api.invoices_of(flow)
    assert invoice["typeFacture"] == "AVOIR"
    assert invoice["numeroFactureOrigine"] == "F-1"


def _single_error(emu, api, xml) -> dict:
    _flow, report = process(emu, api, xml, "facture.xml", CII)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert report["listeErreurTechnique"] == []
    assert len(report["listeErreurDP"]) >= 1
    return report["listeErreurDP"][0]


@pytest.mark.parametrize("siret, kwargs, expected", [
    (D.SIRET_SERVICE_REQUIRED, {}, "code service est obligatoire"),
    (D.SIRET_EJ_REQUIRED, {}, "numéro d'engagement est obligatoire"),
    (D.SIRET_SERVICE_OR_EJ, {}, "code service ou le numéro d'engagement"),
    (D.SIRET_SERVICE_AND_EJ, {"service_code": D.SERVICE_ACHATS},
     "numéro d'engagement est obligatoire"),
    (D.SIRET_SERVICE_AND_EJ, {"ej": D.KNOWN_EJ}, "code service est obligatoire"),
    (D.SIRET_NO_REQUIREMENT, {"service_code": D.SERVICE_WITH_EJ},
     f"obligatoire pour le service {D.SERVICE_WITH_EJ}"),
    (D.SIRET_NO_REQUIREMENT, {"service_code": D.SERVICE_INACTIVE}, "n'est pas actif"),
    (D.SIRET_NO_REQUIREMENT, {"service_code": "NOPE"}, "n'existe pas"),
    (D.SIRET_NO_REQUIREMENT, {"service_code": D.SERVICE_RESERVED}, "réservé"),
    (D.SIRET_UNKNOWN, {}, "n'est pas reference dans notre systeme"),
    (D.SIRET_INACTIVE, {}, "n'est pas active"),
    (D.SUPPLIER_SIRET, {}, "n'est pas reference dans notre systeme"),
])
def test_routing_requirements_are_enforced(emu, api, siret, kwargs, expected):
    error = _single_error(emu, api, cii_xml("F-REQ", siret, **kwargs))
    assert expected in error["libelleErreurDP"]
    assert error["numeroDP"] == "F-REQ"
    assert error["identifiantFournisseur"] == D.SUPPLIER_SIRET
    assert error["identifiantDestinataire"] == siret


@pytest.mark.parametrize("siret, kwargs", [
    (D.SIRET_SERVICE_OR_EJ, {"ej": D.KNOWN_EJ}),
    (D.SIRET_SERVICE_OR_EJ, {"service_code": D.SERVICE_ACHATS}),
    (D.SIRET_SERVICE_AND_EJ, {"service_code": D.SERVICE_ACHATS, "ej": D.KNOWN_EJ}),
    (D.SIRET_EJ_REQUIRED, {"ej": D.KNOWN_EJ}),
    (D.SIRET_NO_REQUIREMENT, {"service_code": D.SERVICE_WITH_EJ, "ej": "EJ-9"}),
])
def test_requirements_met_are_accepted(emu, api, siret, kwargs):
    _flow, report = process(emu, api, cii_xml("F-OK", siret, **kwargs), "f.xml", CII)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE", report["listeErreurDP"]


def test_missing_payment_means_uses_the_chorus_wording(emu, api):
    error = _single_error(emu, api, cii_xml("F-PAY", payment_means=None))
    assert error["libelleErreurDP"] == (
        "L'element FichierXml.SupplyChainTradeTransaction.ApplicableHeaderTradeSettlement."
        "SpecifiedTradeSettlementPaymentMeans.TypeCode.value est obligatoire.")


def test_invoice_number_longer_than_20_is_rejected(emu, api):
    error = _single_error(emu, api, cii_xml("F" * 21))
    assert "dépasse 20 caractères" in error["libelleErreurDP"]


def test_seller_of_another_account_is_rejected(emu, api):
    error = _single_error(emu, api, cii_xml("F-SELL", seller_siret=D.SECOND_SUPPLIER_SIRET))
    assert "identifiant fournisseur" in error["libelleErreurDP"]


def test_seller_scheme_must_be_0009(emu, api):
    error = _single_error(emu, api, cii_xml("F-SCH", seller_scheme="0002"))
    assert "0009" in error["libelleErreurDP"]


def test_buyer_scheme_must_be_0009(emu, api):
    error = _single_error(emu, api, cii_xml("F-BSC", buyer_scheme="0002"))
    assert "schemeID" in error["libelleErreurDP"]


def test_duplicate_invoice_number_is_rejected(emu, api):
    xml = cii_xml("F-DUP", D.SIRET_NO_REQUIREMENT)
    assert process(emu, api, xml, "a.xml", CII)[1]["etatCourantDepotFlux"] == "IN_INTEGRE"
    error = _single_error(emu, api, xml)
    assert "doublon" in error["libelleErreurDP"]


def test_flow_reject_scenario_structure(emu, api):
    error = _single_error(emu, api, cii_xml("F-FR", D.SIRET_SCENARIO_FLOW_REJECT))
    assert "refuse" in error["libelleErreurDP"]


def test_archive_with_some_bad_invoices_is_partially_integrated(emu, api):
    files = {
        "ok1.pdf": facturx_pdf(cii_xml("F-A1", D.SIRET_NO_REQUIREMENT)),
        "bad.pdf": facturx_pdf(cii_xml("F-A2", D.SIRET_SERVICE_REQUIRED)),
        "ok2.pdf": facturx_pdf(cii_xml("F-A3", D.SIRET_NO_PAYMENT_STATUS)),
    }
    flow, report = process(emu, api, archive(files), "lot.tar.gz")
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL"
    assert [e["numeroDP"] for e in report["listeErreurDP"]] == ["F-A2"]
    numbers = sorted(i["numeroFacture"] for i in api.invoices_of(flow))
    assert numbers == ["F-A1", "F-A3"]


def test_zip_archive_all_good_is_integrated(emu, api):
    files = {f"f{i}.xml": cii_xml(f"F-Z{i}", D.SIRET_NO_REQUIREMENT) for i in range(3)}
    flow, report = process(emu, api, archive(files, "zip"), "lot.zip", CII)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"
    assert len(api.invoices_of(flow)) == 3


def test_duplicate_inside_one_archive_keeps_the_first(emu, api):
    xml = cii_xml("F-TWICE", D.SIRET_NO_REQUIREMENT)
    flow, report = process(emu, api, archive({"a.xml": xml, "b.xml": xml}), "l.tgz", CII)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL"
    assert len(api.invoices_of(flow)) == 1


@pytest.mark.parametrize("data, name, syntax, code", [
    (b"not a pdf at all", "f.pdf", "IN_DP_E2_CII_FACTURX", "ERR_FORMAT"),
    (b"%PDF-1.4 broken", "f.pdf", "IN_DP_E2_CII_FACTURX", "ERR_PDF"),
    (b"<root/>", "f.xml", CII, "ERR_XML"),
    (b"<unclosed", "f.xml", CII, "ERR_XML"),
    (b"\x1f\x8b garbage", "f.tar.gz", CII, "ERR_ARCHIVE"),
    (b"<x/>", "f.xml", "IN_DP_E1_UBL_INVOICE", "ERR_SYNTAXE"),
])
def test_unreadable_files_give_technical_errors(emu, api, data, name, syntax, code):
    _flow, report = process(emu, api, data, name, syntax)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    [error] = report["listeErreurTechnique"]
    assert error["codeErreur"] == code
    assert error["libelleErreur"]
    assert error["natureErreur"] == "TECHNIQUE"


def test_plain_pdf_without_facturx_xml_is_rejected(emu, api):
    from facturx_samples import plain_pdf

    _flow, report = process(emu, api, plain_pdf())
    assert report["listeErreurTechnique"][0]["codeErreur"] == "ERR_FACTURX"


def test_xml_invalid_against_xsd_is_rejected(emu, api):
    xml = cii_xml("F-XSD").replace(b"<ram:TypeCode>380</ram:TypeCode>",
                                   b"<ram:Bogus>1</ram:Bogus><ram:TypeCode>380</ram:TypeCode>")
    _flow, report = process(emu, api, xml, "f.xml", CII)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert report["listeErreurTechnique"][0]["codeErreur"] == "ERR_XSD"


def test_file_over_10_mb_is_refused_with_http_200(api):
    big = base64.b64encode(b"0" * (10 * 1024 * 1024 + 1)).decode()
    answer = api.post("factures/v1/deposer/flux", {
        "fichierFlux": big, "nomFichier": "gros.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX"})
    assert answer.status_code == 200
    payload = answer.json()
    assert payload["codeRetour"] == 20001
    assert payload["libelle"].startswith("GDP_MSG_11.022")
    assert "numeroFluxDepot" not in payload


def test_bad_base64_is_refused_with_http_200(api):
    answer = api.post("factures/v1/deposer/flux", {
        "fichierFlux": "***", "nomFichier": "f.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX"})
    assert answer.status_code == 200
    assert answer.json()["codeRetour"] == 20002


def test_flow_of_another_account_is_not_visible(emu, api, second_api):
    flow = api.deposit(cii_xml("F-PRIV"), "f.xml", CII)
    answer = second_api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": flow})
    assert answer.status_code == 400
    assert answer.json()["codeRetour"] != 0
    assert second_api.post("factures/v1/rechercher/fournisseur",
                           {"numeroFluxDepot": flow}).json()["codeRetour"] == 20000


def test_second_company_deposits_for_its_own_structure(emu, second_api):
    xml = cii_xml("S-1", D.SIRET_NO_REQUIREMENT, seller_siret=D.SECOND_SUPPLIER_SIRET)
    flow, report = process(emu, second_api, xml, "f.xml", CII)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"
    assert second_api.invoices_of(flow)[0]["codeFournisseur"] == D.SECOND_SUPPLIER_SIRET
