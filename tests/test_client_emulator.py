"""Every client operation against the emulator over real loopback HTTP.

The emulator validates request bodies as strictly as Chorus Pro (unknown or
missing field → HTTP 400), so each successful call also proves the field names.
"""

from datetime import timedelta

import pytest
from client_fixtures import make_config

from chorus import codes, parsing
from chorus import types as t
from chorus.client import ChorusClient
from chorus.errors import ChorusPayloadTooLarge, ChorusValidationError
from chorus.sandbox import (
    DEMO_BASE_URL,
    DEMO_TOKEN_URL,
    FLOW_FINAL_AFTER,
    STEP_SECONDS,
    EmulatorAdapter,
)
from chorus.sandbox import directory as d

SEARCH = "rechercher/fournisseur"


def structure_id(client, siret):
    (structure,) = client.search_structures(siret)
    return structure.id


# --- directory ----------------------------------------------------------------------


def test_health_check_and_supplier_data(emu_client):
    assert emu_client.health_check() is True
    assert emu_client.get_supplier_structures() == [
        t.SupplierStructure(d.SUPPLIER_ID, d.SUPPLIER_SIRET, d.SUPPLIER_NAME)]
    accounts = emu_client.get_bank_accounts(d.SUPPLIER_ID)
    assert [a.id for a in accounts] == [b[0] for b in d.SUPPLIER_BANK_ACCOUNTS]
    assert accounts[0].name == d.SUPPLIER_BANK_ACCOUNTS[0][1]


@pytest.mark.parametrize("siret, requirement, no_payment", [
    (d.SIRET_NO_REQUIREMENT, "none", False),
    (d.SIRET_SERVICE_REQUIRED, "service", False),
    (d.SIRET_EJ_REQUIRED, "engagement", False),
    (d.SIRET_SERVICE_OR_EJ, "service_or_engagement", False),
    (d.SIRET_SERVICE_AND_EJ, "service_and_engagement", False),
    (d.SIRET_NO_PAYMENT_STATUS, "none", True),
])
def test_structure_requirements(emu_client, siret, requirement, no_payment):
    (structure,) = emu_client.search_structures(siret)
    assert structure.identifier == siret and structure.active
    details = emu_client.get_structure(structure.id)
    assert details.identifier == siret and details.public
    assert details.requirement == requirement
    assert details.payment_status_not_reported is no_payment


def test_structure_details_give_the_head_office_address(emu_client):
    structure = d.structure_by_siret(d.SIRET_NO_REQUIREMENT)
    details = emu_client.get_structure(structure.id)
    assert details.address == t.PostalAddress(
        street=structure.street, zip=structure.postcode, city=structure.city, country="FR")


def test_postal_address_parsing_keeps_what_chorus_sends():
    block = {"adresse": "2 rue Basse", "codePostal": "45100", "complementAdresse1": "Bât. A",
             "complementAdresse2": None, "ville": "Valbourg", "pays": "FR",
             "telephone": None, "indicatifTelephone": None, "fax": None, "indicatifFax": None}
    assert parsing.postal_address(block) == t.PostalAddress(
        "2 rue Basse", "Bât. A", "45100", "Valbourg", "FR")
    empty = dict.fromkeys(block)
    assert parsing.postal_address(empty) is None
    assert parsing.structure_details({"informationGenerales": {}}).address is None


def test_inactive_and_unknown_structures(emu_client):
    (inactive,) = emu_client.search_structures(d.SIRET_INACTIVE)
    assert inactive.status == "INACTIVE" and not inactive.active
    assert emu_client.search_structures(d.SIRET_UNKNOWN) == []


def test_own_structure_gives_the_password_expiry_date(emu_client, chorus_emu):
    details = emu_client.get_structure(d.SUPPLIER_ID)
    assert not details.public
    assert details.password_expiry_date == chorus_emu.password_expiry(d.DEMO_LOGIN)


def test_services_are_read_over_all_pages(emu_client, chorus_emu):
    sid = structure_id(emu_client, d.SIRET_MANY_SERVICES)
    chorus_emu.reset_calls()
    services = list(emu_client.iter_structure_services(sid, page_size=10))
    assert len(services) == 25 and len({s.id for s in services}) == 25
    assert len(chorus_emu.api_calls("rechercher/services")) == 3
    by_code = {s.code: s for s in services}
    assert by_code[d.SERVICE_ACHATS].active
    assert not by_code[d.SERVICE_INACTIVE].active


def test_service_details(emu_client):
    sid = structure_id(emu_client, d.SIRET_SERVICE_REQUIRED)
    services = {s.code: s for s in emu_client.iter_structure_services(sid)}
    works = emu_client.get_service(sid, services[d.SERVICE_WITH_EJ].id)
    assert works.code == d.SERVICE_WITH_EJ and works.engagement_required
    purchases = emu_client.get_service(sid, services[d.SERVICE_ACHATS].id)
    assert not purchases.engagement_required


