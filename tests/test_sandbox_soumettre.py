"""Emulator: deposit by data (soumettre) as strict as the rest — blocks, amounts,
validator frameworks, supplier service — and the client's deposit_invoice_data."""

import pytest
from facturx_samples import plain_pdf
from test_sandbox_attachments import submit_body, upload

from chorus import types as t
from chorus.errors import ChorusValidationError
from chorus.sandbox import STEP_SECONDS, directory

D = directory
SUBMIT = "factures/v1/soumettre"
A9 = {"codeCadreFacturation": "A9_FACTURE_SOUSTRAITANT",
      "codeStructureValideur": D.SIRET_SERVICE_REQUIRED, "codeServiceValideur": "ACHATS"}


def refused(api, body, status=400):
    answer = api.post(SUBMIT, body)
    assert answer.status_code == status, answer.text
    return answer.json()["libelle"]


def test_unknown_field_and_wrong_type_are_refused(api):
    assert "n'est pas reconnu" in refused(api, submit_body(numeroFacture="S-1"))
    body = submit_body()
    body["cadreDeFacturation"] = {**A9, "codeValideur": "X"}
    assert "cadreDeFacturation.codeValideur" in refused(api, body)
    body = submit_body()
    body["montantTotal"] = {**body["montantTotal"], "montantTVA": "20.00"}
    assert "montantTotal.montantTVA' a un type invalide" in refused(api, body)
    body = submit_body(fournisseur={"idFournisseur": str(D.SUPPLIER_ID)})
    assert "fournisseur.idFournisseur" in refused(api, body)


@pytest.mark.parametrize("block", ["destinataire", "fournisseur", "cadreDeFacturation",
                                   "references", "montantTotal"])
def test_required_blocks(api, block):
    body = submit_body()
    del body[block]
    assert f"'{block}' est obligatoire" in refused(api, body)


def test_blocks_required_by_mode_and_type(api):
    assert "lignePoste, ligneTva" in refused(api, submit_body(lignePoste=[], ligneTva=[]))
    body = submit_body()
    body["references"] = {**body["references"], "modePaiement": None}
    assert "references.modePaiement" in refused(api, body)
    body = submit_body("AV-1")
    body["references"] = {**body["references"], "typeFacture": "AVOIR", "modePaiement": None}
    assert "references.numeroFactureOrigine" in refused(api, body)
    body["references"]["numeroFactureOrigine"] = "S-000"
    assert api.ok(SUBMIT, body)["statutFacture"] == "DEPOSEE"


def test_amounts_must_add_up(api):
    body = submit_body()
    body["montantTotal"] = {**body["montantTotal"], "montantTtcTotal": 121.0}
    assert "montantTtcTotal" in refused(api, body)
    body = submit_body()
    body["ligneTva"] = [{**body["ligneTva"][0], "ligneTvaMontantTvaParTaux": 19.0}]
    assert "ligneTvaMontantTvaParTaux" in refused(api, body)


def test_consulter_shows_what_was_submitted(api):
    body = submit_body("S-DATA")
    invoice_id = api.ok(SUBMIT, body)["identifiantFactureCPP"]
    facture = api.ok("factures/v1/consulter/fournisseur",
                     {"identifiantFactureCPP": invoice_id})["facture"]
    assert facture["lignesDePoste"]["lignePoste"] == body["lignePoste"]
    assert facture["recapitulatifDeTva"]["ligneTva"] == body["ligneTva"]
    assert facture["references"]["modePaiement"] == "VIREMENT"
    assert facture["fournisseur"]["codeCoordonneesBancairesFournisseur"] == \
        D.SUPPLIER_BANK_ACCOUNTS[0][0]


