"""Emulator: ajouter/fichier limits, soumettre (SAISIE_API / DEPOT_PDF_API), completer."""

import base64

import pytest
from facturx_samples import plain_pdf

from chorus.sandbox import STEP_SECONDS, directory

D = directory
ADD = "transverses/v1/ajouter/fichier"


def upload(api, data: bytes, name="bl.pdf", ext="pdf"):
    return api.post(ADD, {"pieceJointeFichier": base64.b64encode(data).decode(),
                          "pieceJointeNom": name, "pieceJointeTypeMime": "application/pdf",
                          "pieceJointeExtension": ext})


def test_upload_returns_an_id(api):
    payload = upload(api, plain_pdf()).json()
    assert payload["codeRetour"] == 0
    assert isinstance(payload["pieceJointeId"], int)


def test_upload_over_10_mb_gives_20003(api):
    answer = upload(api, b"0" * (10 * 1024 * 1024 + 1))
    assert answer.status_code == 400
    assert answer.json()["codeRetour"] == 20003


def test_exactly_10_mb_is_accepted(api):
    assert upload(api, b"0" * (10 * 1024 * 1024)).json()["codeRetour"] == 0


@pytest.mark.parametrize("name, ext, code", [
    ("virus.exe", "exe", 20002),
    ("script.sh", ".SH", 20002),
    ("x" * 47 + ".pdf", "pdf", 20001),
    ("sans_extension", "pdf", 20001),
])
def test_upload_name_and_extension_rules(api, name, ext, code):
    answer = upload(api, b"data", name, ext)
    assert answer.status_code == 400
    assert answer.json()["codeRetour"] == code


@pytest.mark.parametrize("ext", ["PDF", "xlsx", ".zip", "P7S"])
def test_whitelisted_extensions_any_case(api, ext):
    assert upload(api, b"data", "piece." + ext.strip(".").lower(), ext).json()[
        "codeRetour"] == 0


def submit_body(number="S-001", siret=D.SIRET_NO_REQUIREMENT, **overrides) -> dict:
    body = {
        "modeDepot": "SAISIE_API", "numeroFactureSaisi": number, "dateFacture": "2024-02-01",
        "destinataire": {"codeDestinataire": siret},
        "fournisseur": {"idFournisseur": D.SUPPLIER_ID,
                        "codeCoordonneesBancairesFournisseur": D.SUPPLIER_BANK_ACCOUNTS[0][0]},
        "cadreDeFacturation": {"codeCadreFacturation": "A1_FACTURE_FOURNISSEUR"},
        "references": {"deviseFacture": "EUR", "typeFacture": "FACTURE",
                       "typeTva": "TVA_SUR_DEBIT", "modePaiement": "VIREMENT"},
        "lignePoste": [{"lignePosteNumero": 1, "lignePosteDenomination": "Conseil",
                        "lignePosteQuantite": 1, "lignePosteMontantUnitaireHT": 100.0,
                        "lignePosteTauxTvaManuel": 20.0}],
        "ligneTva": [{"ligneTvaTauxManuel": 20.0, "ligneTvaMontantBaseHtParTaux": 100.0,
                      "ligneTvaMontantTvaParTaux": 20.0}],
        "montantTotal": {"montantHtTotal": 100.0, "montantTVA": 20.0,
                         "montantTtcTotal": 120.0, "montantAPayer": 120.0},
    }
    body.update(overrides)
    return body


def test_soumettre_saisie_api_creates_a_deposited_invoice(emu, api):
    payload = api.ok("factures/v1/soumettre", submit_body())
    assert payload["statutFacture"] == "DEPOSEE"
    assert payload["numeroFacture"] == "S-001"
    assert payload["identifiantStructure"] == D.SUPPLIER_SIRET
    assert len(payload["empreinteCertificatDepot"]) == 64
    invoice_id = payload["identifiantFactureCPP"]
    emu.advance(STEP_SECONDS)
    assert api.status(invoice_id) == "MISE_A_DISPOSITION"
    [item] = api.ok("factures/v1/rechercher/fournisseur",
                    {"modeDepot": "SAISIE_API"})["listeFactures"]
    assert item["montantTTC"] == 120.0


def test_soumettre_refuses_duplicates_and_missing_requirements(api):
    api.ok("factures/v1/soumettre", submit_body())
    again = api.post("factures/v1/soumettre", submit_body())
    assert again.status_code == 400 and "doublon" in again.json()["libelle"]
    missing = api.post("factures/v1/soumettre",
                       submit_body("S-002", D.SIRET_SERVICE_REQUIRED))
    assert missing.status_code == 400
    assert "code service est obligatoire" in missing.json()["libelle"]


def test_soumettre_refuses_foreign_supplier_and_bank_account(api):
    body = submit_body(fournisseur={"idFournisseur": D.SECOND_SUPPLIER_ID})
    assert api.post("factures/v1/soumettre", body).status_code == 400
    body = submit_body(fournisseur={"idFournisseur": D.SUPPLIER_ID,
                                    "codeCoordonneesBancairesFournisseur": 1})
    assert api.post("factures/v1/soumettre", body).status_code == 400


def test_soumettre_depot_pdf_api_uses_the_uploaded_file(emu, api):
    pdf = plain_pdf("Facture S-PDF")
    attachment = upload(api, pdf, "S-PDF.pdf").json()["pieceJointeId"]
    body = submit_body("S-PDF", modeDepot="DEPOT_PDF_API", pieceJointePrincipale=[
        {"pieceJointePrincipaleDesignation": "Facture",
         "pieceJointePrincipaleId": attachment}])
    invoice_id = api.ok("factures/v1/soumettre", body)["identifiantFactureCPP"]
    answer = api.ok("factures/v1/telecharger/groupe", {
        "listeFacture": [{"idFacture": invoice_id}], "format": "PDF"})
    assert base64.b64decode(answer["fichierResultat"]) == pdf
    no_file = api.post("factures/v1/soumettre", submit_body("S-PDF2", modeDepot="DEPOT_PDF_API"))
    assert no_file.status_code == 400
    assert "pieceJointePrincipale" in no_file.json()["libelle"]


def test_completer_with_an_attachment(emu, api, second_api):
    invoice_id = api.ok("factures/v1/soumettre",
                        submit_body("S-SUSP", D.SIRET_SCENARIO_SUSPEND))["identifiantFactureCPP"]
    emu.advance(2 * STEP_SECONDS)
    assert api.status(invoice_id) == "SUSPENDUE"
    foreign = upload(second_api, b"x", "bl.pdf").json()["pieceJointeId"]
    refused = api.post("factures/v1/completer", {
        "identifiantFactureCPP": invoice_id,
        "pieceJointeComplementaire": [{"pieceJointeComplementaireId": foreign}]})
    assert refused.status_code == 400
    mine = upload(api, b"x", "bl.pdf").json()["pieceJointeId"]
    api.ok("factures/v1/completer", {
        "identifiantFactureCPP": invoice_id, "commentaire": "BL signé",
        "pieceJointeComplementaire": [{"pieceJointeComplementaireId": mine,
                                       "pieceJointeComplementaireDesignation": "BL",
                                       "pieceJointeComplementaireType": "PJ"}]})
    assert api.status(invoice_id) == "COMPLETEE"