def test_engagements(emu_client):
    (found,) = emu_client.search_engagements(d.SUPPLIER_ID, d.KNOWN_EJ)
    assert found.number == d.KNOWN_EJ and found.state == "COMMANDE"
    assert emu_client.search_engagements(d.SUPPLIER_ID, "EJ-INCONNU") == []


# --- flows ------------------------------------------------------------------------------


def test_deposit_then_flow_report_follows_the_clock(emu_client, chorus_emu):
    deposit = emu_client.deposit_flow(b"<not an invoice/>", "facture_X1.xml",
                                      "IN_DP_E1_CII_16B")
    assert deposit.flow_number.startswith("CPP")
    assert deposit.syntax == "IN_DP_E1_CII_16B"
    report = emu_client.get_flow_report(deposit.flow_number)
    assert report.state == "IN_RECU" and not codes.is_flow_final(report.state)
    chorus_emu.advance(FLOW_FINAL_AFTER)
    report = emu_client.get_flow_report(deposit.flow_number, syntax="IN_DP_E1_CII_16B")
    assert codes.is_flow_final(report.state)
    assert report.state in ("IN_REJETE", "IN_INCIDENTE")
    assert report.technical_errors and report.technical_errors[0].message
    assert len(chorus_emu.api_calls("deposer/flux")) == 1


def test_valid_factur_x_flow_is_integrated_and_followed(emu_client, chorus_emu):
    samples = pytest.importorskip("facturx_samples")  # the emulator engineer's samples
    pdf = samples.facturx_pdf(samples.cii_xml("F2024-0001", d.SIRET_NO_REQUIREMENT))
    deposit = emu_client.deposit_flow(pdf, "facture_F2024-0001.pdf", "IN_DP_E2_CII_FACTURX")
    chorus_emu.advance(FLOW_FINAL_AFTER)
    assert emu_client.get_flow_report(deposit.flow_number).state == "IN_INTEGRE"
    (invoice,) = emu_client.iter_invoices(flow_number=deposit.flow_number)
    assert invoice.number == "F2024-0001" and invoice.status == "DEPOSEE"
    for _ in range(6):
        chorus_emu.advance(STEP_SECONDS)
    history = emu_client.get_invoice_history(invoice.chorus_id)
    assert history.current_status == "MISE_EN_PAIEMENT"
    assert codes.is_final(history.current_status)


def test_deposit_too_large_is_refused_before_sending(emu_client, chorus_emu):
    with pytest.raises(ChorusPayloadTooLarge) as info:
        emu_client.deposit_flow(b"x" * (10 * 1024 * 1024 + 1), "big.xml", "IN_DP_E1_CII_16B")
    assert "at most 10.0 MB" in info.value.message
    assert chorus_emu.api_calls("deposer/flux") == []


# --- invoices ---------------------------------------------------------------------------


def test_paged_search_covers_every_invoice(emu_client, chorus_emu):
    ids = chorus_emu.seed_invoices(35)
    chorus_emu.reset_calls()
    page = emu_client.search_invoices(page=2, page_size=10)
    assert (page.page, page.pages, page.total) == (2, 4, 35)
    assert [i.chorus_id for i in page.invoices] == ids[10:20]
    found = list(emu_client.iter_invoices(page_size=10))
    assert [i.chorus_id for i in found] == ids
    assert len(chorus_emu.api_calls(SEARCH)) == 1 + 4


def test_search_filters(emu_client, chorus_emu):
    chorus_emu.seed_invoices(3, prefix="OLD")
    chorus_emu.advance(3600)
    since = chorus_emu.now()
    chorus_emu.seed_invoices(2, prefix="NEW")
    chorus_emu.seed_invoices(1, prefix="SUS", status="SUSPENDUE")
    recent = list(emu_client.iter_invoices(status_changed_from=since - timedelta(seconds=1)))
    assert sorted(i.number[:3] for i in recent) == ["NEW", "NEW", "SUS"]
    suspended = emu_client.search_invoices(statuses=["SUSPENDUE", "A_RECYCLER"])
    assert [i.number[:3] for i in suspended.invoices] == ["SUS"]
    number = recent[0].number
    (one,) = emu_client.search_invoices(invoice_number=number).invoices
    assert one.recipient_siret == d.SIRET_NO_REQUIREMENT and one.amount_total == 120.0
    assert emu_client.search_invoices(flow_number="CPP-INCONNU").invoices == []
    with pytest.raises(TypeError):
        emu_client.search_invoices(colour="blue")


def test_invoice_details_and_history(emu_client, chorus_emu):
    (chorus_id,) = chorus_emu.seed_invoices(1)
    details = emu_client.get_invoice(chorus_id)
    assert details.chorus_id == chorus_id and details.status == "DEPOSEE"
    assert details.framework == "A1_FACTURE_FOURNISSEUR" and details.amount_tax == 20.0
    chorus_emu.advance(STEP_SECONDS)
    history = emu_client.get_invoice_history(chorus_id)
    assert history.current_status == "MISE_A_DISPOSITION"
    assert [line.code for line in history.lines] == ["MISE_A_DISPOSITION", "DEPOSEE"]


