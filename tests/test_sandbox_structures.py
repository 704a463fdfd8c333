"""Emulator: seeded directory, structures/services operations, supplier data, EJ."""

import pytest
from stdnum.fr import siret as stdnum_siret

from chorus.sandbox import directory

D = directory


def test_seeded_sirets_are_valid_and_unique():
    sirets = [s.siret for s in D.ALL_STRUCTURES]
    assert len(D.PUBLIC_STRUCTURES) >= 20
    assert len(set(sirets)) == len(sirets)
    assert all(stdnum_siret.is_valid(s) for s in sirets)
    assert stdnum_siret.is_valid(D.SIRET_UNKNOWN)
    assert D.structure_by_siret(D.SIRET_UNKNOWN) is None
    assert not stdnum_siret.is_valid(D.SIRET_INVALID_CHECKSUM)


def test_directory_covers_every_requirement_combination():
    combos = {(s.service_required, s.ej_required, s.service_or_ej)
              for s in D.PUBLIC_STRUCTURES}
    assert {(False, False, False), (True, False, False), (False, True, False),
            (False, False, True), (True, True, False)} <= combos
    assert any(not s.active for s in D.PUBLIC_STRUCTURES)
    assert any(s.no_payment_status for s in D.PUBLIC_STRUCTURES)
    assert len(D.structure_by_siret(D.SIRET_MANY_SERVICES).services) > 10


def search_structure(api, siret):
    return api.post("structures/v1/rechercher", {
        "structure": {"identifiantStructure": siret, "typeIdentifiantStructure": "SIRET"},
        "restreindreStructuresPrivees": False})


@pytest.mark.parametrize("siret, statut", [
    (D.SIRET_NO_REQUIREMENT, "ACTIVE"), (D.SIRET_INACTIVE, "INACTIVE")])
def test_rechercher_by_siret(api, siret, statut):
    payload = search_structure(api, siret).json()
    assert payload["codeRetour"] == 0
    [found] = payload["listeStructures"]
    assert found["identifiantStructure"] == siret
    assert found["typeIdentifiantStructure"] == "SIRET"
    assert found["statut"] == statut
    assert found["idStructureCPP"] == D.structure_by_siret(siret).id
    assert payload["parametresRetour"]["total"] == 1


def test_rechercher_unknown_siret_is_empty(api):
    answer = search_structure(api, D.SIRET_UNKNOWN)
    assert answer.status_code == 200
    assert answer.json()["codeRetour"] == 20000
    assert answer.json()["listeStructures"] == []


def test_rechercher_private_structures_can_be_excluded(api):
    body = {"structure": {"identifiantStructure": D.SUPPLIER_SIRET},
            "restreindreStructuresPrivees": True}
    assert api.post("structures/v1/rechercher", body).json()["codeRetour"] == 20000


def test_rechercher_paging_by_name(api):
    body = {"structure": {"typeStructure": "PUBLIQUE", "statutStructure": "ACTIF"},
            "parametres": {"nbResultatsParPage": 5, "pageResultatDemandee": 2,
                           "triColonne": "DesignationStructure", "triSens": "Ascendant"}}
    payload = api.ok("structures/v1/rechercher", body)
    active = sum(1 for s in D.PUBLIC_STRUCTURES if s.active)
    assert payload["parametresRetour"]["total"] == active
    assert payload["parametresRetour"]["pageCourante"] == 2
    names = [s["designationStructure"] for s in payload["listeStructures"]]
    assert len(names) == 5 and names == sorted(names)


@pytest.mark.parametrize("siret, flags", [
    (D.SIRET_NO_REQUIREMENT, (False, False, False, False)),
    (D.SIRET_SERVICE_REQUIRED, (True, False, False, False)),
    (D.SIRET_EJ_REQUIRED, (False, True, False, False)),
    (D.SIRET_SERVICE_OR_EJ, (False, False, True, False)),
    (D.SIRET_SERVICE_AND_EJ, (True, True, False, False)),
    (D.SIRET_NO_PAYMENT_STATUS, (False, False, False, True)),
])
def test_consulter_structure_flags(api, siret, flags):
    payload = api.ok("structures/v1/consulter", {
        "idStructureCPP": D.structure_by_siret(siret).id, "codeLangue": "FR"})
    p = payload["parametres"]
    assert (p["codeServiceDoitEtreRenseigne"], p["numeroEJDoitEtreRenseigne"],
            p["gestionNumeroEJOuCodeService"], p["statutMiseEnPaiementNestPasRemonte"]) == flags
    info = payload["informationGenerales"]
    assert info["identifiantStructure"] == siret
    assert info["structurePriveePublique"] == "PUBLIQUE"
    assert "dateExpirationMotPasseCompteTech" not in info
    assert payload["adressePostaleDuSiege"]["codePostal"]


