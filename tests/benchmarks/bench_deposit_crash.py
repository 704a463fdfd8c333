"""Part 2 of the mass deposit benchmark (``bench_mass_deposit.py``): the crash proof.

N invoices in a new mass deposit, processed by a separate OS process (``odoo-bin
shell`` running Odoo's cron runner in a loop), killed (SIGKILL) half-way and restarted
until nothing is queued; then the proof that nothing was deposited twice or lost.
"""

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta

from bench_deposit_common import (
    create_invoices,
    fresh,
    launch,
    line_states,
    minutes,
    odoo_command,
    proc_status,
)
from odoo.addons.l10n_fr_chorus_connector.chorus import transport
from odoo.addons.l10n_fr_chorus_connector.chorus.sandbox import FLOW_FINAL_AFTER
from odoo.addons.l10n_fr_chorus_connector.models.account_move_deposit import UNCERTAIN_GRACE

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


def part_crash(env, company, data, emulator, n):
    print(f"== Part 2: crash proof, {n} invoices, worker killed (SIGKILL) half-way ==",
          flush=True)
    emulator.reset()
    transport.clear_token_cache()
    base = flow_base(emulator)
    t0 = time.perf_counter()
    moves = create_invoices(env, data, n)
    run = launch(env, moves)
    files = {move.name.replace("/", "_").replace(" ", "_") + ".pdf": move.name
             for move in moves}
    env.cr.execute("SELECT COALESCE(sum(quantity), 0) FROM chorus_token_move "
                   "WHERE company_id = %s AND reason IN ('deposit', 'refund')", [company.id])
    tokens_before = env.cr.fetchone()[0]
    print(f"set-up: {n} posted invoices created, run #{run.id} launched in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    kill_at = max(n // 2, 1)
    total = time.perf_counter()

    process = start_worker(env)
    killed, peak, seconds = watch(env, process, emulator, base, kill_at=kill_at,
                                  timeout=max(600, 20 * n))
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
                                      timeout=max(600, 20 * n))
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
          f"({n} in the run); Chorus invoices: {sum(invoices.values())}")
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
