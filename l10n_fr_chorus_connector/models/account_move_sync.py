"""Background follow-up of deposited invoices, and the choice of what to auto-deposit.

O(changed) sync: pending flows (``consulterCRDetaille``), then one paged
``rechercher/fournisseur`` on the status change date; only the invoices whose status
changed are written. ``consulter/historique`` is asked only when the new status
carries a comment the supplier must read (to recycle, suspended, rejected).

The per-invoice mode (one ``consulter/historique`` per followed invoice) is kept for
the benchmark comparison; the "Refresh status" button does the same per invoice.
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models

from ..chorus import codes
from ..chorus.errors import ChorusError
from .account_move import ACTIVITY_STATUSES
from .account_move_followup import INTEGRATED, chorus_datetime, status_code
from .res_company_sync import in_test

_logger = logging.getLogger(__name__)

#: New statuses whose Chorus comment (``consulter/historique``) the supplier needs.
COMMENT_STATUSES = ("A_RECYCLER", "SUSPENDUE", "REJETEE")


class AccountMove(models.Model):
    _inherit = "account.move"

    chorus_posted_date = fields.Date(
        "Posted on", readonly=True, copy=False,
        help="Day the invoice was last posted; the automatic deposit counts its delay and "
        "applies its cut-off date from it.")

    def _post(self, soft=True):
        posted = super()._post(soft)
        customer = posted.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        if customer:
            customer.write({"chorus_posted_date": fields.Date.context_today(self)})
        return posted

    # ------------------------------------------------------------------
    # Helpers shared by both sync modes
    # ------------------------------------------------------------------
    @api.model
    def _chorus_tracked_domain(self, company):
        """Invoices still followed on Chorus Pro (final ones are never asked again)."""
        return [("company_id", "=", company.id), ("chorus_invoice_id", "!=", False),
                ("chorus_followup_done", "=", False)]

    @api.model
    def _chorus_commit(self):
        """Commit the work done so far (not in tests: their transaction is rolled back)."""
        if not in_test():
            self.env.cr.commit()

    @api.model
    def _chorus_step(self, label, errors, func, *args):
        """Run ``func`` in a savepoint, then commit; a failure is logged and collected."""
        try:
            with self.env.cr.savepoint():
                result = func(*args)
        except ChorusError as exc:
            _logger.warning("Chorus Pro sync: %s failed: %s", label, exc.message)
            errors.append(f"{label}: {self.env.company._chorus_error_message(exc)}")
            result = None
        except Exception as exc:  # one bad item must not stop the run
            _logger.exception("Chorus Pro sync: %s failed", label)
            errors.append(f"{label}: {exc}")
            result = None
        self._chorus_commit()
        return result

    # ------------------------------------------------------------------
    # O(changed) sync
    # ------------------------------------------------------------------
    @api.model
    def _chorus_sync_flows(self, company, client, stats):
        """Processing reports of the flows Chorus has not finished; returns errors."""
        errors = []
        flows = self.env["chorus.flow"].search([("company_id", "=", company.id),
                                                 ("is_final", "=", False)])
        for flow in flows:
            stats["flows"] += 1
            self._chorus_step(_("flow %s", flow.name), errors,
                              self._chorus_sync_one_flow, client, flow)
        waiting = self.search([("company_id", "=", company.id),
                               ("chorus_send_state", "=", "sent"),
                               ("chorus_invoice_id", "=", False),
                               ("chorus_flow_id.state", "in", INTEGRATED)])
        for flow in waiting.chorus_flow_id:
            moves = waiting.filtered(lambda m, f=flow: m.chorus_flow_id == f)
            self._chorus_step(_("invoices of flow %s", flow.name), errors,
                              moves._chorus_find_invoices, client, flow)
        uncertain = self.search([("company_id", "=", company.id),
                                 ("chorus_send_state", "=", "uncertain"),
                                 ("sending_data", "=", False)])
        for move in uncertain:
            self._chorus_step(_("unanswered deposit of %s", move.name), errors,
                              move._chorus_sync_uncertain, client)
        return errors

    def _chorus_sync_uncertain(self, client):
        """Hourly: link an invoice whose deposit got no answer once Chorus lists it."""
        self.ensure_one()
        if not self._chorus_try_lock():
            return None  # being deposited right now: that attempt reconciles it
        found = self._chorus_search_own_number(client)
        if not found:
            return None
        return self._chorus_link_found(found[0], _(
            "The earlier unanswered deposit did reach Chorus Pro (invoice ID %(id)s, flow "
            "%(flow)s): linked, not deposited again.", id=found[0].chorus_id,
            flow=found[0].flow_number or "?"))

    @api.model
    def _chorus_sync_one_flow(self, client, flow):
        report = client.get_flow_report(flow.name, flow.syntax or None)
        flow._chorus_apply_report(report)
        moves = flow.move_ids.filtered(lambda m: m.chorus_flow_id == flow
                                       and m.chorus_send_state == "sent")
        return moves._chorus_apply_flow_report(flow, report)

    @api.model
    def _chorus_sync_changes(self, company, client, since, page_size, stats):
        """Apply every status changed on Chorus since ``since``; returns errors."""
        errors = []
        page, pages = 1, 1
        while page <= pages:
            try:
                result = client.search_invoices(
                    page=page, page_size=page_size, supplier_id=company.chorus_supplier_id,
                    status_changed_from=since)
            except ChorusError as exc:
                _logger.warning("Chorus Pro sync of %s: page %s failed: %s",
                                company.name, page, exc.message)
                errors.append(_("page %(page)s of the changed invoices: %(error)s", page=page,
                                error=company._chorus_error_message(exc)))
                if page == 1:
                    break  # the number of pages is unknown: ask again next run
                page += 1
                continue
            pages = result.pages
            stats["pages"] += 1
            stats["seen"] += len(result.invoices)
            applied = self._chorus_step(
                _("page %s of the changed invoices", page), errors,
                self._chorus_apply_summaries, company, client, result.invoices)
            stats["applied"] += applied or 0
            page += 1
        return errors

    @api.model
    def _chorus_apply_summaries(self, company, client, summaries):
        """Write the new statuses of one search page; returns how many changed."""
        by_id = {s.chorus_id: s for s in summaries if s.chorus_id}
        if not by_id:
            return 0
        moves = self.search([("company_id", "=", company.id),
                             ("chorus_invoice_id", "in", list(by_id))])
        changed = moves.filtered(
            lambda m: status_code(by_id[m.chorus_invoice_id].status) != m.chorus_status)
        lines = []
        for move in changed:
            summary = by_id[move.chorus_invoice_id]
            old, new = move.chorus_status, status_code(summary.status)
            if new in COMMENT_STATUSES:
                move._chorus_apply_history(client.get_invoice_history(move.chorus_invoice_id))
                continue
            lines.append(move._chorus_write_summary(summary, new))
            if old in ACTIVITY_STATUSES:
                move._chorus_close_activities()
            move._chorus_notify_status(old, new)
        self.env["chorus.status.line"].sudo().create(lines)
        return len(changed)

    def _chorus_write_summary(self, summary, new):
        """One write per changed invoice; returns the values of its history line."""
        self.ensure_one()
        structure = self._chorus_structure_partner()
        date = chorus_datetime(summary.status_date) or fields.Datetime.now()
        self._chorus_service_write({
            "chorus_status": new,
            "chorus_status_date": date,
            "chorus_status_comment": summary.status_comment or False,
            "chorus_followup_done": codes.is_final(
                new, bool(structure.chorus_payment_status_not_reported)),
        })
        return {"move_id": self.id, "status": new, "date": date,
                "comment": summary.status_comment or False}

    # ------------------------------------------------------------------
    # Per-invoice mode (benchmark comparison)
    # ------------------------------------------------------------------
    @api.model
    def _chorus_sync_status_per_invoice(self, company, commit_every=100):
        """One ``consulter/historique`` per followed invoice; returns counters."""
        client = company._chorus_client(need_supplier=True)
        moves = self.search(self._chorus_tracked_domain(company), order="id")
        stats = {"seen": len(moves), "applied": 0, "errors": []}
        for index, move in enumerate(moves, 1):
            old = move.chorus_status
            try:
                move._chorus_apply_history(client.get_invoice_history(move.chorus_invoice_id))
            except ChorusError as exc:
                stats["errors"].append(f"{move.name}: {exc.message}")
                continue
            stats["applied"] += move.chorus_status != old
            if index % commit_every == 0:
                self._chorus_commit()
                self.invalidate_model()
        self._chorus_commit()
        return stats

    # ------------------------------------------------------------------
    # Automatic deposit
    # ------------------------------------------------------------------
    @api.model
    def _chorus_auto_deposit_domain(self, company, today):
        """Posted, not deposited invoices of public customers sent 'by Chorus Pro' that
        are due today and were posted after the cut-off date."""
        days = company.chorus_auto_deposit_delay_days or 0
        cutoff = company.chorus_auto_deposit_cutoff
        domain = [
            ("company_id", "=", company.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("chorus_send_state", "in", ("to_send", "error", "uncertain")),
            ("sending_data", "=", False),
            ("commercial_partner_id.chorus_public", "=", True),
            ("commercial_partner_id.invoice_sending_method", "=", "chorus_pro"),
            "|", ("chorus_posted_date", ">", cutoff),
            "&", ("chorus_posted_date", "=", False), ("date", ">", cutoff),
        ]
        if company.chorus_auto_deposit_delay_mode == "before_invoice_date":
            domain.append(("invoice_date", "<=", today + timedelta(days=days)))
        else:
            limit = today - timedelta(days=days)
            domain += ["|", ("chorus_posted_date", "<=", limit),
                       "&", ("chorus_posted_date", "=", False), ("date", "<=", limit)]
        return domain

    @api.model
    def _chorus_auto_deposit_candidates(self, company, today):
        Move = self.with_company(company)
        return Move.search(Move._chorus_auto_deposit_domain(company, today), order="id")
