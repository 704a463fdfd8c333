"""Client transport against a scripted loopback server: headers, token, errors, retries."""

import base64
import logging
from urllib.parse import parse_qs

import pytest
from client_fixtures import (
    CLIENT_SECRET,
    LOGIN,
    PASSWORD,
    Reply,
    free_port,
    make_config,
)

from chorus.client import ChorusClient
from chorus.errors import (
    ChorusAuthError,
    ChorusPayloadTooLarge,
    ChorusPermissionError,
    ChorusRateLimited,
    ChorusUnavailable,
    ChorusUnknownOutcome,
    ChorusValidationError,
)

FLUX = "/cpro/factures/v1/deposer/flux"
SEARCH = "/cpro/factures/v1/rechercher/fournisseur"
CR = "/cpro/transverses/v1/consulterCRDetaille"
CPRO_ACCOUNT = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
SECRETS = (CLIENT_SECRET, PASSWORD, CPRO_ACCOUNT, "tok-1", "tok-2")
DEPOSIT_OK = {"codeRetour": 0, "libelle": "TRA_MSG_00.000",
              "numeroFluxDepot": "CPP0011110000000000001557", "dateDepot": "2024-05-02",
              "syntaxeFlux": "IN_DP_E2_CII_FACTURX"}


def deposit(client):
    return client.deposit_flow(b"%PDF-1.7 facture", "facture_F1.pdf", "IN_DP_E2_CII_FACTURX")


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


# --- headers and token -----------------------------------------------------------


def test_every_call_sends_the_documented_headers(scripted, scripted_client):
    scripted.script(FLUX, Reply(body=DEPOSIT_OK))
    result = deposit(scripted_client)
    assert result.flow_number == "CPP0011110000000000001557"
    assert result.deposit_date == "2024-05-02"

    (token_request,) = scripted.token_requests()
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(token_request.body.decode())
    assert form == {"grant_type": ["client_credentials"], "client_id": ["scripted-client"],
                    "client_secret": [CLIENT_SECRET], "scope": ["openid"]}

    (call,) = scripted.api_requests(FLUX)
    assert call.method == "POST"
    assert call.headers["Authorization"] == "Bearer tok-1"
    assert call.headers["cpro-account"] == CPRO_ACCOUNT
    assert base64.b64decode(call.headers["cpro-account"]).decode() == f"{LOGIN}:{PASSWORD}"
    assert call.headers["Content-Type"] == "application/json;charset=utf-8"
    assert call.headers["Accept"] == "application/json;charset=utf-8"
    body = call.json()
    assert body == {"fichierFlux": base64.b64encode(b"%PDF-1.7 facture").decode(),
                    "nomFichier": "facture_F1.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX",
                    "avecSignature": False}


def test_cpro_account_is_utf8_base64_of_login_and_password(scripted):
    config = make_config(scripted.base_url, scripted.token_url, password="Mot-de-passe-é€")
    with ChorusClient(config) as client:
        client.get_supplier_structures()
    header = scripted.api_requests()[0].headers["cpro-account"]
    assert base64.b64decode(header).decode("utf-8") == f"{LOGIN}:Mot-de-passe-é€"


def test_health_check_is_a_get_without_body(scripted, scripted_client):
    scripted.script("/cpro/transverses/v1/health-check",
                    Reply(body={"body": "OK", "statusCodeValue": 200}))
    assert scripted_client.health_check() is True
    (call,) = scripted.api_requests()
    assert call.method == "GET" and call.body == b""
    assert call.headers["Authorization"] == "Bearer tok-1"


def test_token_is_cached_and_shared_between_clients(scripted, scripted_client):
    for _ in range(3):
        scripted_client.get_flow_report("CPP1")
    with ChorusClient(make_config(scripted.base_url, scripted.token_url)) as other:
        other.get_flow_report("CPP1")
    assert len(scripted.token_requests()) == 1
    assert len(scripted.api_requests(CR)) == 4


