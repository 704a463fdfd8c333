"""The deposit button, timed as the web client sees it (not a test: it prints figures).

Run through ``odoo-bin shell`` on a throw-away database where the addon is installed::

    bash setup/bench.sh button                     # 20 invoices
    BENCH_BUTTON=5 bash setup/bench.sh button
    BENCH_RENDER_DELAY=1000 bash setup/bench.sh button  # wkhtmltopdf's wait (ms)

Odoo's HTTP server is started on loopback; for each of ``BENCH_BUTTON`` posted
invoices without a PDF yet, a logged-in session does what a click on *Déposer sur
Chorus Pro* does: ``/web/dataset/call_button`` (checks, PDF rendered by wkhtmltopdf,
Factur-X, deposit on the embedded emulator), then reads the invoice form back
(``web_read`` of every field of the form view, what the soft reload that follows the
notification does). Prints the time from click to updated panel (min, median, max)
against the goal of 2.5 s, and the server's share.
"""

import http.cookiejar
import json
import os
import statistics
import sys
import time
import urllib.request

from odoo.addons.l10n_fr_chorus_connector.chorus import transport
from odoo.addons.l10n_fr_chorus_connector.models.account_move_send_render import (
    RENDER_DELAY_PARAM,
)

# Run from the repository (setup/bench.sh): this script has no file of its own.
sys.path.insert(0, os.path.join(os.getcwd(), "tests", "benchmarks"))
from bench_deposit_common import configure, create_invoices, start_http_server

COUNT = int(os.environ.get("BENCH_BUTTON", "20"))
GOAL = 2.5
PASSWORD = "bench-button"


class Session:
    """A logged-in web client session (cookies) on ``url``."""

    def __init__(self, url):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(self.url + path, body,
                                         {"Content-Type": "application/json"})
        with self.opener.open(request, timeout=120) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]


def form_specification(env):
    """What the web client reads to show the invoice form: every field of the view
    (relations with their display name)."""
    view = env["account.move"].get_views([(False, "form")])
    fields = view["models"]["account.move"]["fields"]
    return {name: ({"fields": {"display_name": {}}}
                   if fields[name]["type"] in ("many2one", "one2many", "many2many") else {})
            for name in fields}


def main(env):
    company, data = configure(env, COUNT + 10)
    company._chorus_emulator().reset()
    transport.clear_token_cache()
    if os.environ.get("BENCH_RENDER_DELAY"):
        env["ir.config_parameter"].set_param(RENDER_DELAY_PARAM, os.environ["BENCH_RENDER_DELAY"])
    admin = env.ref("base.user_admin")
    admin.password = PASSWORD
    env.cr.commit()
    server = start_http_server(env)
    if not server:
        print("Odoo's HTTP server did not start: nothing measured")
        return
    try:
        url = env["ir.config_parameter"].get_param("report.url")
        lang = "fr_FR" if env["res.lang"]._lang_get("fr_FR") else "en_US"
        session = Session(url)
        session.call("/web/session/authenticate",
                     {"db": env.cr.dbname, "login": admin.login, "password": PASSWORD})
        context = {"lang": lang, "allowed_company_ids": [company.id]}
        specification = form_specification(env)
        # Report CSS bundles and the first token: once, before measuring.
        warm_up = create_invoices(env, data, 1)
        session.call("/web/dataset/call_button", {
            "model": "account.move", "method": "action_chorus_deposit",
            "args": [warm_up.ids], "kwargs": {"context": context}})
        moves = create_invoices(env, data, COUNT)
        _workers, delay = env["account.move.send"]._chorus_render_settings()
        print(f"Deposit button benchmark: {COUNT} invoices (PDF rendered at the click, "
              f"wkhtmltopdf waiting {delay} ms), {len(specification)} fields read back, "
              f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f}", flush=True)
        clicks, buttons, states = [], [], []
        for move in moves:
            start = time.perf_counter()
            action = session.call("/web/dataset/call_button", {
                "model": "account.move", "method": "action_chorus_deposit",
                "args": [move.ids], "kwargs": {"context": context}})
            buttons.append(time.perf_counter() - start)
            record = session.call("/web/dataset/call_kw/account.move/web_read", {
                "model": "account.move", "method": "web_read", "args": [move.ids],
                "kwargs": {"specification": specification, "context": context}})
            clicks.append(time.perf_counter() - start)
            states.append((action.get("params", {}).get("type"),
                           record[0]["chorus_send_state"]))
        print(f"outcomes (notification, state): {sorted(set(states))}")
        print(f"click to updated panel  min {min(clicks):.2f} s, median "
              f"{statistics.median(clicks):.2f} s, max {max(clicks):.2f} s; goal <= {GOAL} s: "
              f"{'OK' if max(clicks) <= GOAL else 'OVER'}")
        print(f"of which the button     median {statistics.median(buttons):.2f} s (checks, "
              f"PDF, Factur-X, deposit), the form read back median "
              f"{statistics.median(c - b for c, b in zip(clicks, buttons)):.2f} s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


main(env)  # noqa: F821 - ``env`` is given by odoo-bin shell
