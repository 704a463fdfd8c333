"""Benchmark of the Chorus Pro client against the loopback emulator (not a test).

    python tests/benchmarks/bench_client.py [--invoices 10000] [--reports 1000]

Seeds invoices in an in-memory emulator served over loopback HTTP, then times:

1. a full paged search over every invoice (``iter_invoices``) for a few page sizes;
2. N sequential ``consulterCRDetaille`` calls (``get_flow_report``).

For each it prints calls/s, the mean time per call, the server-side time per call
(measured inside the emulator's WSGI app), the time of the same HTTP call made with
a bare ``requests.Session`` (same URL, headers and body), and the client's own
overhead = client time - bare requests time.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parents[2] / "l10n_fr_chorus_connector"
sys.path.insert(0, str(ADDON_DIR))

import requests  # noqa: E402

from chorus.client import ChorusClient  # noqa: E402
from chorus.config import ChorusConfig  # noqa: E402
from chorus.sandbox import Emulator, serve  # noqa: E402
from chorus.sandbox import directory as d  # noqa: E402


class TimedApp:
    """WSGI wrapper adding up the time the emulator spends per request."""

    def __init__(self, app):
        self.app = app
        self.total = 0.0
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        start = time.perf_counter()
        body = b"".join(self.app(environ, start_response))
        with self.lock:
            self.total += time.perf_counter() - start
            self.count += 1
        return [body]

    def take(self) -> tuple[float, int]:
        with self.lock:
            result, self.total, self.count = (self.total, self.count), 0.0, 0
        return result


def report(title: str, calls: int, elapsed: float, server: float, raw: float | None) -> None:
    per_call = elapsed / calls * 1000
    line = (f"{title:<42} {calls:>6} calls  {elapsed:7.2f} s  {calls / elapsed:8.1f} calls/s"
            f"  {per_call:6.2f} ms/call  server {server / calls * 1000:6.2f} ms")
    if raw is not None:
        line += (f"  bare requests {raw * 1000:6.2f} ms"
                 f"  client overhead {per_call - raw * 1000:+6.2f} ms")
    print(line)


def bare_call(session: requests.Session, client: ChorusClient, path: str,
              payloads: list[dict]) -> float:
    """Mean seconds of the same POSTs made with a bare requests session."""
    transport = client.transport
    headers = {"Authorization": f"Bearer {transport.token()}",
               "cpro-account": transport._cpro_account(),
               "Content-Type": "application/json;charset=utf-8",
               "Accept": "application/json;charset=utf-8"}
    url = client.config.base_url + path
    start = time.perf_counter()
    for payload in payloads:
        response = session.post(url, data=json.dumps(payload).encode(), headers=headers,
                                timeout=30)
        response.json()
    return (time.perf_counter() - start) / len(payloads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=1_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    emulator = Emulator()
    timed = TimedApp(emulator.wsgi_app)
    emulator.wsgi_app = timed
    server = serve(emulator)
    config = ChorusConfig(api_url=server.base_url, token_url=server.token_url,
                          client_id=d.DEMO_CLIENT_ID, client_secret=d.DEMO_CLIENT_SECRET,
                          login=d.DEMO_LOGIN, password=d.DEMO_PASSWORD)
    client = ChorusClient(config)
    session = requests.Session()
    try:
        start = time.perf_counter()
        emulator.seed_invoices(args.invoices, spread_seconds=86_400)
        print(f"Seeded {args.invoices} invoices in {time.perf_counter() - start:.2f} s "
              f"(python {sys.version.split()[0]}, requests {requests.__version__})\n")
        client.get_token()
        timed.take()

        for page_size in (100, 1000):
            start = time.perf_counter()
            found = sum(1 for _ in client.iter_invoices(page_size=page_size))
            elapsed = time.perf_counter() - start
            server_time, calls = timed.take()
            assert found == args.invoices, found
            payloads = [{"rechercheFactureParFournisseur": {
                "pageResultatDemandee": page, "nbResultatsParPage": page_size}}
                for page in range(1, calls + 1)]
            raw = bare_call(session, client, "/cpro/factures/v1/rechercher/fournisseur",
                            payloads)
            timed.take()
            report(f"paged search, {page_size}/page ({found} invoices)", calls, elapsed,
                   server_time, raw)

        flow = client.deposit_flow(b"<x/>", "bench.xml", "IN_DP_E1_CII_16B").flow_number
        timed.take()
        start = time.perf_counter()
        for _ in range(args.reports):
            client.get_flow_report(flow)
        elapsed = time.perf_counter() - start
        server_time, calls = timed.take()
        raw = bare_call(session, client, "/cpro/transverses/v1/consulterCRDetaille",
                        [{"numeroFluxDepot": flow}] * args.reports)
        timed.take()
        report("consulterCRDetaille, sequential", calls, elapsed, server_time, raw)
    finally:
        client.close()
        session.close()
        server.shutdown()
        emulator.close()


if __name__ == "__main__":
    main()