def test_a_different_secret_does_not_reuse_the_cached_token(scripted, scripted_client):
    scripted_client.get_flow_report("CPP1")
    other = ChorusClient(make_config(scripted.base_url, scripted.token_url,
                                     client_secret="another"))
    other.get_flow_report("CPP1")
    assert len(scripted.token_requests()) == 2


def test_token_is_renewed_before_it_expires(scripted):
    now = [1000.0]
    client = ChorusClient(make_config(scripted.base_url, scripted.token_url),
                          clock=lambda: now[0])
    client.get_flow_report("CPP1")
    now[0] += 3600 - 240 - 1  # still inside the margin
    client.get_flow_report("CPP1")
    assert len(scripted.token_requests()) == 1
    now[0] += 2  # 239 s before expiry: renew ahead of time
    client.get_flow_report("CPP1")
    assert len(scripted.token_requests()) == 2
    assert scripted.api_requests(CR)[-1].headers["Authorization"] == "Bearer tok-2"


def test_401_asks_a_new_token_once_then_succeeds(scripted, scripted_client):
    scripted.script(CR, Reply(401, {}, headers={"WWW-Authenticate": 'Bearer realm="PISTE"'}),
                    Reply(body={"codeRetour": 0, "etatCourantDepotFlux": "IN_INTEGRE"}))
    assert scripted_client.get_flow_report("CPP1").state == "IN_INTEGRE"
    calls = scripted.api_requests(CR)
    assert [c.headers["Authorization"] for c in calls] == ["Bearer tok-1", "Bearer tok-2"]
    assert len(scripted.token_requests()) == 2


def test_deposit_is_replayed_after_a_401_because_it_never_reached_chorus(scripted,
                                                                         scripted_client):
    scripted.script(FLUX, Reply(401, {}), Reply(body=DEPOSIT_OK))
    assert deposit(scripted_client).flow_number == DEPOSIT_OK["numeroFluxDepot"]
    assert len(scripted.api_requests(FLUX)) == 2


def test_401_twice_is_a_token_error(scripted, scripted_client):
    scripted.script(CR, Reply(401, {}), Reply(401, {}))
    with pytest.raises(ChorusAuthError) as info:
        scripted_client.get_flow_report("CPP1")
    assert info.value.kind == "token"
    assert len(scripted.api_requests(CR)) == 2


def test_wrong_technical_account_is_an_account_error(scripted, scripted_client):
    header = ('Bearer realm="PISTE",error="Unauthorized",'
              'error_description="login or password incorrects"')
    scripted.script(CR, *[Reply(401, {}, headers={"WWW-Authenticate": header})] * 2)
    with pytest.raises(ChorusAuthError) as info:
        scripted_client.get_flow_report("CPP1")
    assert info.value.kind == "account"
    assert "technical account" in info.value.message
    assert len(scripted.api_requests(CR)) == 1  # a new token cannot fix a wrong password
    assert_no_secret(info.value.message + repr(info.value))


def test_wrong_client_id_or_secret_is_a_client_error(scripted, scripted_client):
    scripted.token_queue.append(Reply(400, {"error": "invalid_client"}))
    with pytest.raises(ChorusAuthError) as info:
        scripted_client.get_flow_report("CPP1")
    assert info.value.kind == "client"
    assert "invalid_client" in info.value.message
    assert scripted.api_requests() == []
    assert_no_secret(str(info.value))


# --- answers mapped to typed errors -------------------------------------------------


def test_403_says_which_api_to_subscribe(scripted, scripted_client):
    scripted.script(FLUX, Reply(403, {}))
    with pytest.raises(ChorusPermissionError) as info:
        deposit(scripted_client)
    assert "'Factures'" in info.value.message and "subscribe" in info.value.message
    assert info.value.http_status == 403


def test_http_200_with_non_zero_code_retour_is_an_error(scripted, scripted_client):
    scripted.script(FLUX, Reply(body={"codeRetour": 20002, "libelle": "GDP_MSG_11.001"}))
    with pytest.raises(ChorusValidationError) as info:
        deposit(scripted_client)
    assert info.value.code_retour == 20002
    assert info.value.libelle == "GDP_MSG_11.001"
    assert info.value.http_status == 200
    assert info.value.message == (
        "Chorus Pro refused the invoice file deposit: GDP_MSG_11.001 (code 20002).")


