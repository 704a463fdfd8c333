"""The deposit service: lock, check, build the file, ``deposer/flux``, record.

Every way to deposit ends here: the "Déposer sur Chorus Pro" button and Send &
Print (``_chorus_deposit``, interactive: problems raise at once), and the
background sending that runs mass and automatic deposits and batch Send & Print
(``_chorus_deposit_background``: one invoice, never raises). Order of work, so
that nothing is ever sent twice and nothing is sent when something is wrong:

1. lock the invoice rows (``FOR UPDATE NOWAIT``): a concurrent attempt is refused
   ("being deposited") or, in the background, retried later;
2. an attempt of the journal without recorded outcome (``chorus.deposit.attempt``)
   makes the invoice "outcome unknown";
3. run every check and build every file (``account_move_facturx.py``, XSD-validated)
   — no API call yet;
4. per invoice: search Chorus Pro first when the outcome of an earlier deposit is
   unknown, take the token, note the attempt, deposit, and record the outcome
   through ``_chorus_transition`` (``account_move.py``).
"""

import logging
import time
import weakref
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config
from psycopg2 import errors as pg_errors

from ..chorus.errors import (
    ChorusError,
    ChorusRateLimited,
    ChorusUnknownOutcome,
    ChorusValidationError,
)
from .account_move_facturx import SYNTAX_DATA

_logger = logging.getLogger(__name__)

#: After an unanswered deposit, Chorus may take this long to list the invoice; until
#: then a new deposit is refused rather than risking a duplicate.
UNCERTAIN_GRACE = timedelta(hours=1)
TIMEOUT_PARAM = "l10n_fr_chorus_connector.timeout"
LOCK_ERRORS = (pg_errors.LockNotAvailable, pg_errors.SerializationFailure)
#: Seconds of one run of Odoo's sending cron (it chains up to 10 calls of 20 invoices,
#: a few seconds each with wkhtmltopdf): once spent, the run ends and the cron is
#: triggered again, so that a prefork cron worker (limit_time_real 120 s) is never
#: stopped.
JOB_RUN_BUDGET = 60.0
#: Share of Odoo's ``limit_time_cpu`` (60 s by default, the CPU of the whole worker
#: process: the rendering threads count) one run may use before it ends the same way.
#: A call that starts under it may still use up to ``BACKGROUND_BUDGET`` seconds.
JOB_RUN_CPU_SHARE = 1 / 3
#: ``{run's cursor: {(cron id, lastcall): (monotonic start, CPU start)}}``. Odoo's
#: runner gives each run a cursor of its own and keeps ``lastcall`` when a run is only
#: partially done, so a run is its cursor; an entry goes with its cursor.
_RUN_STARTS = weakref.WeakKeyDictionary()


