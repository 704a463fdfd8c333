"""Compute the payment delay and interest of the invoices already deposited."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    moves = env["account.move"].with_context(active_test=False).search(
        [("move_type", "=", "out_invoice"), ("chorus_send_state", "=", "sent")])
    fields = [f for name, f in moves._fields.items()
              if f.compute in ("_compute_chorus_payment_delay", "_compute_chorus_late_interest")]
    for field in fields:
        env.add_to_compute(field, moves)
    moves.flush_recordset()