def test_a9_goes_to_its_validator_first(emu, api):
    payload = api.ok(SUBMIT, submit_body("S-A9", cadreDeFacturation=A9))
    assert payload["statutFacture"] == "A_VALIDER_1"
    invoice_id = payload["identifiantFactureCPP"]
    emu.advance(STEP_SECONDS)
    assert api.status(invoice_id) == "VALIDEE_1"
    emu.advance(2 * STEP_SECONDS)
    assert api.status(invoice_id) == "MISE_A_DISPOSITION"
    facture = api.ok("factures/v1/consulter/fournisseur",
                     {"identifiantFactureCPP": invoice_id})["facture"]
    assert facture["cadreDeFacturation"] == A9
    found = api.ok("factures/v1/rechercher/fournisseur",
                   {"cadreFacturation": "A9_FACTURE_SOUSTRAITANT"})["listeFactures"]
    assert [item["identifiantFactureCPP"] for item in found] == [invoice_id]


@pytest.mark.parametrize("cadre, fragment", [
    ({"codeCadreFacturation": "A12_FACTURE_COTRAITANT"},
     "'cadreDeFacturation.codeStructureValideur' est obligatoire"),
    ({**A9, "codeStructureValideur": D.SIRET_UNKNOWN}, "inconnue ou inactive"),
    ({**A9, "codeStructureValideur": D.SIRET_INACTIVE}, "inconnue ou inactive"),
    ({**A9, "codeServiceValideur": D.SERVICE_INACTIVE}, "codeServiceValideur"),
    ({"codeCadreFacturation": "A1_FACTURE_FOURNISSEUR",
      "codeStructureValideur": D.SIRET_SERVICE_REQUIRED}, "pas de valideur"),
])
def test_validator_refusals(api, cadre, fragment):
    assert fragment in refused(api, submit_body("S-V", cadreDeFacturation=cadre))


def test_supplier_service(api):
    body = submit_body("S-SF", fournisseur={"idFournisseur": D.SUPPLIER_ID,
                                            "idServiceFournisseur": D.SUPPLIER_SERVICE_ID})
    invoice_id = api.ok(SUBMIT, body)["identifiantFactureCPP"]
    [item] = api.ok("factures/v1/rechercher/fournisseur",
                    {"numeroFacture": "S-SF"})["listeFactures"]
    assert (item["identifiantFactureCPP"], item["codeServiceFournisseur"]) == (
        invoice_id, D.SUPPLIER_SERVICE)
    body = submit_body("S-SF2", fournisseur={"idFournisseur": D.SUPPLIER_ID,
                                             "idServiceFournisseur": 1})
    assert "service fournisseur 1" in refused(api, body)
    body = submit_body("S-SF3", fournisseur={"idFournisseur": D.SUPPLIER_ID,
                                             "idServiceFournisseur": D.SUPPLIER_SERVICE_ID + 1})
    assert "n'est plus actif" in refused(api, body)


def test_main_attachment_must_be_a_pdf(api):
    attachment = upload(api, b"col1;col2", "releve.csv", "csv").json()["pieceJointeId"]
    body = submit_body("S-CSV", modeDepot="DEPOT_PDF_API", pieceJointePrincipale=[
        {"pieceJointePrincipaleId": attachment}])
    assert "doit être un PDF" in refused(api, body)


# --- the client -------------------------------------------------------------------

def data_invoice(**overrides):
    values = dict(number="D2025-0001", invoice_date="2025-03-14",
                  recipient_siret=D.SIRET_SERVICE_REQUIRED, service_code="ACHATS",
                  supplier_id=D.SUPPLIER_ID, supplier_service_id=D.SUPPLIER_SERVICE_ID,
                  bank_account_id=D.SUPPLIER_BANK_ACCOUNTS[0][0], payment_mode="VIREMENT",
                  amount_untaxed=100.0, amount_tax=20.0, amount_total=120.0,
                  amount_due=120.0,
                  lines=[t.SubmissionLine("Audit", 2, 50.0, vat_rate=20.0)],
                  vat_lines=[t.VatLine(20.0, 100.0, 20.0)])
    values.update(overrides)
    return t.InvoiceSubmission(**values)


