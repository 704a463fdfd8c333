"""The deposit attempt journal: a deposit about to leave, noted in a transaction of its own.

The deposit itself runs in the caller's transaction (and often in a savepoint of
it). The journal line is committed at once, before the file leaves; the outcome of
the deposit is recorded on the invoice (``chorus_attempt_done`` = the line's id) in
the caller's transaction, together with the rest of the outcome. So a rollback —
of the transaction or of the savepoint — undoes the recorded outcome exactly when
it undoes the deposit, and the line then shows an attempt without outcome: Chorus
Pro may have the file, it is searched before anything is sent again. No post-commit
hook is involved.
"""

from odoo import SUPERUSER_ID, api, fields, models


class ChorusDepositAttempt(models.Model):
    _name = "chorus.deposit.attempt"
    _description = "Chorus Pro deposit attempt"
    _order = "id desc"

    # Not a Many2one: a foreign key would wait for the lock held on the invoice.
    move_id = fields.Integer("Invoice", required=True, index=True, readonly=True)

    @api.model
    def _chorus_record(self, move):
        """Commit an attempt for ``move`` now (own transaction); returns its id.

        Lines whose outcome ``move`` already records are removed at the same time.
        """
        with self.env.registry.cursor() as cr:
            cr.execute("DELETE FROM chorus_deposit_attempt WHERE move_id = %s AND id <= %s",
                       [move.id, move.chorus_attempt_done or 0])
            # As the superuser: the depositing user's row may not be visible from a
            # new cursor (and the attempt is a technical record nobody edits).
            attempt = self.with_env(self.env(cr=cr, user=SUPERUSER_ID, su=True)).create(
                {"move_id": move.id})
            return attempt.id

    @api.model
    def _chorus_unfinished(self, moves):
        """``{move: (last attempt id, date of the first)}`` for the attempts whose
        outcome ``moves`` do not record.

        Read in a transaction of its own: an attempt committed after the caller's
        snapshot (a concurrent deposit that then died) must be seen too.
        """
        if not moves:
            return {}
        with self.env.registry.cursor() as cr:
            cr.execute("SELECT move_id, id, create_date FROM chorus_deposit_attempt "
                       "WHERE move_id IN %s ORDER BY id", [tuple(moves.ids)])
            rows = cr.fetchall()
        done = {move.id: move.chorus_attempt_done or 0 for move in moves}
        unfinished = {}
        for move_id, attempt_id, date in rows:
            if attempt_id > done[move_id]:
                first = unfinished.get(move_id, (None, date))[1]
                unfinished[move_id] = (attempt_id, first)
        return {moves.browse(move_id): value for move_id, value in unfinished.items()}

    @api.model
    def _chorus_vacuum(self):
        """Forget the attempts whose outcome their invoice records."""
        self.env.cr.execute("""DELETE FROM chorus_deposit_attempt a USING account_move m
                                WHERE m.id = a.move_id AND a.id <= m.chorus_attempt_done""")
        return self.env.cr.rowcount
