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
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def _table_exists(cr, name):
    cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", [name])
    return bool(cr.fetchone())


def _batches_to_runs(env):
    """Each batch becomes a deposit run (its report, chatter and inbox messages move
    with it); the invoices an open batch had not deposited yet are queued again."""
    cr = env.cr
    cr.execute("""SELECT b.id, b.company_id, b.user_id, b.origin, b.state, b.date_done,
                         b.report_id, array_agg(l.move_id ORDER BY l.id),
                         array_agg(l.move_id ORDER BY l.id)
                           FILTER (WHERE l.state IN ('pending', 'running'))
                    FROM chorus_deposit_batch b
                    JOIN chorus_deposit_batch_line l ON l.batch_id = b.id
                GROUP BY b.id ORDER BY b.id""")
    for (batch_id, company_id, user_id, origin, state, date_done, report_id, move_ids,
         open_ids) in cr.fetchall():
        user = env["res.users"].browse(user_id or SUPERUSER_ID).exists() \
            or env.ref("base.user_root")
        run = env["chorus.deposit.run"].create({
            "company_id": company_id, "user_id": user.id, "lang": user.lang,
            "origin": "auto" if origin == "auto" else "mass",
            "state": "done" if state == "done" else "running", "date_done": date_done,
            "report_id": report_id, "move_ids": [(6, 0, move_ids)],
        })
        for table, column in (("mail_message", "model"), ("mail_followers", "res_model"),
                              ("ir_attachment", "res_model")):
            cr.execute(SQL("UPDATE %s SET %s = 'chorus.deposit.run', res_id = %s "
                           "WHERE %s = 'chorus.deposit.batch' AND res_id = %s",
                           SQL.identifier(table), SQL.identifier(column), run.id,
                           SQL.identifier(column), batch_id))
        pending = env["account.move"].browse(open_ids or []).exists().filtered(
            lambda m: m.chorus_send_state != "sent" and not m.sending_data)
        if state != "done" and pending:
            pending.sending_data = {"author_user_id": user.id,
                                    "author_partner_id": user.partner_id.id,
                                    "chorus_run": run.id}
            env.ref("account.ir_cron_account_move_send")._trigger()
        _logger.info("Chorus Pro deposit batch %s is now deposit run %s (%s invoices, %s "
                     "queued again)", batch_id, run.id, len(move_ids), len(pending))


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
        _batches_to_runs(env)
        cr.execute("DROP TABLE chorus_deposit_batch_line, chorus_deposit_batch CASCADE")
    cr.execute("""UPDATE account_move SET chorus_send_state = 'to_send'
                  WHERE chorus_send_state = 'queued'""")
    cron = env.ref("l10n_fr_chorus_connector.ir_cron_chorus_deposit_batch",
                   raise_if_not_found=False)
    if cron:
        cron.unlink()