def test_recycle_an_invoice(emu_client, chorus_emu):
    (chorus_id,) = chorus_emu.seed_invoices(1, buyer_siret=d.SIRET_SCENARIO_RECYCLE)
    chorus_emu.advance(STEP_SECONDS * 2)
    assert emu_client.get_invoice_history(chorus_id).current_status == "A_RECYCLER"
    assert codes.needs_supplier_action("A_RECYCLER")
    with pytest.raises(ChorusValidationError) as info:
        emu_client.recycle_invoice(chorus_id, d.SIRET_SERVICE_REQUIRED)
    assert info.value.code_retour in range(20004, 20015)
    update = emu_client.recycle_invoice(chorus_id, d.SIRET_SERVICE_AND_EJ,
                                        service_code=d.SERVICE_ACHATS,
                                        engagement="EJ2024000002", comment="Bon destinataire")
    assert update.chorus_id == chorus_id and update.status == "DEPOSEE"
    (invoice,) = emu_client.search_invoices(invoice_number=update.number).invoices
    assert invoice.recipient_siret == d.SIRET_SERVICE_AND_EJ
    assert invoice.engagement == "EJ2024000002"


def test_complete_a_suspended_invoice_with_an_attachment(emu_client, chorus_emu):
    (chorus_id,) = chorus_emu.seed_invoices(1, status="SUSPENDUE")
    attachment_id = emu_client.upload_attachment(b"%PDF-1.4 bon de livraison",
                                                 "bon_livraison.PDF")
    update = emu_client.complete_invoice(
        chorus_id, "Bon de livraison joint",
        [t.Attachment(attachment_id, "bon_livraison.PDF", "BON_LIVRAISON")])
    assert update.chorus_id == chorus_id
    assert emu_client.get_invoice_history(chorus_id).current_status == "COMPLETEE"


def test_attachment_size_code_20003_from_chorus(emu_client, monkeypatch):
    from chorus import rules
    monkeypatch.setattr(rules, "MAX_ATTACHMENT_SIZE", 64 * 1024 * 1024)  # skip our check
    with pytest.raises(ChorusPayloadTooLarge) as info:
        emu_client.upload_attachment(b"0" * (10 * 1024 * 1024 + 1), "annexe.pdf")
    assert info.value.code_retour == 20003


def submission(**overrides):
    values = dict(number="S2024-0001", invoice_date="2024-05-02",
                  recipient_siret=d.SIRET_NO_REQUIREMENT, supplier_id=d.SUPPLIER_ID,
                  bank_account_id=d.SUPPLIER_BANK_ACCOUNTS[0][0], payment_mode="VIREMENT",
                  amount_untaxed=100.0, amount_tax=20.0, amount_total=120.0,
                  amount_due=120.0,
                  lines=[t.SubmissionLine("Audit", 2, 50.0, vat_rate=20.0, unit="jour")],
                  vat_lines=[t.VatLine(20.0, 100.0, 20.0)])
    values.update(overrides)
    return t.InvoiceSubmission(**values)


def test_submit_keyed_invoice_and_duplicate_refusal(emu_client):
    update = emu_client.submit_invoice(submission())
    assert update.status == "DEPOSEE" and update.number == "S2024-0001"
    assert update.certificate_fingerprint
    with pytest.raises(ChorusValidationError) as info:
        emu_client.submit_invoice(submission())
    assert "doublon" in info.value.message


def test_submit_with_a_pdf_then_download(emu_client):
    pdf = b"%PDF-1.4 facture S2024-0002"
    attachment_id = emu_client.upload_attachment(pdf, "S2024-0002.pdf")
    update = emu_client.submit_invoice(submission(
        number="S2024-0002", main_attachment_id=attachment_id,
        main_attachment_name="S2024-0002.pdf", lines=[], vat_lines=[]))
    assert emu_client.download_invoices([update.chorus_id]) == pdf


def test_acknowledge_rejection(emu_client, chorus_emu):
    (rejected,) = chorus_emu.seed_invoices(1, status="REJETEE")
    (pending,) = chorus_emu.seed_invoices(1)
    emu_client.acknowledge_rejection([rejected], reason="Nouvelle facture émise")
    (invoice,) = emu_client.search_invoices(rejection_handled=True).invoices
    assert invoice.chorus_id == rejected
    with pytest.raises(ChorusValidationError):
        emu_client.acknowledge_rejection([pending])


def test_in_process_adapter(chorus_emu):
    config = make_config(DEMO_BASE_URL, DEMO_TOKEN_URL, client_id=d.DEMO_CLIENT_ID,
                         client_secret=d.DEMO_CLIENT_SECRET, login=d.DEMO_LOGIN,
                         password=d.DEMO_PASSWORD)
    with ChorusClient(config, adapter=EmulatorAdapter(chorus_emu)) as client:
        assert client.get_supplier_structures()[0].id == d.SUPPLIER_ID
