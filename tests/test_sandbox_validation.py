"""Emulator: strict request validation (unknown, missing, mistyped, out-of-list fields)."""

import pytest

SEARCH = "factures/v1/rechercher/fournisseur"


@pytest.mark.parametrize("op, body, named", [
    (SEARCH, {"numeroFluxDepo": "CPP1"}, "numeroFluxDepo"),
    (SEARCH, {"rechercheFactureParFournisseur": {"nbResultatParPage": 10}},
     "rechercheFactureParFournisseur.nbResultatParPage"),
    ("factures/v1/consulter/historique", {"idFacture": 1, "idfacture": 1}, "idfacture"),
    ("structures/v1/consulter", {"idStructure": 1}, "idStructure"),
    ("factures/v1/recycler", {"identifiantFactureCPP": 1,
                              "destinataire": {"codeDestinataire": "x", "codeService": "y"}},
     "destinataire.codeService"),
])
def test_unknown_field_is_a_400_naming_it(api, op, body, named):
    answer = api.post(op, body)
    assert answer.status_code == 400
    payload = answer.json()
    assert payload["codeRetour"] == 10001
    assert f"'{named}'" in payload["libelle"]
    assert "n'est pas reconnu" in payload["libelle"]


@pytest.mark.parametrize("op, body, named", [
    ("factures/v1/consulter/historique", {}, "idFacture"),
    ("transverses/v1/consulterCRDetaille", {"syntaxeFlux": "IN_DP_E1_CII_16B"},
     "numeroFluxDepot"),
    ("factures/v1/deposer/flux", {"fichierFlux": "", "nomFichier": "f.pdf"}, "syntaxeFlux"),
    ("factures/v1/recycler", {"identifiantFactureCPP": 1, "destinataire": {}},
     "destinataire.codeDestinataire"),
    ("factures/v1/telecharger/groupe", {"listeFacture": [{}], "format": "PDF"},
     "listeFacture[0].idFacture"),
])
def test_missing_required_field_is_a_400_naming_it(api, op, body, named):
    answer = api.post(op, body)
    assert answer.status_code == 400
    assert f"'{named}' est obligatoire" in answer.json()["libelle"]


@pytest.mark.parametrize("op, body, named", [
    ("factures/v1/consulter/historique", {"idFacture": "12"}, "idFacture"),
    ("factures/v1/consulter/historique", {"idFacture": True}, "idFacture"),
    ("factures/v1/deposer/flux", {"fichierFlux": "eA==", "nomFichier": "f.pdf",
                                  "syntaxeFlux": "IN_DP_E2_CII_FACTURX",
                                  "avecSignature": "false"}, "avecSignature"),
    (SEARCH, {"rechercheFactureParFournisseur": {"pageResultatDemandee": 1.5}},
     "rechercheFactureParFournisseur.pageResultatDemandee"),
    (SEARCH, {"listeDestinataire": {"idDestinataire": 1}}, "listeDestinataire"),
])
def test_wrong_type_is_a_400_naming_the_field(api, op, body, named):
    answer = api.post(op, body)
    assert answer.status_code == 400
    libelle = answer.json()["libelle"]
    assert f"'{named}'" in libelle and "type invalide" in libelle


@pytest.mark.parametrize("op, body, value", [
    ("factures/v1/deposer/flux", {"fichierFlux": "eA==", "nomFichier": "f.pdf",
                                  "syntaxeFlux": "IN_DP_E1_CII_FACTURX"},
     "IN_DP_E1_CII_FACTURX"),
    (SEARCH, {"statutCourant": ["DEPOSEE", "PAYEE"]}, "PAYEE"),
    (SEARCH, {"rechercheFactureParFournisseur": {"triSens": "Ascendant "}}, "Ascendant "),
    ("structures/v1/rechercher", {"structure": {"typeIdentifiantStructure": "SIREN"}},
     "SIREN"),
])
def test_value_outside_the_code_list_is_a_400(api, op, body, value):
    answer = api.post(op, body)
    assert answer.status_code == 400
    assert f"'{value}'" in answer.json()["libelle"]


def test_null_optional_fields_are_accepted(api):
    answer = api.post(SEARCH, {"numeroFacture": None, "idUtilisateurCourant": None})
    assert answer.status_code == 200
    assert answer.json()["codeRetour"] == 20000


def test_status_filter_accepts_a_single_string(api):
    answer = api.post(SEARCH, {"statutCourant": "DEPOSEE"})
    assert answer.status_code == 200
