"""Emulator: in-process adapter, SQLite file sharing, concurrency, server and CLI."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from facturx_samples import cii_xml
from sandbox_fixtures import RawApi

from chorus.sandbox import (
    DEMO_BASE_URL,
    DEMO_TOKEN_URL,
    FLOW_FINAL_AFTER,
    Emulator,
    EmulatorAdapter,
    directory,
    serve,
)
from chorus.sandbox.__main__ import banner, main

REPO = Path(__file__).resolve().parent.parent
CII = "IN_DP_E1_CII_16B"


@pytest.fixture
def inproc():
    """An in-memory emulator reached through EmulatorAdapter (no socket)."""
    emulator = Emulator()
    session = requests.Session()
    session.mount(DEMO_BASE_URL, EmulatorAdapter(emulator))
    yield emulator, RawApi(DEMO_BASE_URL, DEMO_TOKEN_URL, session)
    session.close()
    emulator.close()


def test_adapter_returns_real_responses(inproc):
    emulator, api = inproc
    answer = api.post("transverses/v1/recuperer/structures/actives/fournisseur", {})
    assert isinstance(answer, requests.Response)
    assert answer.status_code == 200
    assert answer.url == f"{DEMO_BASE_URL}/cpro/transverses/v1/recuperer/structures/actives/" \
                         "fournisseur"
    assert answer.request.headers["cpro-account"]
    assert answer.headers["Content-Type"] == "application/json;charset=utf-8"
    assert answer.json()["listeStructures"][0]["idStructureCPP"] == directory.SUPPLIER_ID
    assert [c.path for c in emulator.calls][0] == "/api/oauth/token"


def test_adapter_full_deposit_cycle(inproc):
    emulator, api = inproc
    flow = api.deposit(cii_xml("F-INPROC"), "f.xml", CII)
    emulator.advance(FLOW_FINAL_AFTER + 1)
    assert api.report(flow)["etatCourantDepotFlux"] == "IN_INTEGRE"
    assert api.invoices_of(flow)[0]["numeroFacture"] == "F-INPROC"


def test_adapter_error_statuses_and_headers(inproc):
    emulator, api = inproc
    api.token()
    emulator.inject_fault("429", retry_after=4)
    answer = api.post("transverses/v1/recuperer/structures/actives/fournisseur", {})
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "4"
    bad = api.session.post(DEMO_TOKEN_URL, data={"grant_type": "client_credentials",
                                                 "client_id": "x", "client_secret": "y"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client"


def test_adapter_honours_read_timeout_on_hang(inproc):
    emulator, api = inproc
    api.token()
    emulator.inject_fault("hang", delay=0.8)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post("factures/v1/deposer/flux", {
            "fichierFlux": "PHg+", "nomFichier": "f.xml", "syntaxeFlux": CII},
            timeout=(1, 0.1))
    deadline = time.monotonic() + 5
    while emulator.store.one("SELECT count(*) AS n FROM flows")["n"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_file_database_is_shared_between_instances(tmp_path):
    path = str(tmp_path / "chorus.sqlite3")
    first = Emulator(path)
    ids = first.seed_invoices(5)
    first.advance(7200)
    token, _ = first.issue_token(directory.DEMO_CLIENT_ID)
    second = Emulator(path)  # e.g. another Odoo worker process
    assert second.clock_offset() == pytest.approx(7200)
    assert second.check_token(token) is not None
    row = second.store.one("SELECT statut FROM invoices WHERE id = ?", (ids[0],))
    assert row["statut"] == "MISE_EN_PAIEMENT"
    second.revoke_tokens()
    assert first.check_token(token) is None
    first.close()
    second.close()


def test_concurrent_deposits_get_unique_flow_numbers(emu, sandbox_server):
    numbers, errors = [], []

    def worker(index):
        try:
            caller = RawApi(sandbox_server.base_url, sandbox_server.token_url)
            for n in range(5):
                numbers.append(caller.deposit(cii_xml(f"T{index}-{n}"), "f.xml", CII))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(numbers) == len(set(numbers)) == 40
    emu.advance(FLOW_FINAL_AFTER + 1)
    assert emu.store.one("SELECT count(*) AS n FROM invoices")["n"] == 40


def test_server_refuses_non_loopback_hosts():
    emulator = Emulator()
    with pytest.raises(ValueError):
        serve(emulator, host="0.0.0.0")
    with serve(emulator, host="127.0.0.1") as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.token_url == server.base_url + "/api/oauth/token"
        assert requests.get(server.base_url + "/_sandbox/state", timeout=5).status_code == 200
    emulator.close()


def test_cli_refuses_remote_host_and_prints_credentials(capsys):
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err

    class Fake:
        base_url, token_url = "http://127.0.0.1:1", "http://127.0.0.1:1/api/oauth/token"

    text = banner(Fake())
    for value in (directory.DEMO_CLIENT_ID, directory.DEMO_CLIENT_SECRET,
                  directory.DEMO_LOGIN, directory.DEMO_PASSWORD, directory.SUPPLIER_SIRET):
        assert value in text


def test_cli_wrapper_serves_until_interrupted(tmp_path):
    env = {**os.environ, "PY": sys.executable}
    proc = subprocess.Popen(
        ["bash", str(REPO / "setup" / "emulator.sh"), "--port", "0", "--db",
         str(tmp_path / "cli.sqlite3")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env)
    try:
        token_url = None
        for _ in range(20):
            line = proc.stdout.readline()
            if "Token URL" in line:
                token_url = line.split(":", 1)[1].strip()
                break
        assert token_url and token_url.startswith("http://127.0.0.1:")
        answer = requests.post(token_url, data={
            "grant_type": "client_credentials", "client_id": directory.DEMO_CLIENT_ID,
            "client_secret": directory.DEMO_CLIENT_SECRET}, timeout=10)
        assert answer.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()
