"""Mass deposit benchmark and crash proof (not a test: it prints figures).

Run through ``odoo-bin shell`` on a database where the addon is installed (it writes
to that database and switches its other scheduled actions off: use a throw-away
copy)::

    bash setup/bench.sh deposit                      # 1,000 invoices per part
    BENCH_DEPOSITS=100 bash setup/bench.sh deposit   # smaller run
    BENCH_PARTS=crash bash setup/bench.sh deposit    # one part only (speed / crash)
    BENCH_RENDER_WORKERS=6 bash setup/bench.sh deposit  # wkhtmltopdf runs at once
    BENCH_RENDER_DELAY=1000 bash setup/bench.sh deposit  # their wkhtmltopdf delay (ms)

Against the embedded emulator of that database (demo environment):

1. *speed*: N posted invoices are queued through the list action's mass-deposit
   dialog in Odoo's own background sending, then its scheduled action
   ``account.ir_cron_account_move_send`` is run by Odoo's own cron runner
   (``ir.cron._process_jobs``, what a cron worker calls) in this process until none
   is queued. Each deposit renders the invoice PDF with
   wkhtmltopdf (CSS served by an Odoo HTTP server started on loopback) and embeds the
   Factur-X XML, as in production. Prints invoices/minute, wall time, peak RSS of this
   process during the deposits (wkhtmltopdf runs in its own short-lived processes),
   CPU time, SQL queries and the API calls the emulator received.
2. *crash*: N more invoices in a new mass deposit, processed by a separate OS
   process (``odoo-bin shell`` running the same cron runner in a loop). When the
   emulator's SQLite file (shared between processes) holds N/2 new flows, that
   process gets SIGKILL; the processing is restarted until nothing is queued. An
   interrupted deposit leaves its invoice "outcome unknown": the hourly status sync
   links it once Chorus lists it, and what Chorus never received is deposited again
   by a new mass deposit after the one-hour wait (simulated: Odoo's dates moved back,
   the emulator's clock on). Then the proof: deposits (flows) and Chorus invoices per
   invoice number, invoices not deposited, invoices whose Odoo record disagrees with
   Chorus, tokens charged, invoice states.
"""

import os
import re
import resource
import sys
import time
from collections import Counter

from odoo import sql_db
from odoo.addons.base.models.ir_cron import MAX_BATCH_PER_CRON_JOB, ir_cron
from odoo.addons.l10n_fr_chorus_connector.chorus import transport
from odoo.addons.l10n_fr_chorus_connector.models.account_move_send import BACKGROUND_BUDGET
from odoo.addons.l10n_fr_chorus_connector.models.account_move_send_render import (
    RENDER_DELAY_PARAM,
    RENDER_WORKERS_PARAM,
)
from odoo.tools import config

# Run from the repository (setup/bench.sh): this script has no file of its own.
sys.path.insert(0, os.path.join(os.getcwd(), "tests", "benchmarks"))
from bench_deposit_common import (
    CRON_XMLID,
    configure,
    cpu_seconds,
    create_invoices,
    fresh,
    launch,
    line_states,
    minutes,
    proc_status,
    reset_peak_rss,
    start_http_server,
)
from bench_deposit_crash import part_crash

N = int(os.environ.get("BENCH_DEPOSITS", "1000"))
PARTS = os.environ.get("BENCH_PARTS", "speed,crash").split(",")


