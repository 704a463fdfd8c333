"""The ``soumettre`` body builder (chorus/bodies.py): dataclasses in, Chorus JSON out."""

import pytest

from chorus import bodies
from chorus import types as t
from chorus.sandbox import specs
from chorus.sandbox.validation import validate


def invoice(**overrides) -> t.InvoiceSubmission:
    values = dict(
        number="F2025-0042", invoice_date="2025-03-14", recipient_siret="20110137500016",
        supplier_id=25_100_001, amount_untaxed=1150.0, amount_tax=215.0,
        amount_total=1365.0, amount_due=1365.0, service_code="ACHATS",
        bank_account_id=91_000_001, engagement="EJ2024000001", contract="MARCHE-12",
        payment_mode="VIREMENT", comment="Prestation de mars", supplier_service_id=7,
        lines=[t.SubmissionLine("Audit", 2, 500.0, vat_rate=20.0, reference="AUDIT",
                                unit="jour", discount=0.0),
               t.SubmissionLine("Formation", 1, 150.0, vat_rate=10.0)],
        vat_lines=[t.VatLine(20.0, 1000.0, 200.0), t.VatLine(10.0, 150.0, 15.0)],
        main_attachment_id=123, main_attachment_name="F2025-0042.pdf",
        attachments=[t.Attachment(55, "bon_de_livraison.pdf", "ANNEXE", line_number=1)])
    values.update(overrides)
    return t.InvoiceSubmission(**values)


def test_every_field_is_mapped():
    body = bodies.submission(invoice())
    assert body == {
        "modeDepot": "DEPOT_PDF_API",
        "numeroFactureSaisi": "F2025-0042",
        "dateFacture": "2025-03-14",
        "commentaire": "Prestation de mars",
        "destinataire": {"codeDestinataire": "20110137500016",
                         "codeServiceExecutant": "ACHATS"},
        "fournisseur": {"idFournisseur": 25_100_001, "idServiceFournisseur": 7,
                        "codeCoordonneesBancairesFournisseur": 91_000_001},
        "cadreDeFacturation": {"codeCadreFacturation": "A1_FACTURE_FOURNISSEUR"},
        "references": {"deviseFacture": "EUR", "typeFacture": "FACTURE",
                       "typeTva": "TVA_SUR_DEBIT", "numeroMarche": "MARCHE-12",
                       "numeroBonCommande": "EJ2024000001", "modePaiement": "VIREMENT"},
        "montantTotal": {"montantHtTotal": 1150.0, "montantTVA": 215.0,
                         "montantTtcTotal": 1365.0, "montantAPayer": 1365.0},
        "lignePoste": [
            {"lignePosteNumero": 1, "lignePosteReference": "AUDIT",
             "lignePosteDenomination": "Audit", "lignePosteQuantite": 2,
             "lignePosteUnite": "jour", "lignePosteMontantUnitaireHT": 500.0,
             "lignePosteMontantRemiseHT": 0.0, "lignePosteTauxTvaManuel": 20.0},
            {"lignePosteNumero": 2, "lignePosteDenomination": "Formation",
             "lignePosteQuantite": 1, "lignePosteMontantUnitaireHT": 150.0,
             "lignePosteTauxTvaManuel": 10.0}],
        "ligneTva": [
            {"ligneTvaTauxManuel": 20.0, "ligneTvaMontantBaseHtParTaux": 1000.0,
             "ligneTvaMontantTvaParTaux": 200.0},
            {"ligneTvaTauxManuel": 10.0, "ligneTvaMontantBaseHtParTaux": 150.0,
             "ligneTvaMontantTvaParTaux": 15.0}],
        "pieceJointePrincipale": [{"pieceJointePrincipaleDesignation": "F2025-0042.pdf",
                                   "pieceJointePrincipaleId": 123}],
        "pieceJointeComplementaire": [{
            "pieceJointeComplementaireDesignation": "bon_de_livraison.pdf",
            "pieceJointeComplementaireId": 55,
            "pieceJointeComplementaireNumeroLigneFacture": 1,
            "pieceJointeComplementaireType": "ANNEXE"}],
    }
    # What the emulator (as strict as Chorus) accepts.
    validate(body, specs.SOUMETTRE)


def test_validator_framework_carries_the_validator():
    body = bodies.submission(invoice(framework="A9_FACTURE_SOUSTRAITANT",
                                     validator_siret="20210274500017",
                                     validator_service_code="ACHATS"))
    assert body["cadreDeFacturation"] == {
        "codeCadreFacturation": "A9_FACTURE_SOUSTRAITANT",
        "codeStructureValideur": "20210274500017", "codeServiceValideur": "ACHATS"}
    validate(body, specs.SOUMETTRE)


@pytest.mark.parametrize("framework", bodies.VALIDATOR_FRAMEWORKS)
def test_validator_framework_without_validator_is_refused_naming_the_field(framework):
    with pytest.raises(ValueError, match="codeStructureValideur"):
        bodies.submission(invoice(framework=framework))


def test_validator_on_a_plain_framework_is_refused():
    with pytest.raises(ValueError, match="only for the frameworks"):
        bodies.submission(invoice(validator_siret="20210274500017"))


def test_credit_note_names_its_origin_and_has_no_payment_mode():
    body = bodies.submission(invoice(invoice_type="AVOIR", origin_number="F2025-0041",
                                     payment_mode=None, bank_account_id=None))
    assert body["references"]["typeFacture"] == "AVOIR"
    assert body["references"]["numeroFactureOrigine"] == "F2025-0041"
    assert "modePaiement" not in body["references"]
    assert "codeCoordonneesBancairesFournisseur" not in body["fournisseur"]
    with pytest.raises(ValueError, match="numeroFactureOrigine"):
        bodies.submission(invoice(invoice_type="AVOIR", payment_mode=None))


def test_keyed_in_invoice_needs_lines():
    body = bodies.submission(invoice(main_attachment_id=None, attachments=[]))
    assert body["modeDepot"] == "SAISIE_API"
    assert "pieceJointePrincipale" not in body
    with pytest.raises(ValueError, match="lignePoste"):
        bodies.submission(invoice(main_attachment_id=None, lines=[]))


def test_signed_pdf_mode_rate_codes_discount_and_exemption():
    body = bodies.submission(invoice(
        signed_pdf=True, vat_type="EXONERATION", vat_exemption_reason="ART_261",
        global_discount=10.0, global_discount_reason="Remise fidélité", user_id=99,
        lines=[t.SubmissionLine("Audit", 1, 100.0, vat_rate=20.0, vat_rate_code="TVA20")],
        vat_lines=[t.VatLine(None, 100.0, 0.0, rate_code="TVA0")]))
    assert body["modeDepot"] == "DEPOT_PDF_SIGNE_API"
    assert body["idUtilisateurCourant"] == 99
    assert body["references"]["motifExonerationTva"] == "ART_261"
    assert body["montantTotal"]["montantRemiseGlobaleTTC"] == 10.0
    assert body["montantTotal"]["motifRemiseGlobaleTTC"] == "Remise fidélité"
    assert body["lignePoste"][0]["lignePosteTauxTva"] == "TVA20"
    assert "lignePosteTauxTvaManuel" not in body["lignePoste"][0]
    assert body["ligneTva"] == [{"ligneTvaTaux": "TVA0", "ligneTvaMontantBaseHtParTaux": 100.0,
                                 "ligneTvaMontantTvaParTaux": 0.0}]
    validate(body, specs.SOUMETTRE)