def test_consulter_own_supplier_gives_password_expiry(emu, api):
    info = api.ok("structures/v1/consulter", {"idStructureCPP": D.SUPPLIER_ID})[
        "informationGenerales"]
    assert info["structurePriveePublique"] == "PRIVEE"
    assert info["dateExpirationMotPasseCompteTech"] == emu.password_expiry(D.DEMO_LOGIN)
    expiry = info["dateExpirationMotPasseCompteTech"]
    assert expiry > emu.now().date().isoformat()


def test_consulter_other_private_structure_is_refused(api):
    answer = api.post("structures/v1/consulter", {"idStructureCPP": D.SECOND_SUPPLIER_ID})
    assert answer.status_code == 400


def test_services_paging_over_more_than_10(api):
    structure = D.structure_by_siret(D.SIRET_MANY_SERVICES)
    seen = []
    for page in (1, 2, 3):
        payload = api.ok("structures/v1/rechercher/services", {
            "idStructure": structure.id,
            "parametresRechercherServicesStructure": {"pageResultatDemandee": page}})
        assert payload["parametresRetour"]["pages"] == 3
        assert payload["parametresRetour"]["total"] == len(structure.services)
        seen += payload["listeServices"]
    assert [s["codeService"] for s in seen] == [s.code for s in structure.services]
    inactive = [s for s in seen if not s["estActif"]]
    assert inactive and all(s["dateFinService"] for s in inactive)
    assert D.SERVICE_RESERVED in {s["codeService"] for s in seen}


def test_consulter_service_numero_engagement(api):
    structure = D.structure_by_siret(D.SIRET_NO_REQUIREMENT)
    for code, expected in ((D.SERVICE_WITH_EJ, True), (D.SERVICE_ACHATS, False)):
        payload = api.ok("structures/v1/consulter/service", {
            "idStructure": structure.id, "idService": structure.service(code).id})
        assert payload["parametres"]["numeroEngagement"] is expected
        assert payload["informationsGenerales"]["codeService"] == code
    answer = api.post("structures/v1/consulter/service",
                      {"idStructure": structure.id, "idService": 1})
    assert answer.status_code == 400


def test_structures_actives_fournisseur(api, second_api):
    payload = api.ok("transverses/v1/recuperer/structures/actives/fournisseur", {})
    assert payload["listeStructures"] == [{"idStructureCPP": D.SUPPLIER_ID,
                                           "identifiant": D.SUPPLIER_SIRET,
                                           "designationStructure": D.SUPPLIER_NAME}]
    other = second_api.ok("transverses/v1/recuperer/structures/actives/fournisseur", {})
    assert other["listeStructures"][0]["idStructureCPP"] == D.SECOND_SUPPLIER_ID


def test_coordbanc_valides(api):
    payload = api.ok("transverses/v1/recuperer/coordbanc/valides",
                     {"idStructure": D.SUPPLIER_ID})
    assert [c["idCoordonneeBancaire"] for c in payload["listeCoordonneeBancaire"]] == [
        b[0] for b in D.SUPPLIER_BANK_ACCOUNTS]
    answer = api.post("transverses/v1/recuperer/coordbanc/valides",
                      {"idStructure": D.SECOND_SUPPLIER_ID})
    assert answer.status_code == 400


def test_engagements_juridiques_rechercher(api):
    payload = api.ok("engagementsJuridiques/v1/rechercher", {
        "structureReceptriceEngagementJuridique": str(D.SUPPLIER_ID),
        "numeroEngagementJuridique": D.KNOWN_EJ, "etatCourantEngagementJuridique": "COMMANDE"})
    [ej] = payload["listeEngagementJuridique"]
    assert ej["numeroEngagementJuridique"] == D.KNOWN_EJ
    assert ej["identifiantStructureEmettrice"] == D.SIRET_EJ_REQUIRED
    missing = api.post("engagementsJuridiques/v1/rechercher", {
        "structureReceptriceEngagementJuridique": str(D.SUPPLIER_ID),
        "numeroEngagementJuridique": "EJ-UNKNOWN"}).json()
    assert missing["codeRetour"] == 20000
