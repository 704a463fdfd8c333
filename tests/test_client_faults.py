"""Token lifecycle, credentials and fault switches, against the loopback emulator."""

import base64
import logging
import time

import pytest
from client_fixtures import emulator_config

from chorus.client import ChorusClient
from chorus.errors import (
    ChorusAuthError,
    ChorusPermissionError,
    ChorusRateLimited,
    ChorusUnavailable,
    ChorusUnknownOutcome,
)
from chorus.sandbox import FLOW_FINAL_AFTER
from chorus.sandbox import directory as d

SUPPLIERS = "structures/actives/fournisseur"
TOKEN = "/api/oauth/token"


def statuses(emu, path_part):
    return [call.status for call in emu.api_calls(path_part)]


def token_calls(emu):
    return len(emu.api_calls(TOKEN))


def deposit(client, name="facture_F9.xml"):
    return client.deposit_flow(b"<x/>", name, "IN_DP_E1_CII_16B")


# --- token ------------------------------------------------------------------------------


def test_expired_token_is_renewed_once_on_401(emu_client, chorus_emu):
    emu_client.get_supplier_structures()
    chorus_emu.advance(3600)  # the server expires the token; the client cache does not know
    assert emu_client.get_supplier_structures()[0].id == d.SUPPLIER_ID
    assert statuses(chorus_emu, SUPPLIERS) == [200, 401, 200]
    assert token_calls(chorus_emu) == 2


def test_token_is_renewed_ahead_of_expiry_without_a_401(emulator_server, chorus_emu):
    client = ChorusClient(emulator_config(emulator_server), clock=chorus_emu.now_ts)
    client.get_supplier_structures()
    chorus_emu.advance(3600 - 241)
    client.get_supplier_structures()
    assert token_calls(chorus_emu) == 1
    chorus_emu.advance(2)  # now 239 s before expiry: inside the 240 s margin
    client.get_supplier_structures()
    assert token_calls(chorus_emu) == 2
    assert statuses(chorus_emu, SUPPLIERS) == [200, 200, 200]


def test_revoked_token_costs_one_extra_call(emu_client, chorus_emu):
    emu_client.get_supplier_structures()
    chorus_emu.revoke_tokens()
    emu_client.get_supplier_structures()
    emu_client.get_supplier_structures()
    assert statuses(chorus_emu, SUPPLIERS) == [200, 401, 200, 200]
    assert token_calls(chorus_emu) == 2


def test_expired_token_fault(emu_client, chorus_emu):
    chorus_emu.inject_fault("expired_token")
    assert emu_client.get_supplier_structures()
    assert statuses(chorus_emu, SUPPLIERS) == [401, 200]
    chorus_emu.inject_fault("expired_token", count=2)
    with pytest.raises(ChorusAuthError) as info:
        emu_client.get_supplier_structures()
    assert info.value.kind == "token"


# --- credentials ------------------------------------------------------------------------


def test_wrong_client_secret(emulator_server, chorus_emu):
    client = ChorusClient(emulator_config(emulator_server, client_secret="faux-secret"))
    with pytest.raises(ChorusAuthError) as info:
        client.get_supplier_structures()
    assert info.value.kind == "client"
    assert "client ID or client secret" in info.value.message
    assert chorus_emu.api_calls() == []


def test_wrong_technical_password(emulator_server, chorus_emu):
    client = ChorusClient(emulator_config(emulator_server, password="mauvais-mot-de-passe"))
    with pytest.raises(ChorusAuthError) as info:
        client.get_supplier_structures()
    assert info.value.kind == "account"
    assert "mauvais-mot-de-passe" not in repr(info.value)


def test_unsubscribed_application_gets_a_permission_error(emulator_server, chorus_emu):
    client = ChorusClient(emulator_config(
        emulator_server, client_id=d.UNSUBSCRIBED_CLIENT_ID,
        client_secret=d.UNSUBSCRIBED_CLIENT_SECRET))
    with pytest.raises(ChorusPermissionError) as info:
        client.get_supplier_structures()
    assert "'Transverses'" in info.value.message and "piste.gouv.fr" in info.value.message
    assert statuses(chorus_emu, SUPPLIERS) == [403]


# --- fault switches -------------------------------------------------------------------


def test_500_is_not_retried(emu_client, chorus_emu):
    chorus_emu.inject_fault("500")
    with pytest.raises(ChorusUnavailable) as info:
        emu_client.get_supplier_structures()
    assert info.value.http_status == 500
    assert statuses(chorus_emu, SUPPLIERS) == [500]


def test_503_is_retried_then_succeeds(emu_client, chorus_emu):
    chorus_emu.inject_fault("503", retry_after=1)
    assert emu_client.get_supplier_structures()
    assert statuses(chorus_emu, SUPPLIERS) == [503, 200]