def test_file_too_large_code_on_http_200(scripted, scripted_client):
    scripted.script(FLUX, Reply(body={"codeRetour": 20001, "libelle": "GDP_MSG_11.022"}))
    with pytest.raises(ChorusPayloadTooLarge):
        deposit(scripted_client)


def test_400_carries_code_retour_and_libelle(scripted, scripted_client):
    scripted.script(CR, Reply(400, {"codeRetour": 10001,
                                    "libelle": "Le champ 'numeroFluxDepot' est obligatoire."}))
    with pytest.raises(ChorusValidationError) as info:
        scripted_client.get_flow_report("CPP1")
    assert info.value.code_retour == 10001 and info.value.http_status == 400
    assert "Le champ 'numeroFluxDepot' est obligatoire." in info.value.message


@pytest.mark.parametrize("reply", [
    Reply(body={"codeRetour": 20000, "libelle": "TRA_MSG_00.015"}),
    Reply(400, {"codeRetour": 20000, "libelle": "Aucun résultat"}),
    Reply(body={"codeRetour": 99, "libelle": "TRA_MSG_00.015"}),
])
def test_no_result_codes_mean_an_empty_search(scripted, scripted_client, reply):
    scripted.script(SEARCH, reply)
    page = scripted_client.search_invoices(flow_number="CPP1")
    assert page.invoices == [] and page.total == 0
    assert list(scripted_client.iter_invoices(flow_number="CPP1")) == []


def test_no_result_code_on_a_non_search_is_an_error(scripted, scripted_client):
    scripted.script(CR, Reply(body={"codeRetour": 20000, "libelle": "TRA_MSG_00.015"}))
    with pytest.raises(ChorusValidationError):
        scripted_client.get_flow_report("CPP1")


@pytest.mark.parametrize("status, error", [
    (413, ChorusPayloadTooLarge), (415, ChorusValidationError), (500, ChorusUnavailable),
])
def test_http_statuses(scripted, scripted_client, status, error):
    scripted.script(CR, Reply(status, {}))
    with pytest.raises(error) as info:
        scripted_client.get_flow_report("CPP1")
    assert info.value.http_status == status
    assert len(scripted.api_requests(CR)) == 1  # none of them is retried


def test_malformed_json_on_a_read_is_unavailable(scripted, scripted_client):
    scripted.script(CR, Reply(raw=b"<html>Bad gateway</html>"))
    with pytest.raises(ChorusUnavailable) as info:
        scripted_client.get_flow_report("CPP1")
    assert "unreadable" in info.value.message


def test_malformed_json_on_a_deposit_is_an_unknown_outcome(scripted, scripted_client):
    scripted.script(FLUX, Reply(raw=b"{not json"))
    with pytest.raises(ChorusUnknownOutcome):
        deposit(scripted_client)


# --- retries --------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", ["1", "0.5", "soon"])
def test_429_is_retried_after_retry_after(scripted, scripted_client, retry_after):
    # The wait is capped by max_retry_after (0.2 s in tests); odd values fall back
    # to the exponential backoff.
    scripted.script(CR, Reply(429, {}, headers={"Retry-After": retry_after}),
                    Reply(body={"codeRetour": 0, "etatCourantDepotFlux": "IN_RECU"}))
    assert scripted_client.get_flow_report("CPP1").state == "IN_RECU"
    assert len(scripted.api_requests(CR)) == 2


def test_persistent_429_is_rate_limited(scripted, scripted_client):
    scripted.script(CR, *[Reply(429, {}, headers={"Retry-After": "7"})] * 5)
    with pytest.raises(ChorusRateLimited) as info:
        scripted_client.get_flow_report("CPP1")
    assert info.value.retry_after == 7.0
    assert "try again in 7 s" in info.value.message
    assert len(scripted.api_requests(CR)) == 3  # max_retries=2


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_on_reads(scripted, scripted_client, status):
    scripted.script(CR, Reply(status, {}),
                    Reply(body={"codeRetour": 0, "etatCourantDepotFlux": "IN_INTEGRE"}))
    assert scripted_client.get_flow_report("CPP1").state == "IN_INTEGRE"
    assert len(scripted.api_requests(CR)) == 2


