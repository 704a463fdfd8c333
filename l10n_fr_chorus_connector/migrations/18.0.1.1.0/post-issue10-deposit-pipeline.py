"""One deposit pipeline (issue 10): the addon's own deposit batches give way to
Odoo's background sending, and the transport state gets "outcome unknown".

- a deposit that got no answer (error + unanswered date) becomes ``uncertain``;
- invoices deposited on Chorus Pro are "sent" for Odoo too (``is_move_sent``);
- the open batches are handed over to Odoo's background sending as deposit runs
  (same launcher, same kind); a line left "running" by a dead worker makes its
  invoice ``uncertain`` (Chorus Pro is searched before any new deposit);
- ``queued`` no longer exists: Send & Print keeps its own queue (``sending_data``);
- the batch cron goes; the batch tables are dropped by Odoo with their models.
Deposited invoices, flows, attempts and token ledger lines are kept as they are.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def _table_exists(cr, name):
    cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", [name])
    return bool(cr.fetchone())


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("""UPDATE account_move SET chorus_send_state = 'uncertain'
                  WHERE chorus_send_state IN ('error', 'queued')
                    AND chorus_deposit_uncertain IS NOT NULL""")
    cr.execute("""UPDATE account_move SET is_move_sent = TRUE
                  WHERE chorus_send_state = 'sent' AND NOT COALESCE(is_move_sent, FALSE)""")
    if _table_exists(cr, "chorus_deposit_batch_line"):
        # A worker died between announcing a deposit and recording it.
        cr.execute("""UPDATE account_move m
                         SET chorus_send_state = 'uncertain',
                             chorus_deposit_uncertain = COALESCE(l.attempt_date, now())
                        FROM chorus_deposit_batch_line l
                       WHERE l.move_id = m.id AND l.state = 'running'
                         AND m.chorus_send_state IS DISTINCT FROM 'sent'""")
        cr.execute("""SELECT b.id, b.company_id, b.user_id, b.origin,
                             array_agg(l.move_id ORDER BY l.id)
                        FROM chorus_deposit_batch b
                        JOIN chorus_deposit_batch_line l ON l.batch_id = b.id
                        JOIN account_move m ON m.id = l.move_id
                       WHERE b.state != 'done' AND l.state IN ('pending', 'running')
                         AND m.chorus_send_state IS DISTINCT FROM 'sent'
                         AND m.sending_data IS NULL
                    GROUP BY b.id""")
        Run = env["chorus.deposit.run"]
        for batch_id, _company_id, user_id, origin, move_ids in cr.fetchall():
            user = env["res.users"].browse(user_id or SUPERUSER_ID).exists() \
                or env.ref("base.user_root")
            moves = env["account.move"].browse(move_ids).exists()
            runs = Run._chorus_launch(moves, origin="auto" if origin == "auto" else "mass",
                                      user=user)
            _logger.info("Chorus Pro deposit batch %s handed over to Odoo's background "
                         "sending as %s (%s invoices)", batch_id, runs.ids, len(moves))
    cr.execute("""UPDATE account_move SET chorus_send_state = 'to_send'
                  WHERE chorus_send_state = 'queued'""")
    cron = env.ref("l10n_fr_chorus_connector.ir_cron_chorus_deposit_batch",
                   raise_if_not_found=False)
    if cron:
        cron.unlink()
