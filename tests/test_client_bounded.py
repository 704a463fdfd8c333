"""A call never outlives an Odoo worker, and every doubtful deposit answer is an
unknown outcome (issue 10): black-holed loopback, 200 without flow number, 5xx."""

import contextlib
import socket

import pytest
from client_fixtures import Reply, make_config

from chorus import transport
from chorus.client import ChorusClient
from chorus.config import ChorusConfig
from chorus.errors import ChorusUnavailable, ChorusUnknownOutcome

FLUX = "/cpro/factures/v1/deposer/flux"
CR = "/cpro/transverses/v1/consulterCRDetaille"
#: Odoo's default hard limit for a worker (limit_time_real).
LIMIT_TIME_REAL = 120


def deposit(client):
    return client.deposit_flow(b"%PDF-1.7 facture", "facture_F1.pdf", "IN_DP_E2_CII_FACTURX")


@pytest.fixture
def black_hole():
    """A loopback port whose listening socket never accepts: once its queue is full,
    new connections are never answered (like a firewalled address)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _i in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield f"http://127.0.0.1:{port}"
    for sock in (*fillers, server):
        sock.close()


@pytest.fixture
def retry_attempts(monkeypatch):
    """The attempts urllib3 makes (one entry per try) during the test."""
    attempts = []
    original = transport._DeadlineRetry.increment

    def counting(self, *args, **kwargs):
        attempts.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(transport._DeadlineRetry, "increment", counting)
    return attempts


def test_default_settings_bound_a_call_well_under_the_worker_limit():
    config = ChorusConfig.preset("production", client_id="c", client_secret="s",
                                 login="l", password="p")
    client = ChorusClient(config)
    assert client.transport.connect_timeout <= 10
    assert client.transport.worst_case_seconds() <= LIMIT_TIME_REAL * 2 / 3
    # Even with a long read timeout asked, connecting never waits more than 10 s.
    config.timeout = 300
    assert ChorusClient(config).transport.connect_timeout == 10


def test_black_holed_address_is_unreachable_and_nothing_was_sent(black_hole, retry_attempts):
    config = make_config(black_hole, black_hole + "/token", timeout=0.3, max_retries=2)
    with ChorusClient(config) as client, pytest.raises(ChorusUnavailable) as info:
        deposit(client)
    # Connecting never succeeded: the deposit provably never left.
    assert not isinstance(info.value, ChorusUnknownOutcome)
    assert "cannot be reached at 127.0.0.1" in info.value.message
    assert len(retry_attempts) == 3  # the first try and max_retries connect retries


def test_retries_stop_when_the_call_budget_is_spent(black_hole, retry_attempts, monkeypatch):
    monkeypatch.setattr(transport, "CALL_BUDGET", 0.5)
    config = make_config(black_hole, black_hole + "/token", timeout=0.3, max_retries=50,
                         backoff=0.0)
    with ChorusClient(config) as client, pytest.raises(ChorusUnavailable):
        client.get_flow_report("CPP1")
    assert len(retry_attempts) < 10, "the budget, not the 50 retries, ended the call"


def test_deposit_answered_without_flow_number_is_an_unknown_outcome(scripted,
                                                                   scripted_client):
    scripted.script(FLUX, Reply(body={"codeRetour": 0, "libelle": "TRA_MSG_00.000"}))
    with pytest.raises(ChorusUnknownOutcome) as info:
        deposit(scripted_client)
    assert "without a flow number" in info.value.message
    assert len(scripted.api_requests(FLUX)) == 1


@pytest.mark.parametrize("status", [500, 501, 502, 504, 507])
def test_server_errors_after_a_deposit_left_are_unknown_outcomes(scripted, scripted_client,
                                                                 status):
    scripted.script(FLUX, Reply(status, {}))
    with pytest.raises(ChorusUnknownOutcome):
        deposit(scripted_client)


def test_503_on_a_deposit_says_it_was_not_handled(scripted, scripted_client):
    scripted.script(FLUX, Reply(503, {}))
    with pytest.raises(ChorusUnavailable) as info:
        deposit(scripted_client)
    assert not isinstance(info.value, ChorusUnknownOutcome)