def test_503_until_retries_are_exhausted(emu_client, chorus_emu):
    chorus_emu.inject_fault("503", count=3)
    with pytest.raises(ChorusUnavailable) as info:
        emu_client.get_supplier_structures()
    assert "HTTP 503" in info.value.message
    assert statuses(chorus_emu, SUPPLIERS) == [503, 503, 503]  # max_retries=2


def test_429_honours_retry_after_then_succeeds(emu_client, chorus_emu):
    chorus_emu.inject_fault("429", retry_after=1)
    assert emu_client.get_supplier_structures()
    assert statuses(chorus_emu, SUPPLIERS) == [429, 200]


def test_persistent_429_is_rate_limited(emu_client, chorus_emu):
    chorus_emu.inject_fault("429", count=3, retry_after=30)
    start = time.monotonic()
    with pytest.raises(ChorusRateLimited) as info:
        emu_client.get_supplier_structures()
    assert time.monotonic() - start < 5  # Retry-After waits are capped (max_retry_after)
    assert info.value.retry_after == 30
    assert len(chorus_emu.api_calls(SUPPLIERS)) == 3


def test_malformed_answer_on_a_read(emu_client, chorus_emu):
    chorus_emu.inject_fault("malformed")
    with pytest.raises(ChorusUnavailable) as info:
        emu_client.search_invoices()
    assert "unreadable" in info.value.message


def test_hang_on_a_read_is_retried(emulator_server, chorus_emu):
    client = ChorusClient(emulator_config(emulator_server, timeout=0.3))
    chorus_emu.inject_fault("hang", delay=0.8)
    assert client.get_supplier_structures()[0].id == d.SUPPLIER_ID
    time.sleep(0.7)  # let the hung call finish on the server
    assert sorted(statuses(chorus_emu, SUPPLIERS)) == [200, 200]


@pytest.mark.parametrize("kind, error", [
    ("503", ChorusUnavailable), ("429", ChorusRateLimited),
    ("500", ChorusUnknownOutcome), ("malformed", ChorusUnknownOutcome),
])
def test_deposit_is_never_retried_after_a_fault(emu_client, chorus_emu, kind, error):
    chorus_emu.inject_fault(kind, count=1, retry_after=1)
    with pytest.raises(error):
        deposit(emu_client)
    assert len(chorus_emu.api_calls("deposer/flux")) == 1


def test_deposit_read_timeout_is_an_unknown_outcome_then_reconciled(emulator_server,
                                                                   chorus_emu):
    samples = pytest.importorskip("facturx_samples")
    pdf = samples.facturx_pdf(samples.cii_xml("F2024-0042", d.SIRET_NO_REQUIREMENT))
    client = ChorusClient(emulator_config(emulator_server, timeout=0.3))
    chorus_emu.inject_fault("hang", delay=0.8)
    with pytest.raises(ChorusUnknownOutcome) as info:
        client.deposit_flow(pdf, "facture_F2024-0042.pdf", "IN_DP_E2_CII_FACTURX")
    assert "before sending it again" in info.value.message
    time.sleep(0.8)  # the emulator executes the hung deposit anyway, like Chorus would
    assert statuses(chorus_emu, "deposer/flux") == [200]  # exactly one deposit received
    chorus_emu.advance(FLOW_FINAL_AFTER)
    (found,) = client.search_invoices(invoice_number="F2024-0042").invoices
    assert found.flow_number  # reconciliation finds the deposit Chorus recorded


# --- secrets ------------------------------------------------------------------------------


def test_no_secret_in_logs_or_errors_across_a_faulty_session(emulator_server, chorus_emu,
                                                             caplog):
    caplog.set_level(logging.DEBUG)
    client = ChorusClient(emulator_config(emulator_server, timeout=0.3))
    errors = []
    client.get_supplier_structures()
    token = client.get_token()
    for kind in ("500", "malformed", "expired_token"):
        chorus_emu.inject_fault(kind, count=2)
        try:
            client.get_supplier_structures()
        except Exception as exc:  # collecting the messages
            errors.append(f"{exc} {exc!r}")
    chorus_emu.clear_faults()
    deposit(client)
    bad = ChorusClient(emulator_config(emulator_server, password="Autre-Secret-1"))
    try:
        bad.get_supplier_structures()
    except ChorusAuthError as exc:
        errors.append(f"{exc} {exc!r}")
    assert len(errors) == 4
    cpro = base64.b64encode(f"{d.DEMO_LOGIN}:{d.DEMO_PASSWORD}".encode()).decode()
    text = caplog.text + "\n".join(errors) + repr(client) + repr(client.config)
    for secret in (d.DEMO_CLIENT_SECRET, d.DEMO_PASSWORD, "Autre-Secret-1", cpro, token):
        assert secret not in text
    assert "Chorus get_supplier_structures: HTTP 200" in caplog.text
