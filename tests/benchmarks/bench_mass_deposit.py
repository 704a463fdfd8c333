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
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from odoo import sql_db
from odoo.addons.base.models.ir_cron import MAX_BATCH_PER_CRON_JOB, ir_cron
from odoo.addons.l10n_fr_chorus_connector.chorus import transport
from odoo.addons.l10n_fr_chorus_connector.chorus.sandbox import FLOW_FINAL_AFTER
from odoo.addons.l10n_fr_chorus_connector.models.account_move_deposit import UNCERTAIN_GRACE
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
    minutes,
    odoo_command,
    proc_status,
    reset_peak_rss,
    start_http_server,
)

N = int(os.environ.get("BENCH_DEPOSITS", "1000"))
PARTS = os.environ.get("BENCH_PARTS", "speed,crash").split(",")
#: Restarts of the worker before giving up (each one ends when nothing is due).
MAX_ROUNDS = 6
#: Seconds without a new deposit after which the worker of part 2 is declared stuck.
STALL = 180

# The worker of part 2: Odoo's cron runner in a loop while invoices are queued and the
# job makes progress (it waits for a trigger, as a cron worker would).
WORKER = """
from odoo.addons.base.models.ir_cron import ir_cron
db = env.cr.dbname
env.cr.rollback()

def queued():
    with env.registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM account_move WHERE sending_data IS NOT NULL")
        return cr.fetchone()[0]

before = queued()
while before:
    ir_cron._process_jobs(db)
    after = queued()
    if after == before:
        break
    before = after
"""


# ----------------------------------------------------------------------
# Set-up
# ----------------------------------------------------------------------
def launch(env, moves):
    """The list action's dialog, confirmed: a run queued in Odoo's sending."""
    wizard = env["chorus.mass.deposit.wizard"].with_context(
        active_model="account.move", active_ids=moves.ids).create({})
    assert wizard.todo_count == len(moves), (wizard.todo_count, len(moves))
    wizard.action_confirm()
    run = env["chorus.deposit.run"].search([], order="id desc", limit=1)
    env.cr.commit()
    return run


def line_states(env, run):
    """Invoices of the run per transport state (``queued``: still in Odoo's queue)."""
    env.cr.execute("""SELECT CASE WHEN m.sending_data IS NOT NULL THEN 'queued'
                                  ELSE COALESCE(m.chorus_send_state, '-') END, count(*)
                        FROM chorus_deposit_run_move_rel r
                        JOIN account_move m ON m.id = r.move_id
                       WHERE r.run_id = %s GROUP BY 1 ORDER BY 1""", [run.id])
    return dict(env.cr.fetchall())


def fresh(env):
    """See what other transactions committed."""
    env.cr.commit()
    env.invalidate_all()


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


# ----------------------------------------------------------------------
# Part 2: crash proof
# ----------------------------------------------------------------------


