"""The token balance is the sum of the ledger (issue 10), no longer a column of
res_company (writing it there made deposits conflict with every other write of the
company row). A company whose stored balance and ledger disagree gets an adjustment
line, so that every balance stays what it was; then the column goes."""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute("""SELECT 1 FROM information_schema.columns
                  WHERE table_name = 'res_company' AND column_name = 'chorus_token_balance'""")
    if not cr.fetchone():
        return
    cr.execute("""SELECT c.id, c.chorus_token_balance, COALESCE(SUM(m.quantity), 0)
                    FROM res_company c LEFT JOIN chorus_token_move m ON m.company_id = c.id
                GROUP BY c.id""")
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company_id, stored, ledger in cr.fetchall():
        if stored is not None and stored != ledger:
            _logger.warning("Chorus Pro tokens of company %s: stored balance %s, ledger %s; "
                            "adjusted to the stored balance", company_id, stored, ledger)
            env["chorus.token.move"].create({
                "company_id": company_id, "quantity": stored - ledger,
                "reason": "adjustment", "name": "Migration 18.0.1.1.0",
                "note": "Balance kept as it was stored before the ledger became the balance.",
            })
    cr.execute("ALTER TABLE res_company DROP CONSTRAINT IF EXISTS "
               "res_company_chorus_token_balance_not_negative")
    cr.execute("ALTER TABLE res_company DROP COLUMN chorus_token_balance")
