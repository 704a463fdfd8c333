"""Status sync benchmark: O(changed) sync vs one call per invoice (not a test).

Run through ``odoo-bin shell`` on a database where the addon is installed (it
writes to that database: use a throw-away copy)::

    bash setup/bench.sh                      # fresh copy of the template, then this
    BENCH_INVOICES=2000 bash setup/bench.sh  # smaller run

What it does, against the embedded emulator of that database:

1. configures the company on the demo environment, seeds N invoices on the emulator
   (status ``MISE_A_DISPOSITION``, frozen) and creates N posted invoices in Odoo in
   bulk (SQL copies of one ORM invoice) linked by ``chorus_invoice_id``;
2. moves the emulated clock 2 h on and changes the status of 5 % of them (1 in 50
   of those to ``SUSPENDUE``, which needs the Chorus comment);
3. runs the O(changed) sync (``res.company._chorus_sync_status``), then puts the
   invoices back and runs the per-invoice mode
   (``account.move._chorus_sync_status_per_invoice``) on the same data;
4. prints for each: API calls, SQL queries, wall time, peak RSS, and the ratios.
"""

import os
import resource
import time
from datetime import timedelta

from odoo import Command, fields, sql_db
from odoo.addons.l10n_fr_chorus_connector.chorus import transport
from odoo.addons.l10n_fr_chorus_connector.chorus.sandbox import directory

N = int(os.environ.get("BENCH_INVOICES", "10000"))
CHANGED_SHARE = 0.05


def rss_mib():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def configure(env):
    company = env.company
    structure = env["chorus.supplier.structure"].create({
        "company_id": company.id, "chorus_structure_id": directory.SUPPLIER_ID,
        "siret": directory.SUPPLIER_SIRET, "name": directory.SUPPLIER_NAME})
    company.write({"chorus_environment": "demo", "chorus_supplier_structure_id": structure.id,
                   "siret": directory.SUPPLIER_SIRET, "chorus_status_sync_watermark": False})
    partner = env["res.partner"].create({
        "name": "Mairie de Valbourg", "is_company": True, "chorus_public": True,
        "siret": directory.SIRET_NO_REQUIREMENT, "country_id": env.ref("base.fr").id})
    return company, partner


def create_moves(env, company, partner, chorus_ids):
    """N posted invoices: one through the ORM, the others copied in SQL."""
    model = env["account.move"].create({
        "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": "2025-03-14",
        "invoice_line_ids": [Command.create({"name": "Audit", "quantity": 1,
                                             "price_unit": 1000.0, "tax_ids": False})]})
    model.action_post()
    env.cr.execute("""SELECT column_name FROM information_schema.columns
                      WHERE table_name = 'account_move' AND column_name NOT IN ('id', 'name')""")
    columns = [row[0] for row in env.cr.fetchall()]
    cols = ", ".join(f'"{c}"' for c in columns)
    env.cr.execute(f"""
        INSERT INTO account_move (name, {cols})
        SELECT 'BENCH/' || lpad(g::text, 6, '0'), {cols}
          FROM account_move, generate_series(1, %s) g WHERE id = %s
        RETURNING id""", [len(chorus_ids), model.id])
    ids = sorted(row[0] for row in env.cr.fetchall())
    env.cr.execute("""
        UPDATE account_move m SET chorus_invoice_id = v.cid, chorus_send_state = 'sent',
               chorus_status = 'MISE_A_DISPOSITION', chorus_followup_done = false
          FROM unnest(%s::int[], %s::int[]) AS v(mid, cid) WHERE m.id = v.mid""",
                   [ids, list(chorus_ids)])
    env.cr.commit()
    env.invalidate_all()
    return env["account.move"].browse(ids)


def measure(label, emulator, func):
    calls, queries = len(emulator.api_calls()), sql_db.sql_counter
    start = time.perf_counter()
    result = func()
    wall = time.perf_counter() - start
    figures = {
        "label": label,
        "api_calls": len(emulator.api_calls()) - calls,
        "history_calls": None,
        "sql": sql_db.sql_counter - queries,
        "wall": wall,
        "rss": rss_mib(),
        "peak": peak_mib(),
        "result": result,
    }
    print(f"{label:<22} API calls {figures['api_calls']:>7}  SQL queries {figures['sql']:>8}  "
          f"wall {wall:8.2f} s  RSS {figures['rss']:7.1f} MiB  peak RSS {figures['peak']:7.1f} MiB",
          flush=True)
    return figures


def main(env):
    company, partner = configure(env)
    emulator = company._chorus_emulator()
    emulator.reset()
    transport.clear_token_cache()
    t0 = time.perf_counter()
    chorus_ids = emulator.seed_invoices(N, status="MISE_A_DISPOSITION")
    moves = create_moves(env, company, partner, chorus_ids)
    print(f"set-up: {N} invoices seeded and created in {time.perf_counter() - t0:.1f} s",
          flush=True)

    emulator.advance(2 * 3600)
    step = int(1 / CHANGED_SHARE)
    changed = chorus_ids[::step]
    for index, chorus_id in enumerate(changed):
        if index % 50 == 0:
            emulator.set_invoice_status(chorus_id, "SUSPENDUE", "Bon de livraison manquant.")
        else:
            emulator.set_invoice_status(chorus_id, "SERVICE_FAIT")
    # Last successful sync one hour "ago" on the emulated clock: only the changes match.
    company.chorus_status_sync_watermark = fields.Datetime.now() + timedelta(hours=1)
    env.cr.commit()
    print(f"{len(changed)} invoices changed status on Chorus Pro ({len(changed[::50])} "
          "suspended)", flush=True)

    emulator.reset_calls()
    fast = measure("O(changed) sync", emulator,
                   lambda: company._chorus_sync_status())
    stats = fast["result"]
    print(f"   pages {stats['pages']}, listed {stats['seen']}, applied {stats['applied']}, "
          f"errors {len(stats['errors'])}, consulter/historique "
          f"{len(emulator.api_calls('consulter/historique'))}", flush=True)
    assert stats["applied"] == len(changed), stats

    # Same starting point for the per-invoice mode.
    env.cr.execute("""UPDATE account_move SET chorus_status = 'MISE_A_DISPOSITION',
                      chorus_followup_done = false WHERE id IN %s""", [tuple(moves.ids)])
    env.cr.commit()
    env.invalidate_all()
    emulator.reset_calls()
    slow = measure("per-invoice mode", emulator,
                   lambda: env["account.move"]._chorus_sync_status_per_invoice(company))
    print(f"   listed {slow['result']['seen']}, applied {slow['result']['applied']}, "
          f"errors {len(slow['result']['errors'])}", flush=True)

    print()
    print(f"ratio per-invoice / O(changed): API calls "
          f"{slow['api_calls'] / max(fast['api_calls'], 1):.0f}x, SQL queries "
          f"{slow['sql'] / max(fast['sql'], 1):.1f}x, wall "
          f"{slow['wall'] / max(fast['wall'], 1e-9):.1f}x")
    print(f"target: >= 50x fewer API calls, <= 30 s for the O(changed) sync "
          f"({fast['wall']:.1f} s)")


main(env)  # noqa: F821 - ``env`` is given by odoo-bin shell