def start_worker(env):
    process = subprocess.Popen(
        odoo_command(env, "bench_worker.log", "shell", "--no-http"),
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    process.stdin.write(WORKER.encode())
    process.stdin.close()
    return process


def flow_base(emulator):
    """Flow ids go on growing across emulator resets: new flows have a larger id."""
    row = emulator.store.one("SELECT seq FROM sqlite_sequence WHERE name = 'flows'")
    return row[0] if row else 0


def flow_count(emulator, base):
    return emulator.store.one("SELECT count(*) FROM flows WHERE id > ?", (base,))[0]


def blocked_queries(env):
    """Queries of this database waiting for a lock, and who holds it."""
    with env.registry.cursor() as cr:
        cr.execute("""SELECT pid, pg_blocking_pids(pid), left(query, 70)
                        FROM pg_stat_activity
                       WHERE datname = current_database()
                         AND cardinality(pg_blocking_pids(pid)) > 0""")
        return cr.fetchall()


def watch(env, process, emulator, base, kill_at=None, timeout=None):
    """Wait for the worker's end, or SIGKILL it once ``kill_at`` flows exist, or
    when no flow arrived for ``STALL`` seconds (then print who waits for what).

    Returns (killed, peak RSS MiB, seconds).
    """
    start = last_change = time.perf_counter()
    peak, last_count = 0.0, flow_count(emulator, base)
    while process.poll() is None:
        peak = max(peak, proc_status(process.pid).get("VmHWM", 0.0))
        count = flow_count(emulator, base)
        if count != last_count:
            last_change, last_count = time.perf_counter(), count
        elif time.perf_counter() - last_change > STALL:
            print(f"   no deposit for {STALL} s: worker stalled; waiting for a lock "
                  f"(pid, blocked by, query): {blocked_queries(env)}", flush=True)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True, peak, time.perf_counter() - start
        if kill_at is not None:
            if count >= kill_at:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return True, peak, time.perf_counter() - start
            time.sleep(0.002 if count >= kill_at - 1 else 0.05)
        else:
            time.sleep(0.2)
        if timeout and time.perf_counter() - start > timeout:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            print(f"   worker still running after {timeout:.0f} s: killed", flush=True)
            return True, peak, time.perf_counter() - start
    return False, peak, time.perf_counter() - start


def emulator_flows_by_file(emulator, base):
    return Counter(row[0] for row in emulator.store.query(
        "SELECT nom_fichier FROM flows WHERE id > ?", (base,)))


def part_crash(env, company, data, emulator):
    print(f"== Part 2: crash proof, {N} invoices, worker killed (SIGKILL) half-way ==",
          flush=True)
    emulator.reset()
    transport.clear_token_cache()
    base = flow_base(emulator)
    t0 = time.perf_counter()
    moves = create_invoices(env, data, N)
    run = launch(env, moves)
    files = {move.name.replace("/", "_").replace(" ", "_") + ".pdf": move.name
             for move in moves}
    env.cr.execute("SELECT COALESCE(sum(quantity), 0) FROM chorus_token_move "
                   "WHERE company_id = %s AND reason IN ('deposit', 'refund')", [company.id])
    tokens_before = env.cr.fetchone()[0]
    print(f"set-up: {N} posted invoices created, run #{run.id} launched in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    kill_at = max(N // 2, 1)
    total = time.perf_counter()

    process = start_worker(env)
    killed, peak, seconds = watch(env, process, emulator, base, kill_at=kill_at,
                                  timeout=max(600, 20 * N))
    on_chorus = flow_count(emulator, base)
    fresh(env)
    print(f"run 1: worker pid {process.pid} {'killed (SIGKILL)' if killed else 'ended'} after "
          f"{seconds:.1f} s with {on_chorus} flows on the emulator; peak RSS {peak:.1f} MiB; "
          f"invoices {line_states(env, run)}", flush=True)
    attempts = env["chorus.deposit.attempt"]._chorus_unfinished(moves)
    by_file = emulator_flows_by_file(emulator, base)
    for move in attempts:
        reached = by_file.get(move.name.replace("/", "_") + ".pdf", 0)
        print(f"   interrupted: {move.name} (attempt without outcome) — "
              + ("its file REACHED Chorus Pro but Odoo did not record it"
                 if reached else "nothing reached Chorus Pro"), flush=True)

    rounds = 1
    while rounds < MAX_ROUNDS:
        fresh(env)
        if not moves.filtered("sending_data"):
            uncertain = moves.filtered(lambda m: m.chorus_send_state == "uncertain")
            if not uncertain:
                break
            # An hour later: the status sync links what Chorus has; the rest is
            # deposited again by a new mass deposit (the wait simulated).
            shift = UNCERTAIN_GRACE + timedelta(minutes=2)
            env.cr.execute("""UPDATE account_move
                                 SET chorus_deposit_uncertain = chorus_deposit_uncertain - %s
                               WHERE id IN %s""", [shift, tuple(uncertain.ids)])
            emulator.advance(FLOW_FINAL_AFTER + 1)
            fresh(env)
            company._chorus_sync_status()
            fresh(env)
            left = uncertain.filtered(lambda m: m.chorus_send_state == "uncertain")
            print(f"   {len(uncertain)} invoice(s) of unknown outcome after the crash "
                  f"({', '.join(uncertain.mapped('name'))}): {len(uncertain) - len(left)} "
                  f"linked by the status sync, {len(left)} deposited again", flush=True)
            if not left:
                break
            launch(env, left)
        rounds += 1
        process = start_worker(env)
        killed, peak, seconds = watch(env, process, emulator, base,
                                      timeout=max(600, 20 * N))
        fresh(env)
        print(f"run {rounds}: worker pid {process.pid} ended after {seconds:.1f} s "
              f"(exit {process.returncode}); {flow_count(emulator, base)} flows on the "
              f"emulator; peak RSS {peak:.1f} MiB; invoices {line_states(env, run)}",
              flush=True)
    wall = time.perf_counter() - total

    # Proof, once Chorus has processed every flow.
    emulator.advance(FLOW_FINAL_AFTER + 1)
    fresh(env)
    by_file = emulator_flows_by_file(emulator, base)
    numbers = set(files.values())
    invoices = Counter(row[0] for row in emulator.store.query(
        "SELECT numero FROM invoices") if row[0] in numbers)
    flows_by_number = {files.get(name, name): count for name, count in by_file.items()}
    twice = {name: count for name, count in flows_by_number.items() if count > 1}
    twice_invoices = {name: count for name, count in invoices.items() if count > 1}
    env.cr.execute("""SELECT m.name, m.chorus_send_state, f.name
                        FROM account_move m LEFT JOIN chorus_flow f ON f.id = m.chorus_flow_id
                       WHERE m.id IN %s""", [tuple(moves.ids)])
    odoo_rows = env.cr.fetchall()
    not_sent = sorted(name for name, state, _flow in odoo_rows if state != "sent")
    flow_of = dict(emulator.store.query(
        "SELECT nom_fichier, numero FROM flows WHERE id > ?", (base,)))
    mismatch = sorted(
        name for name, state, flow in odoo_rows
        if state == "sent" and flow_of.get(name.replace("/", "_") + ".pdf") != flow)
    unknown_to_odoo = sorted(number for number in flows_by_number
                             if number in not_sent)
    env.cr.execute("SELECT COALESCE(sum(quantity), 0) FROM chorus_token_move "
                   "WHERE company_id = %s AND reason IN ('deposit', 'refund')", [company.id])
    tokens = tokens_before - env.cr.fetchone()[0]
    env.cr.execute("""SELECT m.name, COALESCE(-sum(t.quantity), 0) FROM account_move m
                        LEFT JOIN chorus_token_move t
                               ON t.invoice_id = m.id AND t.reason IN ('deposit', 'refund')
                       WHERE m.id IN %s GROUP BY m.name""", [tuple(moves.ids)])
    uncharged = sorted(f"{name}: {charged} token(s) for {flows_by_number.get(name, 0)} deposit(s)"
                       for name, charged in env.cr.fetchall()
                       if charged != flows_by_number.get(name, 0))
    states = line_states(env, run)
    deposits = sum(by_file.values())

    print()
    print(f"processing: {rounds} run(s), {minutes(wall)} in all (Odoo start-ups included)")
    print(f"deposits received by the emulator: {deposits} flows for {len(by_file)} invoices "
          f"({N} in the run); Chorus invoices: {sum(invoices.values())}")
    print(f"deposits per invoice number: max {max(flows_by_number.values(), default=0)}; "
          f"Chorus invoices per number: max {max(invoices.values(), default=0)}")
    if twice or twice_invoices:
        print(f"DEPOSITED TWICE: {twice or ''} {twice_invoices or ''}")
    else:
        print("no invoice deposited twice: OK")
    print(f"Odoo invoices not deposited (lost): {len(not_sent)}"
          + (f" {not_sent[:20]}" if not_sent else ""))
    print(f"on Chorus Pro but not recorded as sent in Odoo: {len(unknown_to_odoo)}"
          + (f" {unknown_to_odoo[:20]}" if unknown_to_odoo else ""))
    print(f"sent in Odoo with a flow number other than Chorus's: {len(mismatch)}"
          + (f" {mismatch[:20]}" if mismatch else ""))
    print(f"tokens charged: {tokens} for {deposits} deposits"
          f" ({'OK' if tokens == deposits else 'MISMATCH'})"
          + (f"; charged differently from their deposits: {uncharged[:20]}" if uncharged
             else ""))
    print(f"run #{run.id}: {run.state}; invoices {states}", flush=True)


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
            part_crash(env, company, data, emulator)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)


main(env)  # noqa: F821 - ``env`` is given by odoo-bin shell
