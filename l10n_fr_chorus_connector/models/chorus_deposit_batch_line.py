"""One invoice of a deposit batch and the outcome of its deposit.

A line is ``running`` only between the commit that announces the deposit and the
commit that records its outcome: a line still ``running`` when the job starts again
means the worker died in between, so Chorus Pro may have the file. The invoice is
then flagged as an unanswered deposit and the deposit service first looks for it on
Chorus Pro: it is never deposited twice.
"""

import logging
from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError

from .account_move_deposit import UNCERTAIN_GRACE
from .res_company_sync import in_test

_logger = logging.getLogger(__name__)

LINE_STATES = [
    ("pending", "To deposit"),
    ("running", "Being deposited"),
    ("done", "Deposited"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]
#: Deposits whose outcome is unknown are tried again (after a search) this many times.
MAX_ATTEMPTS = 3


class ChorusDepositBatchLine(models.Model):
    _name = "chorus.deposit.batch.line"
    _description = "Invoice of a Chorus Pro deposit batch"
    _order = "batch_id, id"

    batch_id = fields.Many2one("chorus.deposit.batch", required=True,
                               ondelete="cascade", index=True, readonly=True)
    move_id = fields.Many2one("account.move", "Invoice", required=True, ondelete="cascade",
                              index=True, readonly=True)
    partner_id = fields.Many2one(related="move_id.partner_id", string="Customer")
    state = fields.Selection(LINE_STATES, "Result", default="pending", required=True,
                             index=True, readonly=True)
    attempts = fields.Integer(readonly=True)
    attempt_date = fields.Datetime("Last attempt", readonly=True)
    next_attempt = fields.Datetime(
        "Next attempt", readonly=True,
        help="An earlier deposit got no answer: it is tried again (after looking for the "
        "invoice on Chorus Pro) from this moment.")
    flow_number = fields.Char("Chorus Pro flow", readonly=True)
    message = fields.Text(readonly=True)

    def _chorus_run(self):
        """Deposit this line's invoice; the outcome is committed with the invoice."""
        self.ensure_one()
        move = self.move_id
        if self.state == "running":
            self._chorus_after_crash()
        if move.chorus_send_state == "sent":
            self._chorus_finish("skipped", _(
                "Already deposited on Chorus Pro (flow %s): not deposited again.",
                move.chorus_flow_id.name or "?"))
            return
        self.write({"state": "running", "attempts": self.attempts + 1,
                    "attempt_date": fields.Datetime.now(), "next_attempt": False})
        self._chorus_commit()
        try:
            with self.env.cr.savepoint():
                results = move._chorus_deposit()
        except UserError as exc:
            self._chorus_finish("failed", exc.args[0] if exc.args else str(exc))
        except Exception as exc:  # reported on the line and in the CSV
            _logger.exception("Chorus Pro batch deposit of %s failed", move.name)
            self._chorus_finish("failed", _("Unexpected error, nothing recorded for this "
                                            "invoice: %s", exc))
        else:
            self._chorus_record(results)
        self._chorus_commit()

    def _chorus_after_crash(self):
        """The worker died during this deposit: Chorus may have the file."""
        move = self.move_id
        _logger.warning("Chorus Pro batch %s: deposit of %s was interrupted; it will be "
                        "looked for on Chorus Pro before any new deposit",
                        self.batch_id.id, move.name)
        if move.chorus_send_state != "sent" and not move.chorus_deposit_uncertain:
            move.write({"chorus_deposit_uncertain": self.attempt_date or fields.Datetime.now()})
            move.message_post(body=_(
                "The deposit on Chorus Pro was interrupted (server stopped). Before any new "
                "deposit, Chorus Pro is searched for this invoice so that it is not sent "
                "twice."))

    def _chorus_record(self, results):
        move = self.move_id
        level, message = (results or [("danger", _("No result"))])[0]
        if move.chorus_send_state == "sent":
            self._chorus_finish("done", message)
        elif move.chorus_deposit_uncertain and self.attempts < MAX_ATTEMPTS:
            # Unknown outcome, or Chorus does not list it yet: search again later.
            retry = max(move.chorus_deposit_uncertain + UNCERTAIN_GRACE,
                        fields.Datetime.now()) + timedelta(minutes=1)
            self.write({"state": "pending", "message": message, "next_attempt": retry})
            self.batch_id._chorus_trigger(at=retry)
        else:
            self._chorus_finish("failed" if level != "success" else "done", message)

    def _chorus_finish(self, state, message):
        move = self.move_id
        if move.chorus_send_state == "queued":
            move.write({"chorus_send_state": "to_send"})
        self.write({"state": state, "message": message, "next_attempt": False,
                    "flow_number": move.chorus_flow_id.name or False})

    def _chorus_commit(self):
        if not in_test():
            self.env.cr.commit()