class AccountMove(models.Model):
    _inherit = "account.move"

    def _chorus_deposit(self, pdf_contents=None):
        """Deposit these invoices on Chorus Pro, one flow each (button, Send & Print).

        ``pdf_contents``: optional ``{move id: PDF bytes}`` of freshly rendered
        invoice PDFs (Send & Print). Raises ``UserError`` when anything is wrong
        before the first call; afterwards returns ``[(level, message)]`` with
        level ``success`` / ``warning`` / ``danger`` per invoice.
        """
        moves = self.sorted("id")
        moves._chorus_lock()
        moves._chorus_adopt_unfinished_attempts()
        moves._chorus_check_deposit()
        files = {move: move._chorus_build_file((pdf_contents or {}).get(move.id))
                 for move in moves}
        clients = {}
        results = []
        for move in moves:
            company = move.company_id
            if company not in clients:
                clients[company] = company._chorus_client(**move._chorus_client_options())
            results.append(move._chorus_deposit_one(clients[company], files[move]))
        return results

    def _chorus_deposit_background(self, pdf_content=None):
        """Deposit this invoice for background work; never raises.

        Returns ``(level, message)``, or None when another transaction holds the
        invoice (being deposited): the caller tries again later. A refused check
        puts the invoice in error, with the reason in its chatter.
        """
        self.ensure_one()
        if not self._chorus_try_lock():
            return None
        self._chorus_adopt_unfinished_attempts()
        try:
            with self.env.cr.savepoint():
                if self.chorus_send_state == "sent":
                    return ("info", _("%(invoice)s is already deposited on Chorus Pro (flow "
                                      "%(flow)s): not deposited again.", invoice=self.name,
                                      flow=self.chorus_flow_id.name or "?"))
                self._chorus_check_deposit()
                file = self._chorus_build_file(pdf_content)
                client = self.company_id._chorus_client(**self._chorus_client_options())
                return self._chorus_deposit_one(client, file)
        except UserError as exc:
            message = exc.args[0] if exc.args else str(exc)
            self._chorus_transition("checks_refused", _(
                "Not deposited on Chorus Pro%(by)s: %(reason)s", by=self._chorus_by(),
                reason=message))
            return ("danger", message)
        except LOCK_ERRORS:
            return None
        except Exception as exc:  # one bad invoice must not stop the others
            _logger.exception("Chorus Pro: background deposit of %s failed", self.name)
            self._chorus_adopt_unfinished_attempts()
            message = _("Unexpected error while depositing on Chorus Pro%(by)s: %(error)s",
                        by=self._chorus_by(), error=exc)
            self._chorus_transition("internal_error", message)
            return ("danger", message)

    @api.model
    def _cron_account_move_send(self, job_count=10):
        # EXTENDS 'account': a lock or serialization conflict with another deposit (the
        # button) postpones the call instead of failing it, and a call that could not
        # take its invoices is triggered again; finished deposit runs are reported.
        cron = self.env.ref("account.ir_cron_account_move_send")
        if self._chorus_job_run_spent():
            # Ends this run (nothing left for Odoo's runner); the next one goes on.
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            cron._trigger()
            return None
        queued = self.search([("sending_data", "!=", False)], limit=job_count)
        if queued:
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        "SELECT id FROM account_move WHERE id IN %s FOR UPDATE SKIP LOCKED",
                        [tuple(queued.ids)], log_exceptions=False)
                    locked = {row[0] for row in self.env.cr.fetchall()}
            except LOCK_ERRORS:
                locked = set()
            if locked != set(queued.ids):
                # Being deposited elsewhere: Odoo's cron would skip this call silently.
                cron._trigger(at=fields.Datetime.now() + timedelta(seconds=30))
                if not locked:
                    return None
        result = super()._cron_account_move_send(job_count=job_count)
        self.env["chorus.deposit.run"]._chorus_close_finished()
        self.env["chorus.deposit.attempt"]._chorus_vacuum()
        return result

    @api.model
    def _chorus_job_run_spent(self):
        """Whether the current run of the cron (calls on one cursor sharing ``cron_id``
        and ``lastcall``) has used ``JOB_RUN_BUDGET`` seconds, or its share of the
        worker's CPU limit (``JOB_RUN_CPU_SHARE``)."""
        context = self.env.context
        if not context.get("cron_id"):
            return False
        now = (time.monotonic(), time.process_time())
        starts = _RUN_STARTS.setdefault(self.env.cr, {})
        key = (context["cron_id"], str(context.get("lastcall")))
        wall_start, cpu_start = starts.setdefault(key, now)
        cpu_limit = config["limit_time_cpu"] or 0
        return now[0] - wall_start > JOB_RUN_BUDGET or (
            cpu_limit > 0 and now[1] - cpu_start > cpu_limit * JOB_RUN_CPU_SHARE)

    def _chorus_by(self):
        """" by X via mass deposit" for background work (context ``chorus_launch``)."""
        launch = self.env.context.get("chorus_launch") or {}
        user = self.env["res.users"].sudo().browse(launch.get("user_id")).exists()
        if not user:
            return ""
        origin = launch.get("origin")
        if origin == "mass":
            return _(" (by %s via mass deposit)", user.name)
        if origin == "auto":
            return _(" (by %s via automatic deposit)", user.name)
        return _(" (by %s via Send & Print)", user.name)

    def _chorus_adopt_unfinished_attempts(self):
        """An attempt whose outcome was never recorded may have reached Chorus: the
        invoice's outcome is unknown (reconcile before sending)."""
        for move, (attempt_id, date) in self.env["chorus.deposit.attempt"] \
                ._chorus_unfinished(self).items():
            if move.chorus_send_state == "sent":
                move._chorus_service_write({"chorus_attempt_done": attempt_id})
                continue
            move._chorus_transition("crash", _(
                "A deposit on Chorus Pro was interrupted before Odoo could record its "
                "result: Chorus Pro is checked before anything is sent again."),
                chorus_attempt_done=attempt_id,
                chorus_deposit_uncertain=move.chorus_deposit_uncertain or date)

    def _chorus_client_options(self):
        timeout = self.env["ir.config_parameter"].sudo().get_param(TIMEOUT_PARAM)
        return {"timeout": float(timeout)} if timeout else {}

    def _chorus_try_lock(self):
        """Lock the invoices' rows (NOWAIT); False when another transaction holds or
        changed them. No company row is locked: deposits of one company run in
        parallel."""
        try:
            with self.env.cr.savepoint(flush=False):
                # Expected to fail under contention: no "bad query" error in the log.
                self.env.cr.execute(
                    "SELECT id FROM account_move WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(self.ids)], log_exceptions=False)
        except LOCK_ERRORS:
            return False
        # Another transaction may have deposited them before we got the lock.
        self.invalidate_recordset()
        return True

    def _chorus_lock(self):
        """Lock the invoices' rows; refuse if another deposit holds them."""
        if not self._chorus_try_lock():
            raise UserError(_(
                "%s is already being deposited on Chorus Pro (by another user or the "
                "sending job). Wait a moment, then try again.",
                ", ".join(self.mapped("display_name"))))

    # ------------------------------------------------------------------
    # Deposit
    # ------------------------------------------------------------------
    def _chorus_send_file(self, client, file):
        """Send the built ``file`` (``_chorus_build_file``); returns the FlowDeposit.

        The one place where the invoice leaves: another deposit mode plugs in here.
        """
        file_name, content, syntax = file
        return client.deposit_flow(content, file_name, syntax)

    def _chorus_deposit_one(self, client, file):
        """Deposit one checked invoice; never raises once Chorus may have received
        something. Every outcome is one event of the state machine."""
        self.ensure_one()
        file_name, content, syntax = file
        by = self._chorus_by()
        if self.chorus_send_state == "uncertain":
            try:
                outcome = self._chorus_reconcile(client)
            except ChorusError as exc:
                message = _("Chorus Pro could not be searched for this invoice%(by)s: "
                            "%(error)s", by=by,
                            error=self.company_id._chorus_error_message(exc))
                self._chorus_transition("unreachable", message)
                return ("danger", f"{self.name}: {message}")
            if outcome:
                return outcome
        try:
            # The PISTE token first: a worker stopped while asking for it must not leave
            # an attempt that blocks the invoice although nothing was sent.
            client.get_token()
        except ChorusError as exc:
            message = _("Chorus Pro could not be reached, nothing was deposited%(by)s: "
                        "%(error)s", by=by, error=self.company_id._chorus_error_message(exc))
            self._chorus_transition("unreachable", message)
            return ("danger", f"{self.name}: {message}")
        if refused := self._chorus_token_take():  # tokens: models/account_move_token.py
            self._chorus_transition("checks_refused", refused[1])
            return refused
        attempt = self.env["chorus.deposit.attempt"]._chorus_record(self)
        try:
            deposit = self._chorus_send_file(client, file)
        except ChorusUnknownOutcome as exc:
            message = _("No answer from Chorus Pro to the deposit%(by)s: %(error)s The next "
                        "attempt will first look for the invoice on Chorus Pro.", by=by,
                        error=exc.message)
            self._chorus_transition("unknown", message, chorus_attempt_done=attempt)
            return ("danger", f"{self.name}: {message}")
        except ChorusError as exc:
            reason = self.company_id._chorus_error_message(exc)
            self._chorus_token_give_back(reason)
            if isinstance(exc, ChorusValidationError):
                event, message = "refused", _("Chorus Pro refused the deposit%(by)s: "
                                              "%(error)s", by=by, error=reason)
            elif isinstance(exc, ChorusRateLimited):
                event, message = "throttled", _(
                    "Chorus Pro asked to slow down, nothing was deposited%(by)s: %(error)s",
                    by=by, error=reason)
            else:
                event, message = "unreachable", _(
                    "Chorus Pro could not be reached, nothing was deposited%(by)s: "
                    "%(error)s", by=by, error=reason)
            self._chorus_transition(event, message, chorus_attempt_done=attempt)
            return ("danger", f"{self.name}: {message}")
        if syntax == SYNTAX_DATA:  # answered at once, no flow: account_move_deposit_data.py
            return self._chorus_data_deposited(deposit, attempt, by)
        flow = self.env["chorus.flow"].sudo()._chorus_create_from_deposit(
            deposit, self, file_name, content, syntax)
        self._chorus_transition(
            "success", _("Deposited on Chorus Pro: flow %(flow)s%(by)s.", flow=flow.name,
                         by=by),
            chorus_flow_id=flow.id, chorus_followup_done=False, chorus_attempt_done=attempt)
        return ("success", _("%(invoice)s deposited on Chorus Pro (flow %(flow)s).",
                             invoice=self.name, flow=flow.name))

    def _chorus_link_found(self, chorus_invoice, message, charge=True):
        """Chorus Pro has this invoice (``InvoiceSummary``): link it, state sent."""
        self.ensure_one()
        if charge:
            # A deposit lost by a crash lost its token debit too: charge it now (no-op
            # when the unanswered deposit already paid, or when no token is left).
            self.company_id._chorus_try_take_token(self)
        flow = self.env["chorus.flow"].sudo()._chorus_find_or_create(
            chorus_invoice.flow_number, self)
        self._chorus_transition("found", message, chorus_flow_id=flow.id,
                                chorus_followup_done=False,
                                **self._chorus_invoice_vals(chorus_invoice))
        return flow

    def _chorus_search_own_number(self, client, exclude_flow=None):
        """Invoices of our supplier structure on Chorus Pro with this invoice's number."""
        return [inv for inv in client.iter_invoices(
            invoice_number=self.name, supplier_id=self.company_id.chorus_supplier_id or None)
            if inv.number == self.name and (not exclude_flow or inv.flow_number != exclude_flow)]

    def _chorus_reconcile(self, client):
        """After an unanswered deposit: link the invoice if Chorus has it.

        Returns a result tuple when the deposit must not happen now, else None.
        """
        found = self._chorus_search_own_number(client)
        if found:
            chorus_invoice = found[0]
            message = _("The earlier unanswered deposit did reach Chorus Pro (invoice ID "
                        "%(id)s, flow %(flow)s): linked, not deposited again.",
                        id=chorus_invoice.chorus_id, flow=chorus_invoice.flow_number or "?")
            self._chorus_link_found(chorus_invoice, message)
            return ("success", f"{self.name}: {message}")
        if fields.Datetime.now() - self.chorus_deposit_uncertain < UNCERTAIN_GRACE:
            message = _(
                "%s: an earlier deposit got no answer and Chorus Pro does not list the "
                "invoice yet; it may still be processing the file. Try again later: after "
                "one hour without trace it will be deposited again.", self.name)
            self._chorus_transition("not_found_yet", chorus_send_message=message)
            return ("warning", message)
        return None
