"""Fixtures of the emulator tests: one loopback server per session, reset per test.

``RawApi`` speaks the protocol by hand with plain ``requests`` (token, Bearer,
``cpro-account``, JSON) so that the emulator is tested independently of the client.
"""

import base64

import pytest
import requests

from chorus.sandbox import FLOW_FINAL_AFTER, Emulator, directory, serve

JSON_TYPE = "application/json;charset=utf-8"


def account_header(login: str, password: str) -> str:
    """The ``cpro-account`` header value."""
    return base64.b64encode(f"{login}:{password}".encode()).decode()


class RawApi:
    """Minimal hand-written PISTE + Chorus caller for tests."""

    def __init__(self, base_url: str, token_url: str, session=None, *,
                 client_id=directory.DEMO_CLIENT_ID, secret=directory.DEMO_CLIENT_SECRET,
                 login=directory.DEMO_LOGIN, password=directory.DEMO_PASSWORD):
        self.base_url, self.token_url = base_url, token_url
        self.session = session or requests.Session()
        self.client_id, self.secret = client_id, secret
        self.login, self.password = login, password
        self._token = None
        self.refresh_on_401 = True

    def fetch_token(self) -> requests.Response:
        """Raw token request."""
        return self.session.post(self.token_url, data={
            "grant_type": "client_credentials", "client_id": self.client_id,
            "client_secret": self.secret, "scope": "openid"}, timeout=10)

    def token(self) -> str:
        """A cached access token."""
        if self._token is None:
            answer = self.fetch_token()
            assert answer.status_code == 200, answer.text
            self._token = answer.json()["access_token"]
        return self._token

    def headers(self, **overrides) -> dict:
        """Default headers of an API call, with overrides (None removes a header)."""
        headers = {"Authorization": f"Bearer {self.token()}",
                   "cpro-account": account_header(self.login, self.password),
                   "Content-Type": JSON_TYPE, "Accept": JSON_TYPE}
        for key, value in overrides.items():
            key = key.replace("_", "-")
            if value is None:
                headers.pop(key, None)
            else:
                headers[key] = value
        return headers

    def post(self, op: str, body=None, *, headers=None, data=None, timeout=10):
        """POST ``/cpro/<op>`` with a JSON body (or raw ``data``)."""
        kwargs = {"data": data} if data is not None else {"json": {} if body is None else body}
        url = f"{self.base_url}/cpro/{op}"
        answer = self.session.post(url, headers=headers or self.headers(), timeout=timeout,
                                   **kwargs)
        if headers is None and answer.status_code == 401 and self.refresh_on_401:
            # Tokens live 3600 s on the emulated clock: tests that jump hours need a new one.
            self._token = None
            answer = self.session.post(url, headers=self.headers(), timeout=timeout, **kwargs)
        return answer

    def ok(self, op: str, body=None) -> dict:
        """POST and assert HTTP 200 + codeRetour 0; return the JSON answer."""
        answer = self.post(op, body)
        assert answer.status_code == 200, answer.text
        payload = answer.json()
        assert payload["codeRetour"] == 0, payload
        return payload

    def deposit(self, data: bytes, name: str = "facture.pdf",
                syntax: str = "IN_DP_E2_CII_FACTURX") -> str:
        """Deposit a file; return numeroFluxDepot."""
        payload = self.ok("factures/v1/deposer/flux", {
            "fichierFlux": base64.b64encode(data).decode(), "nomFichier": name,
            "syntaxeFlux": syntax, "avecSignature": False})
        return payload["numeroFluxDepot"]

    def report(self, flow: str) -> dict:
        """consulterCRDetaille of a flow."""
        return self.ok("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": flow})

    def invoices_of(self, flow: str) -> list[dict]:
        """Invoices created by a flow (search by numeroFluxDepot)."""
        answer = self.post("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": flow})
        assert answer.status_code == 200, answer.text
        return answer.json().get("listeFactures", [])

    def status(self, invoice_id: int) -> str:
        """Current status through consulter/historique."""
        return self.ok("factures/v1/consulter/historique",
                       {"idFacture": invoice_id})["statutCourantCode"]


def process(emu: Emulator, api: RawApi, data: bytes, name: str = "facture.pdf",
            syntax: str = "IN_DP_E2_CII_FACTURX") -> tuple[str, dict]:
    """Deposit, let the flow reach its final state, return (flow number, report)."""
    flow = api.deposit(data, name, syntax)
    emu.advance(FLOW_FINAL_AFTER + 1)
    return flow, api.report(flow)


@pytest.fixture(scope="session")
def sandbox_server():
    """One emulator on loopback for the whole session."""
    emulator = Emulator()
    server = serve(emulator)
    yield server
    server.shutdown()
    emulator.close()


@pytest.fixture
def emu(sandbox_server):
    """The served emulator, reset before each test."""
    emulator = sandbox_server.emulator
    emulator.reset()
    emulator.clear_faults()
    yield emulator
    emulator.clear_faults()


@pytest.fixture
def api(sandbox_server, emu):
    """A RawApi with the demo credentials."""
    caller = RawApi(sandbox_server.base_url, sandbox_server.token_url)
    yield caller
    caller.session.close()


@pytest.fixture
def second_api(sandbox_server, emu):
    """A RawApi with the second company's credentials."""
    caller = RawApi(sandbox_server.base_url, sandbox_server.token_url,
                    client_id=directory.SECOND_CLIENT_ID, secret=directory.SECOND_CLIENT_SECRET,
                    login=directory.SECOND_LOGIN, password=directory.SECOND_PASSWORD)
    yield caller
    caller.session.close()
