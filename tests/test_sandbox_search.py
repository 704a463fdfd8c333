"""Emulator: invoice search (filters, paging, empty result), reading and download."""

import base64
import io
import zipfile

from facturx_samples import cii_xml, facturx_pdf
from sandbox_fixtures import process

from chorus.sandbox import STEP_SECONDS, directory
from chorus.sandbox.formats import PARIS

D = directory
SEARCH = "factures/v1/rechercher/fournisseur"


def test_empty_search_answers_20000_with_http_200(api):
    answer = api.post(SEARCH, {"numeroFacture": "NOTHING"})
    assert answer.status_code == 200
    payload = answer.json()
    assert payload["codeRetour"] == 20000
    assert payload["libelle"] == "TRA_MSG_00.015"
    assert payload["listeFactures"] == []
    assert payload["parametresRetour"]["total"] == 0


def test_default_page_size_is_10(emu, api):
    emu.seed_invoices(25)
    payload = api.ok(SEARCH, {})
    assert len(payload["listeFactures"]) == 10
    assert payload["parametresRetour"] == {"nbResultatsParPage": 10, "pageCourante": 1,
                                           "pages": 3, "total": 25}


def test_ten_thousand_seeded_invoices_page_correctly(emu, api):
    ids = emu.seed_invoices(10_000)
    assert len(ids) == len(set(ids)) == 10_000
    paging = {"pageResultatDemandee": 1, "nbResultatsParPage": 500}
    first = api.ok(SEARCH, {"rechercheFactureParFournisseur": paging})
    assert first["parametresRetour"]["total"] == 10_000
    assert first["parametresRetour"]["pages"] == 20
    assert [i["identifiantFactureCPP"] for i in first["listeFactures"]] == ids[:500]
    last = api.ok(SEARCH, {"rechercheFactureParFournisseur": {**paging,
                                                                "pageResultatDemandee": 20}})
    assert [i["identifiantFactureCPP"] for i in last["listeFactures"]] == ids[-500:]
    emu.advance(STEP_SECONDS)  # 10,000 transitions materialised at once
    moved = api.ok(SEARCH, {"statutCourant": ["MISE_A_DISPOSITION"],
                            "rechercheFactureParFournisseur": {"nbResultatsParPage": 1}})
    assert moved["parametresRetour"]["total"] == 10_000


def test_sort_descending_on_invoice_number(emu, api):
    emu.seed_invoices(3, prefix="SRT")
    payload = api.ok(SEARCH, {"rechercheFactureParFournisseur": {
        "triColonne": "NumeroFacture", "triSens": "Descendant"}})
    numbers = [i["numeroFacture"] for i in payload["listeFactures"]]
    assert numbers == sorted(numbers, reverse=True)


def test_search_is_limited_to_the_callers_supplier(emu, api, second_api):
    emu.seed_invoices(3)
    emu.seed_invoices(2, supplier_id=D.SECOND_SUPPLIER_ID, prefix="SEC")
    assert api.ok(SEARCH, {})["parametresRetour"]["total"] == 3
    assert second_api.ok(SEARCH, {})["parametresRetour"]["total"] == 2
    other = api.post(SEARCH, {"idFournisseur": D.SECOND_SUPPLIER_ID}).json()
    assert other["codeRetour"] == 20000


def test_search_filters_on_dates_amounts_and_recipient(emu, api):
    emu.seed_invoices(2, buyer_siret=D.SIRET_NO_REQUIREMENT)
    emu.seed_invoices(1, buyer_siret=D.SIRET_SERVICE_OR_EJ, prefix="OTH")
    today = emu.now().astimezone(PARIS).date().isoformat()
    recipient = D.structure_by_siret(D.SIRET_SERVICE_OR_EJ).id
    found = api.ok(SEARCH, {"listeDestinataire": [{"idDestinataire": recipient}]})
    assert [i["numeroFacture"][:3] for i in found["listeFactures"]] == ["OTH"]
    assert api.ok(SEARCH, {"periodeDateDepotDu": "2000-01-01", "periodeDateDepotAu": "2999-"
                           "12-31"})["parametresRetour"]["total"] == 3
    assert api.post(SEARCH, {"montantTTCMin": 1000.0}).json()["codeRetour"] == 20000
    assert api.ok(SEARCH, {"periodeDateFactureDu": today})["parametresRetour"]["total"] == 3
    assert api.post(SEARCH, {"periodeDateFactureAu": "2000-01-01"}).json()["codeRetour"] == 20000


