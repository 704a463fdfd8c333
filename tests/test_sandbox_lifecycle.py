"""Emulator: invoice lifecycles on the emulated clock, scenarios and supplier actions."""

import pytest
from facturx_samples import cii_xml
from sandbox_fixtures import process

from chorus.sandbox import STEP_SECONDS, directory

D = directory
CII = "IN_DP_E1_CII_16B"


def deposit_one(emu, api, siret=D.SIRET_NO_REQUIREMENT, number="F-LC-1", **kw) -> int:
    """Deposit one invoice, wait for the flow; return identifiantFactureCPP."""
    flow, report = process(emu, api, cii_xml(number, siret, **kw), "f.xml", CII)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE", report
    return api.invoices_of(flow)[0]["identifiantFactureCPP"]


def history(api, invoice_id) -> dict:
    return api.ok("factures/v1/consulter/historique", {"idFacture": invoice_id})


def test_normal_path_reaches_mise_en_paiement_step_by_step(emu, api):
    invoice_id = deposit_one(emu, api)
    seen = [api.status(invoice_id)]
    for _ in range(4):
        emu.advance(STEP_SECONDS)
        seen.append(api.status(invoice_id))
    assert seen == ["DEPOSEE", "MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE",
                    "MISE_EN_PAIEMENT"]
    emu.advance(10 * STEP_SECONDS)
    assert api.status(invoice_id) == "MISE_EN_PAIEMENT"


def test_history_lists_every_status_newest_first(emu, api):
    invoice_id = deposit_one(emu, api)
    emu.advance(10 * STEP_SECONDS)  # several steps in one jump are all materialised
    answer = history(api, invoice_id)
    assert answer["idFacture"] == invoice_id
    assert answer["numeroFacture"] == "F-LC-1"
    assert answer["statutCourantCode"] == "MISE_EN_PAIEMENT"
    block = answer["historiquesDesStatuts"]
    codes = [h["histoStatutCode"] for h in block["histoStatut"]]
    assert codes == ["MISE_EN_PAIEMENT", "MANDATEE", "SERVICE_FAIT", "MISE_A_DISPOSITION",
                     "DEPOSEE"]
    assert block["totalHistoStatut"] == 5
    dates = [h["histoStatutDatePassage"] for h in block["histoStatut"]]
    assert dates == sorted(dates, reverse=True)
    assert len(set(dates)) == 5  # one step each, not all stamped "now"


def test_structure_without_payment_status_stops_at_mandatee(emu, api):
    invoice_id = deposit_one(emu, api, D.SIRET_NO_PAYMENT_STATUS)
    emu.advance(20 * STEP_SECONDS)
    assert api.status(invoice_id) == "MANDATEE"


def test_recycle_scenario_then_recycler_back_to_deposee(emu, api):
    invoice_id = deposit_one(emu, api, D.SIRET_SCENARIO_RECYCLE)
    emu.advance(2 * STEP_SECONDS)
    answer = history(api, invoice_id)
    assert answer["statutCourantCode"] == "A_RECYCLER"
    assert "mauvaise entité" in answer["historiquesDesStatuts"]["histoStatut"][0][
        "histoStatutCommentaire"]
    result = api.ok("factures/v1/recycler", {
        "identifiantFactureCPP": invoice_id, "commentaire": "Bon destinataire",
        "destinataire": {"codeDestinataire": D.SIRET_SERVICE_REQUIRED,
                         "codeServiceExecutant": D.SERVICE_ACHATS}})
    assert result["statutFacture"] == "DEPOSEE"
    assert result["numeroFacture"] == "F-LC-1"
    assert api.status(invoice_id) == "DEPOSEE"
    [item] = api.ok("factures/v1/rechercher/fournisseur",
                    {"numeroFacture": "F-LC-1"})["listeFactures"]
    assert item["codeDestinataire"] == D.SIRET_SERVICE_REQUIRED
    assert item["codeServiceExecutant"] == D.SERVICE_ACHATS
    emu.advance(4 * STEP_SECONDS)
    assert api.status(invoice_id) == "MISE_EN_PAIEMENT"


@pytest.mark.parametrize("destinataire, code", [
    ({"codeDestinataire": D.SIRET_UNKNOWN}, 20006),
    ({"codeDestinataire": D.SIRET_INACTIVE}, 20007),
    ({"codeDestinataire": D.SIRET_NO_REQUIREMENT, "codeServiceExecutant": "NOPE"}, 20008),
    ({"codeDestinataire": D.SIRET_SERVICE_REQUIRED}, 20009),
    ({"codeDestinataire": D.SIRET_EJ_REQUIRED}, 20010),
])
def test_recycler_refuses_invalid_recipients(emu, api, destinataire, code):
    invoice_id = deposit_one(emu, api, D.SIRET_SCENARIO_RECYCLE)
    emu.advance(2 * STEP_SECONDS)
    answer = api.post("factures/v1/recycler", {"identifiantFactureCPP": invoice_id,
                                               "destinataire": destinataire})
    assert answer.status_code == 400
    assert answer.json()["codeRetour"] == code
    assert api.status(invoice_id) == "A_RECYCLER"


def test_recycler_accepts_a_commitment_in_references(emu, api):
    invoice_id = deposit_one(emu, api, D.SIRET_SCENARIO_RECYCLE)
    emu.advance(2 * STEP_SECONDS)
    api.ok("factures/v1/recycler", {
        "identifiantFactureCPP": invoice_id,
        "destinataire": {"codeDestinataire": D.SIRET_EJ_REQUIRED},
        "references": {"numeroBonCommande": D.KNOWN_EJ}})
    item = api.ok("factures/v1/rechercher/fournisseur",
                  {"numeroFacture": "F-LC-1"})["listeFactures"][0]
    assert item["numeroBonCommande"] == D.KNOWN_EJ


