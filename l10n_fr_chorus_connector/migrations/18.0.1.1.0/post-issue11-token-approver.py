"""Issue 11: each credit of the token ledger names who approved it.

Credits recorded before the field existed are attributed to the user who recorded
them (the one whose action credited the tokens), and to the system for the welcome
tokens and the tokens given back after a refused deposit. Pack bills already
credited are marked as such.
"""

SUPERUSER_ID = 1


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        UPDATE chorus_token_move
           SET approved_by_id = CASE WHEN reason IN ('initial', 'refund') THEN %s
                                     ELSE COALESCE(user_id, create_uid) END
         WHERE quantity > 0
           AND approved_by_id IS NULL
    """, [SUPERUSER_ID])
    cr.execute("""
        UPDATE account_move
           SET chorus_token_approval = 'approved'
         WHERE chorus_token_approval IS NULL
           AND id IN (SELECT bill_id FROM chorus_token_move
                       WHERE reason = 'purchase' AND bill_id IS NOT NULL)
    """)