def test_bad_date_filter_is_a_400_naming_the_field(api):
    answer = api.post(SEARCH, {"periodeDateHeureEtatCourantDu": "hier"})
    assert answer.status_code == 400
    assert "periodeDateHeureEtatCourantDu" in answer.json()["libelle"]


def test_search_item_fields(emu, api):
    xml = cii_xml("F-ITEM", D.SIRET_SERVICE_REQUIRED, service_code=D.SERVICE_ACHATS,
                  ej="EJ-77", contract="M-1")
    flow, _ = process(emu, api, xml, "f.xml", "IN_DP_E1_CII_16B")
    [item] = api.ok(SEARCH, {"numeroFluxDepot": flow, "recupererTaille": True})[
        "listeFactures"]
    structure = D.structure_by_siret(D.SIRET_SERVICE_REQUIRED)
    assert item["idDestinataire"] == structure.id
    assert item["designationDestinataire"] == structure.name
    assert item["idServiceExecutant"] == structure.service(D.SERVICE_ACHATS).id
    assert item["numeroBonCommande"] == "EJ-77"
    assert item["numeroMarche"] == "M-1"
    assert item["codeFournisseur"] == D.SUPPLIER_SIRET
    assert item["montantHT"] == 100.0 and item["montantAPayer"] == 120.0
    assert item["taille"] == len(xml)
    assert item["numeroFluxDepot"] == flow


def test_consulter_fournisseur_shape(emu, api):
    flow, _ = process(emu, api, cii_xml("F-CONS", D.SIRET_NO_REQUIREMENT), "f.xml",
                      "IN_DP_E1_CII_16B")
    invoice_id = api.invoices_of(flow)[0]["identifiantFactureCPP"]
    facture = api.ok("factures/v1/consulter/fournisseur",
                     {"identifiantFactureCPP": invoice_id})["facture"]
    assert facture["numeroFacture"] == "F-CONS"
    assert facture["statutFacture"] == "DEPOSEE"
    assert facture["destinataire"]["codeDestinataire"] == D.SIRET_NO_REQUIREMENT
    assert facture["references"]["dateFacture"] == "2024-01-15"
    assert facture["montantTotal"]["montantTtcTotal"] == 120.0
    assert facture["cadreDeFacturation"]["codeCadreFacturation"] == "A1_FACTURE_FOURNISSEUR"


def test_unknown_invoice_is_a_400(api):
    answer = api.post("factures/v1/consulter/historique", {"idFacture": 987654321})
    assert answer.status_code == 400
    assert answer.json()["codeRetour"] != 0


def test_telecharger_groupe_returns_the_deposited_file(emu, api):
    pdf = facturx_pdf(cii_xml("F-DL1", D.SIRET_NO_REQUIREMENT))
    flow, _ = process(emu, api, pdf)
    first = api.invoices_of(flow)[0]["identifiantFactureCPP"]
    answer = api.ok("factures/v1/telecharger/groupe", {
        "listeFacture": [{"idFacture": first}], "format": "PDF"})
    assert base64.b64decode(answer["fichierResultat"]) == pdf
    second = emu.seed_invoices(1)[0]
    answer = api.ok("factures/v1/telecharger/groupe", {
        "listeFacture": [{"idFacture": first}, {"idFacture": second}], "format": "PDF"})
    packed = zipfile.ZipFile(io.BytesIO(base64.b64decode(answer["fichierResultat"])))
    assert len(packed.namelist()) == 2
