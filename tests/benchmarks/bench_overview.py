"""Chorus Pro overview benchmark: its queries do not grow with the invoices (not a test).

Run through ``odoo-bin shell`` on a throw-away database where the addon is installed::

    bash setup/bench.sh overview                       # 10,000 tracked invoices
    BENCH_INVOICES=2000 bash setup/bench.sh overview   # smaller

Creates N tracked invoices of 50 public customers in bulk (SQL copies of one ORM
invoice, spread over every stage: to deposit, in error, waiting for us, on their way,
waiting for payment, paid on time or late, some overdue), then times what the
overview screens ask: the totals per stage plus overdue, the pivot (customer x
stage), and the average payment delay per customer over the last 12 months. Prints
SQL queries and wall time for N and for N/10: the number of queries stays the same.
"""

import os
import time

from odoo import Command, sql_db

N = int(os.environ.get("BENCH_INVOICES", "10000"))
CUSTOMERS = 50
#: (send state, Chorus status, days since made available, days to payment or None)
PATTERNS = [
    ("to_send", None, None, None),
    ("error", None, None, None),
    ("sent", "SUSPENDUE", 10, None),
    ("sent", "DEPOSEE", 1, None),
    ("sent", "MISE_A_DISPOSITION", 10, None),
    ("sent", "MISE_A_DISPOSITION", 45, None),   # overdue
    ("sent", "MANDATEE", 25, None),
    ("sent", "MISE_EN_PAIEMENT", 90, 28),        # paid on time
    ("sent", "MISE_EN_PAIEMENT", 120, 47),       # paid late
    ("sent", "MISE_EN_PAIEMENT", 500, 35),       # paid more than 12 months ago
]


def create_customers(env):
    return env["res.partner"].create([{
        "name": f"Collectivité {i:02d}", "is_company": True, "chorus_public": True,
        "country_id": env.ref("base.fr").id} for i in range(CUSTOMERS)])


def create_moves(env, customers, n, prefix):
    """``n`` posted invoices copied in SQL from one ORM invoice, then spread over the
    customers and the patterns (the stored payment fields set as the follow-up would)."""
    model = env["account.move"].create({
        "move_type": "out_invoice", "partner_id": customers[0].id, "invoice_date": "2025-03-14",
        "invoice_line_ids": [Command.create({"name": "Audit", "quantity": 1,
                                             "price_unit": 1000.0, "tax_ids": False})]})
    model.action_post()
    env.cr.execute("""SELECT column_name FROM information_schema.columns
                      WHERE table_name = 'account_move' AND column_name NOT IN ('id', 'name')""")
    cols = ", ".join(f'"{row[0]}"' for row in env.cr.fetchall())
    env.cr.execute(f"""
        INSERT INTO account_move (name, {cols})
        SELECT %s || lpad(g::text, 6, '0'), {cols}
          FROM account_move, generate_series(1, %s) g WHERE id = %s
        RETURNING id""", [prefix, n, model.id])
    ids = sorted(row[0] for row in env.cr.fetchall())
    rows = []
    for i, move_id in enumerate(ids):
        state, status, since, paid_after = PATTERNS[i % len(PATTERNS)]
        rows.append((move_id, customers[(i // len(PATTERNS)) % CUSTOMERS].id, state,
                     status, since, paid_after))
    env.cr.execute("""
        UPDATE account_move m
           SET partner_id = v.partner, commercial_partner_id = v.partner,
               chorus_send_state = v.state, chorus_status = v.status,
               chorus_payment_delay = CASE WHEN v.since IS NOT NULL THEN 30 END,
               chorus_payment_start = CURRENT_DATE - v.since,
               chorus_due_date = CASE WHEN v.status <> 'SUSPENDUE'
                                      THEN CURRENT_DATE - v.since + 30 END,
               chorus_paid_date = CURRENT_DATE - v.since + v.paid,
               chorus_real_delay = v.paid,
               chorus_days_late = GREATEST(v.paid - 30, 0)
          FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[], %s::int[],
                      %s::int[]) AS v(mid, partner, state, status, since, paid)
         WHERE m.id = v.mid""", [list(col) for col in zip(*rows)])
    env.cr.commit()
    env.invalidate_all()
    return ids


def overview(env):
    """What the overview screens ask for, as the web client does (grouped reads)."""
    Report = env["chorus.payment.report"]
    totals = Report._stage_totals()
    pivot = Report.read_group([], ["amount_total:sum"], ["partner_id", "stage"], lazy=False)
    delays = Report.read_group([("paid_last_12_months", "=", True)],
                               ["payment_delay:avg", "days_late:avg"], ["partner_id"])
    return totals, pivot, delays


def measure(env, label):
    env.invalidate_all()
    queries = sql_db.sql_counter
    start = time.perf_counter()
    totals, pivot, delays = overview(env)
    wall = time.perf_counter() - start
    queries = sql_db.sql_counter - queries
    rows = sum(count for count, _amount in
               (totals[k] for k in totals if k != "overdue"))
    print(f"{label:<28} rows {rows:>7}  SQL queries {queries:>3}  wall {wall * 1000:8.1f} ms  "
          f"pivot cells {len(pivot):>4}  customers with a delay {len(delays):>3}", flush=True)
    return totals, delays, queries


def main(env):
    customers = create_customers(env)
    t0 = time.perf_counter()
    create_moves(env, customers, N // 10, "OVW/A/")
    small_totals, _delays, small_queries = measure(env, f"overview, {N // 10} invoices")
    create_moves(env, customers, N - N // 10, "OVW/B/")
    print(f"set-up: {N} tracked invoices in {time.perf_counter() - t0:.1f} s", flush=True)
    totals, delays, queries = measure(env, f"overview, {N} invoices")
    measure(env, f"overview, {N} invoices (again)")
    print("per stage: " + ", ".join(f"{k} {v[0]} ({v[1]:,.0f})" for k, v in totals.items()))
    avg = delays[0]
    print(f"e.g. {avg['partner_id'][1]}: average payment delay {avg['payment_delay']:.1f} days, "
          f"{avg['days_late']:.1f} days late on average (paid in the last 12 months)")
    print(f"SQL queries for {N // 10} and {N} invoices: {small_queries} and {queries} "
          "(no per-invoice query)")


main(env)  # noqa: F821 - ``env`` is given by odoo-bin shell
