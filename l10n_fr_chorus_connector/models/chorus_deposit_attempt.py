from odoo import SUPERUSER_ID, api, fields, models


class ChorusDepositAttempt(models.Model):
    """A deposit about to be sent, recorded in a transaction of its own.

    The deposit runs in the caller's transaction. If that transaction never commits
    after Chorus received the file (worker killed, server crash), Odoo forgets the
    deposit, but this record stays: the next attempt then reconciles with Chorus
    (search by invoice number) before sending anything again. A committed deposit
    (sent, refused, or without answer) removes its records.
    """

    _name = "chorus.deposit.attempt"
    _description = "Chorus Pro deposit attempt"
    _order = "id desc"

    # Not a Many2one: a foreign key would wait for the lock held on the invoice.
    move_id = fields.Integer("Invoice", required=True, index=True, readonly=True)

    @api.model
    def _chorus_record(self, moves):
        """Commit an attempt for ``moves`` now; forget it when the caller commits."""
        with self.env.registry.cursor() as cr:
            # As the superuser: the depositing user's row may not be visible from a
            # new cursor (and the attempt is a technical record nobody edits).
            self.with_env(self.env(cr=cr, user=SUPERUSER_ID, su=True)).create(
                [{"move_id": move_id} for move_id in moves.ids])
        self._chorus_forget_on_commit(moves)

    @api.model
    def _chorus_forget_on_commit(self, moves):
        registry, ids = self.env.registry, tuple(moves.ids)

        def forget():
            with registry.cursor() as cr:
                cr.execute("DELETE FROM chorus_deposit_attempt WHERE move_id IN %s", [ids])

        self.env.cr.postcommit.add(forget)

    @api.model
    def _chorus_unfinished(self, moves):
        """``{move id: date}`` of the attempts an earlier transaction left behind."""
        attempts = self.sudo().search([("move_id", "in", moves.ids)], order="id")
        return {attempt.move_id: attempt.create_date for attempt in attempts}