def test_recycler_outside_a_recycler_and_unknown_invoice(emu, api):
    invoice_id = deposit_one(emu, api)
    answer = api.post("factures/v1/recycler", {
        "identifiantFactureCPP": invoice_id,
        "destinataire": {"codeDestinataire": D.SIRET_NO_REQUIREMENT}})
    assert (answer.status_code, answer.json()["codeRetour"]) == (400, 20005)
    answer = api.post("factures/v1/recycler", {
        "identifiantFactureCPP": 999999999,
        "destinataire": {"codeDestinataire": D.SIRET_NO_REQUIREMENT}})
    assert (answer.status_code, answer.json()["codeRetour"]) == (400, 20004)


def test_suspend_scenario_then_completer(emu, api):
    invoice_id = deposit_one(emu, api, D.SIRET_SCENARIO_SUSPEND)
    emu.advance(2 * STEP_SECONDS)
    answer = history(api, invoice_id)
    assert answer["statutCourantCode"] == "SUSPENDUE"
    assert "bon de livraison" in answer["historiquesDesStatuts"]["histoStatut"][0][
        "histoStatutCommentaire"]
    result = api.ok("factures/v1/completer", {"identifiantFactureCPP": invoice_id,
                                              "commentaire": "BL joint"})
    assert result["identifiantFactureCPP"] == invoice_id
    assert api.status(invoice_id) == "COMPLETEE"
    emu.advance(STEP_SECONDS)
    assert api.status(invoice_id) == "MISE_A_DISPOSITION"  # not suspended again
    emu.advance(10 * STEP_SECONDS)
    assert api.status(invoice_id) == "MISE_EN_PAIEMENT"


def test_completer_requires_suspendue(emu, api):
    invoice_id = deposit_one(emu, api)
    answer = api.post("factures/v1/completer", {"identifiantFactureCPP": invoice_id})
    assert answer.status_code == 400
    assert "SUSPENDUE" in answer.json()["libelle"]


def test_reject_scenario_and_traiter_rejet(emu, api):
    invoice_id = deposit_one(emu, api, D.SIRET_SCENARIO_REJECT)
    emu.advance(20 * STEP_SECONDS)
    answer = history(api, invoice_id)
    assert answer["statutCourantCode"] == "REJETEE"
    assert "nouvelle facture" in answer["historiquesDesStatuts"]["histoStatut"][0][
        "histoStatutCommentaire"]
    api.ok("factures/v1/traiterRejet", {"listeDemandePaiement": [{"idDemandePaiement":
                                                                  invoice_id}],
                                        "motifRejet": "Refacturé"})
    found = api.ok("factures/v1/rechercher/fournisseur", {"rejetTraite": True})
    assert [i["identifiantFactureCPP"] for i in found["listeFactures"]] == [invoice_id]


@pytest.mark.parametrize("service, final", [
    (D.SERVICE_SCENARIO_RECYCLE, "A_RECYCLER"),
    (D.SERVICE_SCENARIO_SUSPEND, "SUSPENDUE"),
    (D.SERVICE_SCENARIO_REJECT, "REJETEE"),
    ("SERV001", "MISE_EN_PAIEMENT"),
])
def test_scenario_service_codes(emu, api, service, final):
    invoice_id = deposit_one(emu, api, D.SIRET_MANY_SERVICES, service_code=service)
    emu.advance(20 * STEP_SECONDS)
    assert api.status(invoice_id) == final


def test_search_by_state_change_period_returns_only_changed(emu, api):
    first = deposit_one(emu, api, number="F-P1")
    emu.advance(20 * STEP_SECONDS)  # first is paid, nothing else moves
    second = deposit_one(emu, api, number="F-P2")
    mark = emu.now().isoformat()
    emu.advance(STEP_SECONDS)  # second moves to MISE_A_DISPOSITION
    found = api.ok("factures/v1/rechercher/fournisseur",
                   {"periodeDateHeureEtatCourantDu": mark})
    assert [i["identifiantFactureCPP"] for i in found["listeFactures"]] == [second]
    assert found["listeFactures"][0]["statut"] == "MISE_A_DISPOSITION"
    everything = api.ok("factures/v1/rechercher/fournisseur", {})
    assert {i["identifiantFactureCPP"] for i in everything["listeFactures"]} == {first, second}


def test_search_by_status_list(emu, api):
    paid = deposit_one(emu, api, number="F-S1")
    emu.advance(20 * STEP_SECONDS)
    deposit_one(emu, api, number="F-S2")
    found = api.ok("factures/v1/rechercher/fournisseur",
                   {"statutCourant": ["MISE_EN_PAIEMENT", "REJETEE"]})
    assert [i["identifiantFactureCPP"] for i in found["listeFactures"]] == [paid]


def test_set_invoice_status_helper_freezes_the_invoice(emu, api):
    invoice_id = deposit_one(emu, api)
    emu.set_invoice_status(invoice_id, "SUSPENDUE", "Test")
    emu.advance(10 * STEP_SECONDS)
    answer = history(api, invoice_id)
    assert answer["statutCourantCode"] == "SUSPENDUE"
    assert answer["historiquesDesStatuts"]["histoStatut"][0]["histoStatutCommentaire"] == "Test"
    with pytest.raises(ValueError):
        emu.set_invoice_status(invoice_id, "NOT_A_STATUS")