# ----------------------------------------------------------------------
# Part 1: speed
# ----------------------------------------------------------------------
def part_speed(env, company, data, emulator):
    print(f"== Part 1: mass deposit of {N} invoices (cron runner in this process) ==",
          flush=True)
    t0 = time.perf_counter()
    moves = create_invoices(env, data, N)
    print(f"set-up: {N} posted invoices created in {time.perf_counter() - t0:.1f} s",
          flush=True)
    t0 = time.perf_counter()
    run = launch(env, moves)
    print(f"dialog + launch: {time.perf_counter() - t0:.2f} s (run #{run.id})", flush=True)

    emulator.reset_calls()
    transport.clear_token_cache()
    rss_before = proc_status().get("VmRSS", 0.0)
    peak_reset = reset_peak_rss()
    queries = sql_db.sql_counter
    cpu = cpu_seconds()
    start = time.perf_counter()
    runs = []
    passes = 0
    last_report = start
    todo = N
    while True:
        run_start, run_cpu = time.perf_counter(), cpu_seconds()
        ir_cron._process_jobs(env.cr.dbname)
        runs.append((time.perf_counter() - run_start, cpu_seconds() - run_cpu))
        passes += 1
        fresh(env)
        states = line_states(env, run)
        before, todo = todo, states.get("queued", 0)
        now = time.perf_counter()
        if now - last_report > 30 or not todo:
            done = N - todo
            print(f"   {now - start:7.1f} s  {done:>6} / {N} processed  "
                  f"RSS {proc_status().get('VmRSS', 0):7.1f} MiB", flush=True)
            last_report = now
        if not todo:
            break
        if todo == before:
            print(f"   the job did not run or made no progress: stopped ({states})",
                  flush=True)
            break
    wall = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    sql = sql_db.sql_counter - queries
    status = proc_status()
    calls = emulator.api_calls("")
    by_path = Counter(call.path.rsplit("/", 2)[-2] + "/" + call.path.rsplit("/", 1)[-1]
                      if "/cpro/" in call.path else "oauth/token" for call in calls)
    fresh(env)
    states = line_states(env, run)
    deposited = states.get("sent", 0)
    print()
    print(f"invoices deposited   {deposited} / {N}  (invoices: {states}; run {run.state})")
    print(f"wall time            {minutes(wall)}  ({passes} cron runs)")
    print(f"throughput           {deposited / wall * 60:.1f} invoices/minute  "
          f"({wall / max(deposited, 1):.3f} s per invoice)")
    peak = status.get("VmHWM", 0.0) if peak_reset else resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024
    since = "during the deposits" if peak_reset else "since start"
    print(f"peak RSS (worker)    {peak:.1f} MiB {since} (RSS {rss_before:.1f} MiB before, "
          f"{status.get('VmRSS', 0):.1f} MiB after); target < 1024 MiB: "
          f"{'OK' if peak < 1024 else 'OVER'}")
    print(f"CPU (this process)   {cpu:.1f} s ({cpu / max(deposited, 1):.3f} s per invoice; "
          f"wkhtmltopdf not included)")
    longest = max(runs, default=(0, 0))
    real_limit = config["limit_time_real_cron"]
    real_limit = real_limit if real_limit > 0 else config["limit_time_real"]
    print(f"cron job runs        {len(runs)}, longest {longest[0]:.1f} s wall / "
          f"{max((r[1] for r in runs), default=0):.1f} s CPU (up to {MAX_BATCH_PER_CRON_JOB} "
          f"calls of at most {job_count(env)} invoices, deposits stopped after "
          f"{BACKGROUND_BUDGET:g} s); a "
          f"prefork cron worker with this configuration "
          f"is stopped after {real_limit} s real / {config['limit_time_cpu']} s CPU per run")
    print(f"SQL queries          {sql}  ({sql / max(deposited, 1):.0f} per invoice)")
    print(f"API calls (emulator) {len(calls)}  "
          + ", ".join(f"{path} {count}" for path, count in by_path.most_common()))
    flows = emulator.store.one("SELECT count(*) FROM flows")[0]
    sizes = emulator.store.one("SELECT avg(length(content)), max(length(content)) FROM flows")
    print(f"flows on the emulator {flows}; Factur-X PDF size avg {sizes[0] or 0:.0f} B, "
          f"max {sizes[1] or 0} B")
    print("load average         " + " / ".join(f"{load:.2f}" for load in os.getloadavg())
          + f" (1 / 5 / 15 min) on {os.cpu_count()} CPU(s)", flush=True)
    print()


def job_count(env):
    """Invoices per call of Odoo's sending cron, as its scheduled action says."""
    found = re.search(r"job_count\s*=\s*(\d+)", env.ref(CRON_XMLID).code or "")
    return int(found.group(1)) if found else 10


def main(env):
    company, data = configure(env, 2 * N + 10)
    emulator = company._chorus_emulator()
    emulator.reset()
    transport.clear_token_cache()
    print(f"Mass deposit benchmark: BENCH_DEPOSITS={N}, parts {','.join(PARTS)}; "
          f"{os.cpu_count()} CPU(s)", flush=True)
    for variable, key in (("BENCH_RENDER_WORKERS", RENDER_WORKERS_PARAM),
                          ("BENCH_RENDER_DELAY", RENDER_DELAY_PARAM)):
        if os.environ.get(variable):
            env["ir.config_parameter"].set_param(key, os.environ[variable])
    env.cr.commit()
    workers, delay = env["account.move.send"]._chorus_render_settings()
    print(f"background PDFs: {workers} wkhtmltopdf runs at once ({RENDER_WORKERS_PARAM}, "
          f"BENCH_RENDER_WORKERS), each waiting {delay} ms ({RENDER_DELAY_PARAM}, "
          f"BENCH_RENDER_DELAY); load average {os.getloadavg()[0]:.2f}", flush=True)
    server = start_http_server(env)
    print(f"report assets served by Odoo on {env['ir.config_parameter'].get_param('report.url')}"
          if server else "Odoo's HTTP server did not start: PDFs rendered without CSS",
          flush=True)
    try:
        # The first PDF makes Odoo generate its report CSS bundles: once, before measuring.
        t0 = time.perf_counter()
        warm_up = create_invoices(env, data, 1)
        env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", warm_up.ids)
        env.cr.commit()
        print(f"first invoice PDF (report assets generated): {time.perf_counter() - t0:.1f} s",
              flush=True)
        if "speed" in PARTS:
            part_speed(env, company, data, emulator)
        if "crash" in PARTS:
            part_crash(env, company, data, emulator, N)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)


main(env)  # noqa: F821 - ``env`` is given by odoo-bin shell