def test_client_deposits_by_data_with_the_pdf_as_main_attachment(emu_client, chorus_emu):
    pdf = plain_pdf("Facture D2025-0001")
    update = emu_client.deposit_invoice_data(data_invoice(), pdf, "D2025-0001.pdf")
    assert update.status == "DEPOSEE" and update.chorus_id
    assert update.number == "D2025-0001"
    assert [call.path for call in chorus_emu.api_calls()] == [
        "/cpro/transverses/v1/ajouter/fichier", "/cpro/factures/v1/soumettre"]
    assert emu_client.download_invoices([update.chorus_id]) == pdf
    details = emu_client.get_invoice(update.chorus_id)
    assert details.chorus_id == update.chorus_id


def test_client_refuses_before_any_call(emu_client, chorus_emu):
    with pytest.raises(ChorusValidationError, match="codeStructureValideur"):
        emu_client.deposit_invoice_data(data_invoice(framework="A12_FACTURE_COTRAITANT"),
                                        plain_pdf(), "x.pdf")
    assert chorus_emu.api_calls() == []


def test_client_a9_by_data_and_supplier_service_lookup(emu_client):
    assert emu_client.find_service_id(D.SUPPLIER_ID, "facturation") == D.SUPPLIER_SERVICE_ID
    assert emu_client.find_service_id(D.SUPPLIER_ID, "NOPE") is None
    update = emu_client.deposit_invoice_data(data_invoice(
        number="D2025-A9", framework="A9_FACTURE_SOUSTRAITANT",
        validator_siret=D.SIRET_NO_REQUIREMENT), plain_pdf(), "D2025-A9.pdf")
    assert update.status == "A_VALIDER_1"


def test_refusal_is_a_typed_error_naming_the_field(emu_client):
    with pytest.raises(ChorusValidationError) as info:
        emu_client.deposit_invoice_data(data_invoice(
            number="D2025-BAD", framework="A9_FACTURE_SOUSTRAITANT",
            validator_siret=D.SIRET_UNKNOWN), plain_pdf(), "D2025-BAD.pdf")
    assert "codeStructureValideur" in info.value.libelle



def test_a_state_file_from_before_gets_the_new_columns(tmp_path):
    # Emulator state files of existing databases were created without the columns of
    # deposits by data: opening one adds them (CREATE TABLE IF NOT EXISTS would not).
    import sqlite3

    from chorus.sandbox import store

    old_schema = store.SCHEMA.replace(
        ", cadre TEXT NOT NULL DEFAULT 'A1_FACTURE_FOURNISSEUR',\n"
        "    valideur_siret TEXT, valideur_service TEXT, service_fournisseur_id INTEGER,\n"
        "    soumission TEXT", "")
    assert old_schema != store.SCHEMA
    path = str(tmp_path / "old.sqlite3")
    conn = sqlite3.connect(path)
    conn.executescript(old_schema)
    conn.execute("INSERT INTO invoices (numero, supplier_id, mode_depot, type_facture, "
                 "date_depot, statut, etat_at, dest_id) VALUES ('F1', 1, 'EDI_MIXTE', "
                 "'FACTURE', 0, 'DEPOSEE', 0, 2)")
    conn.commit()
    conn.close()
    opened = store.Store(path)
    row = opened.one("SELECT * FROM invoices")
    assert (row["numero"], row["cadre"], row["valideur_siret"], row["soumission"]) == (
        "F1", "A1_FACTURE_FOURNISSEUR", None, None)
    opened.close()
    store.Store(path).close()  # opening again changes nothing


def test_upload_extension_must_match_the_name(api):
    answer = upload(api, plain_pdf(), "facture.pdf", "xlsx")
    assert answer.status_code == 400
    assert answer.json()["codeRetour"] == 20002
    assert "pieceJointeExtension" in answer.json()["libelle"]
