"""Emulator: PISTE token endpoint and gateway checks (401 / 403 / 404 / 415 / 400)."""

import requests
from sandbox_fixtures import JSON_TYPE, RawApi, account_header

from chorus.sandbox import directory

ACCOUNT_CHALLENGE = ('Bearer realm="PISTE",error="Unauthorized",'
                     'error_description="login or password incorrects"')
STRUCTURES_ACTIVES = "transverses/v1/recuperer/structures/actives/fournisseur"


def test_token_answer_has_oauth_fields(api):
    answer = api.fetch_token()
    assert answer.status_code == 200
    payload = answer.json()
    assert payload["token_type"] == "Bearer"
    assert payload["expires_in"] == 3600
    assert payload["scope"] == "openid"
    assert len(payload["access_token"]) >= 32


def test_token_accepts_http_basic_client_auth(api):
    answer = requests.post(api.token_url, data={"grant_type": "client_credentials"},
                           auth=(directory.DEMO_CLIENT_ID, directory.DEMO_CLIENT_SECRET),
                           timeout=10)
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer"


def test_bad_client_secret_gives_invalid_client(api):
    api.secret = "wrong"
    answer = api.fetch_token()
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client"


def test_unknown_grant_type_is_refused(api):
    answer = requests.post(api.token_url, data={
        "grant_type": "password", "client_id": directory.DEMO_CLIENT_ID,
        "client_secret": directory.DEMO_CLIENT_SECRET}, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_token_expires_on_the_emulated_clock(emu, api):
    assert api.post(STRUCTURES_ACTIVES).status_code == 200
    emu.advance(3601)
    answer = api.post(STRUCTURES_ACTIVES, headers=api.headers())
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_revoked_tokens_answer_401_and_a_new_token_works(emu, api):
    api.token()
    emu.revoke_tokens()
    assert api.post(STRUCTURES_ACTIVES, headers=api.headers()).status_code == 401
    api._token = None
    assert api.post(STRUCTURES_ACTIVES).status_code == 200


def test_missing_or_unknown_bearer_gives_401(api):
    assert api.post(STRUCTURES_ACTIVES, headers=api.headers(Authorization=None)
                    ).status_code == 401
    answer = api.post(STRUCTURES_ACTIVES, headers=api.headers(Authorization="Bearer nope"))
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="PISTE"')


def test_wrong_password_gives_401_with_piste_challenge(api):
    headers = api.headers(cpro_account=account_header(directory.DEMO_LOGIN, "bad"))
    answer = api.post(STRUCTURES_ACTIVES, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == ACCOUNT_CHALLENGE


def test_missing_or_garbled_cpro_account_gives_401(api):
    for value in (None, "not base64 !!", account_header("nobody@cpro.fr", "x")):
        answer = api.post(STRUCTURES_ACTIVES, headers=api.headers(cpro_account=value))
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == ACCOUNT_CHALLENGE


def test_account_of_another_application_gives_401(api):
    headers = api.headers(cpro_account=account_header(directory.SECOND_LOGIN,
                                                      directory.SECOND_PASSWORD))
    assert api.post(STRUCTURES_ACTIVES, headers=headers).status_code == 401


def test_unsubscribed_application_gets_403_everywhere(sandbox_server, emu):
    caller = RawApi(sandbox_server.base_url, sandbox_server.token_url,
                    client_id=directory.UNSUBSCRIBED_CLIENT_ID,
                    secret=directory.UNSUBSCRIBED_CLIENT_SECRET)
    assert caller.fetch_token().status_code == 200
    assert caller.post(STRUCTURES_ACTIVES).status_code == 403
    assert caller.post("factures/v1/deposer/flux", {}).status_code == 403


def test_unknown_route_gives_403_like_piste(api):
    answer = api.post("factures/v1/consulter/cr", {"numeroFluxDepot": "x"})
    assert answer.status_code == 403


def test_path_outside_api_gives_404(api):
    answer = requests.get(api.base_url + "/nothing/here", timeout=10)
    assert answer.status_code == 404


def test_wrong_method_gives_405(api):
    answer = api.session.get(f"{api.base_url}/cpro/{STRUCTURES_ACTIVES}",
                             headers=api.headers(), timeout=10)
    assert answer.status_code == 405


def test_non_json_content_type_gives_415(api):
    answer = api.post(STRUCTURES_ACTIVES, data=b"{}",
                      headers=api.headers(Content_Type="text/plain"))
    assert answer.status_code == 415
    assert answer.json()["codeRetour"] != 0


def test_invalid_json_and_non_object_body_give_400(api):
    answer = api.post(STRUCTURES_ACTIVES, data=b"{not json")
    assert answer.status_code == 400
    assert "JSON" in answer.json()["libelle"]
    answer = api.post(STRUCTURES_ACTIVES, data=b"[1, 2]")
    assert answer.status_code == 400
    assert "objet JSON" in answer.json()["libelle"]


def test_health_check_is_a_get_with_auth(api):
    url = f"{api.base_url}/cpro/transverses/v1/health-check"
    answer = requests.get(url, headers=api.headers(Content_Type=None), timeout=10)
    assert answer.status_code == 200
    assert answer.json()["codeRetour"] == 0
    assert answer.json()["statusCode"] == "OK"
    assert answer.headers["Content-Type"] == JSON_TYPE
    assert requests.get(url, timeout=10).status_code == 401


def test_calls_are_recorded_with_status(emu, api):
    emu.reset_calls()
    api.post(STRUCTURES_ACTIVES)
    calls = emu.api_calls()
    assert [(c.method, c.path, c.status) for c in calls] == [
        ("POST", f"/cpro/{STRUCTURES_ACTIVES}", 200)]
    assert [c.path for c in emu.calls] == ["/api/oauth/token", f"/cpro/{STRUCTURES_ACTIVES}"]