def test_connection_reset_on_a_read_is_retried(scripted, scripted_client):
    scripted.script(CR, Reply(action="reset"),
                    Reply(body={"codeRetour": 0, "etatCourantDepotFlux": "IN_INTEGRE"}))
    assert scripted_client.get_flow_report("CPP1").state == "IN_INTEGRE"
    assert len(scripted.api_requests(CR)) == 2


def test_read_timeout_on_a_read_is_unavailable_after_retries(scripted):
    config = make_config(scripted.base_url, scripted.token_url, timeout=0.2, max_retries=1)
    scripted.script(CR, *[Reply(action="hang", delay=0.5)] * 2)
    with ChorusClient(config) as client, pytest.raises(ChorusUnavailable) as info:
        client.get_flow_report("CPP1")
    assert "did not answer within 0.2 s" in info.value.message
    assert len(scripted.api_requests(CR)) == 2


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_deposit_is_never_retried_on_an_answer(scripted, scripted_client, status):
    scripted.script(FLUX, Reply(status, {}, headers={"Retry-After": "0"}),
                    Reply(body=DEPOSIT_OK))
    with pytest.raises((ChorusUnavailable, ChorusUnknownOutcome, ChorusRateLimited)) as info:
        deposit(scripted_client)
    expected = ChorusUnknownOutcome if status in (502, 504) else (
        ChorusRateLimited if status == 429 else ChorusUnavailable)
    assert type(info.value) is expected
    assert len(scripted.api_requests(FLUX)) == 1


def test_deposit_read_timeout_is_an_unknown_outcome(scripted):
    config = make_config(scripted.base_url, scripted.token_url, timeout=0.2)
    scripted.script(FLUX, Reply(action="hang", delay=0.5, body=DEPOSIT_OK))
    with ChorusClient(config) as client, pytest.raises(ChorusUnknownOutcome) as info:
        deposit(client)
    assert "may have recorded it" in info.value.message
    assert len(scripted.api_requests(FLUX)) == 1


def test_deposit_connection_reset_is_an_unknown_outcome(scripted, scripted_client):
    scripted.script(FLUX, Reply(action="reset"))
    with pytest.raises(ChorusUnknownOutcome):
        deposit(scripted_client)
    assert len(scripted.api_requests(FLUX)) == 1


def test_deposit_to_a_closed_port_is_unavailable_not_unknown(scripted):
    port = free_port()
    config = make_config(f"http://127.0.0.1:{port}", scripted.token_url)
    with ChorusClient(config) as client, pytest.raises(ChorusUnavailable) as info:
        deposit(client)
    assert not isinstance(info.value, ChorusUnknownOutcome)
    assert "cannot be reached at 127.0.0.1" in info.value.message


def test_unreachable_token_endpoint_is_unavailable():
    port = free_port()
    config = make_config(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/token")
    with ChorusClient(config) as client, pytest.raises(ChorusUnavailable):
        client.get_flow_report("CPP1")


# --- secrets ----------------------------------------------------------------------------


def test_no_secret_in_logs_reprs_and_messages(scripted, caplog):
    caplog.set_level(logging.DEBUG)
    scripted.script(FLUX, Reply(body=DEPOSIT_OK))
    scripted.script(CR, Reply(401, {}), Reply(401, {}))
    client = ChorusClient(make_config(scripted.base_url, scripted.token_url))
    deposit(client)
    with pytest.raises(ChorusAuthError) as info:
        client.get_flow_report("CPP1")
    texts = [caplog.text, repr(client), repr(client.config), str(client.config),
             repr(client.config.public_dict()), str(info.value), repr(info.value),
             repr(client.transport.__dict__)]
    assert "Chorus deposit_flow: HTTP 200" in caplog.text
    for text in texts:
        assert_no_secret(text)
