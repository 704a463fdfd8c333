"""Emulator: injected faults (500, 503, 429, hang, malformed, expired_token), control API."""

import json
import time

import pytest
import requests

STRUCTURES_ACTIVES = "transverses/v1/recuperer/structures/actives/fournisseur"


def test_500_fault_applies_to_count_calls_then_stops(emu, api):
    api.token()
    emu.inject_fault("500", count=2)
    assert [api.post(STRUCTURES_ACTIVES, headers=api.headers()).status_code
            for _ in range(3)] == [500, 500, 200]


def test_503_is_html_with_retry_after(emu, api):
    api.token()
    emu.inject_fault("503", retry_after=7)
    answer = api.post(STRUCTURES_ACTIVES)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "7"
    assert answer.headers["Content-Type"].startswith("text/html")


def test_429_carries_retry_after(emu, api):
    api.token()
    emu.inject_fault("429", retry_after=3)
    answer = api.post(STRUCTURES_ACTIVES)
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "3"


def test_malformed_is_http_200_with_invalid_json(emu, api):
    api.token()
    emu.inject_fault("malformed")
    answer = api.post(STRUCTURES_ACTIVES)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)


def test_expired_token_fault_gives_401_once(emu, api):
    api.token()
    emu.inject_fault("expired_token")
    answer = api.post(STRUCTURES_ACTIVES, headers=api.headers())
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert api.post(STRUCTURES_ACTIVES, headers=api.headers()).status_code == 200


def test_faults_do_not_hit_the_token_endpoint(emu, api):
    emu.inject_fault("500")
    assert api.fetch_token().status_code == 200
    assert api.post(STRUCTURES_ACTIVES).status_code == 500


def test_failed_calls_are_not_executed(emu, api):
    api.token()
    emu.inject_fault("503")
    answer = api.post("factures/v1/deposer/flux", {
        "fichierFlux": "PHg+", "nomFichier": "f.xml", "syntaxeFlux": "IN_DP_E1_CII_16B"})
    assert answer.status_code == 503
    assert emu.store.one("SELECT count(*) AS n FROM flows")["n"] == 0


def test_hang_exceeds_client_timeout_but_the_call_is_executed(emu, api):
    import base64

    from facturx_samples import cii_xml

    api.token()
    emu.inject_fault("hang", delay=1.0)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post("factures/v1/deposer/flux", {
            "fichierFlux": base64.b64encode(cii_xml("F-HANG")).decode(),
            "nomFichier": "f.xml", "syntaxeFlux": "IN_DP_E1_CII_16B"}, timeout=0.2)
    assert time.monotonic() - started < 0.9
    time.sleep(1.2)  # the server finishes the deposit after the client gave up
    assert emu.store.one("SELECT count(*) AS n FROM flows")["n"] == 1


def test_unknown_fault_kind_is_refused(emu):
    with pytest.raises(ValueError):
        emu.inject_fault("teapot")


def test_control_api_drives_the_emulator(emu, api):
    base = api.base_url + "/_sandbox"
    state = requests.get(base + "/state", timeout=10).json()
    assert state["invoices"] == 0 and state["faults"] == []
    before = emu.now()
    state = requests.post(base + "/advance", json={"seconds": 600}, timeout=10).json()
    assert (emu.now() - before).total_seconds() >= 600
    assert state["clockOffset"] >= 600
    requests.post(base + "/fault", json={"kind": "429", "count": 1}, timeout=10)
    assert api.post(STRUCTURES_ACTIVES).status_code == 429
    ids = requests.post(base + "/seed-invoices", json={"n": 3}, timeout=10).json()["ids"]
    assert len(ids) == 3
    requests.post(base + "/invoice-status", json={"identifiantFactureCPP": ids[0],
                                                 "code": "REJETEE"}, timeout=10)
    assert api.status(ids[0]) == "REJETEE"
    assert requests.post(base + "/revoke-tokens", json={}, timeout=10).status_code == 200
    assert api.post(STRUCTURES_ACTIVES, headers=api.headers()).status_code == 401
    state = requests.post(base + "/reset", json={}, timeout=10).json()
    assert state["invoices"] == 0
    bad = requests.post(base + "/fault", json={"kind": "teapot"}, timeout=10)
    assert bad.status_code == 400
