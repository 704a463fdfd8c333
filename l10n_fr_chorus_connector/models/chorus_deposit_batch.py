"""A background deposit of several invoices (mass deposit from the list, automatic
deposit), run by the cron ``ir_cron_chorus_deposit_batch``: one invoice per
transaction, then a CSV report to the user who launched it and to the Chorus Pro
administrators."""

import csv
import io
import logging
import time

from odoo import _, api, fields, models

from .res_company_sync import in_test

_logger = logging.getLogger(__name__)

BATCH_STATES = [("pending", "Waiting"), ("running", "In progress"), ("done", "Done")]
#: Invoices deposited per cron call (Odoo calls the job again while some remain).
CRON_BATCH_SIZE = 25
#: Seconds of depositing per cron call. Odoo runs the job again at once while work
#: remains (up to 10 calls a run), and a prefork cron worker is stopped after 120 s
#: a run: short calls keep every run well inside that limit.
CRON_TIME_BUDGET = 4.0


class ChorusDepositBatch(models.Model):
    _name = "chorus.deposit.batch"
    _description = "Chorus Pro deposit batch"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    user_id = fields.Many2one("res.users", "Launched by", readonly=True,
                              default=lambda self: self.env.user)
    origin = fields.Selection([("manual", "Mass deposit"), ("auto", "Automatic deposit")],
                              default="manual", required=True, readonly=True)
    state = fields.Selection(BATCH_STATES, default="pending", required=True, readonly=True,
                             index=True, tracking=True)
    line_ids = fields.One2many("chorus.deposit.batch.line", "batch_id", "Deposit lines",
                               readonly=True)
    date_done = fields.Datetime("Finished on", readonly=True)
    report_id = fields.Many2one("ir.attachment", "Deposit report", readonly=True)
    count_total = fields.Integer("Number of invoices", compute="_compute_counts")
    count_done = fields.Integer("Deposited", compute="_compute_counts")
    count_failed = fields.Integer("Failed", compute="_compute_counts")
    count_skipped = fields.Integer("Skipped", compute="_compute_counts")
    count_pending = fields.Integer("To do", compute="_compute_counts")

    @api.depends("origin", "create_date")
    def _compute_name(self):
        labels = dict(self._fields["origin"]._description_selection(self.env))
        for batch in self:
            batch.name = _("%(kind)s #%(id)s", kind=labels.get(batch.origin, ""),
                           id=batch.id or "")

    @api.depends("line_ids.state")
    def _compute_counts(self):
        groups = self.env["chorus.deposit.batch.line"]._read_group(
            [("batch_id", "in", self.ids)], ["batch_id", "state"], ["__count"])
        counts = {(batch.id, state): count for batch, state, count in groups}
        for batch in self:
            get = lambda *states, b=batch: sum(counts.get((b.id, s), 0) for s in states)  # noqa: E731
            batch.count_done = get("done")
            batch.count_failed = get("failed")
            batch.count_skipped = get("skipped")
            batch.count_pending = get("pending", "running")
            batch.count_total = get("done", "failed", "skipped", "pending", "running")

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------
    @api.model
    def _chorus_create_for(self, moves, origin="manual", user=None, company=None):
        """A batch of ``moves`` (marked queued so that nobody deposits them meanwhile)."""
        company = company or moves.company_id[:1] or self.env.company
        batch = self.sudo().create({
            "company_id": company.id,
            "user_id": (user or self.env.user).id,
            "origin": origin,
            "line_ids": [fields.Command.create({"move_id": move.id}) for move in moves],
        })
        moves.sudo().write({"chorus_send_state": "queued"})
        return batch.with_env(self.env)

    # ------------------------------------------------------------------
    # Processing (cron)
    # ------------------------------------------------------------------
    def _chorus_trigger(self, at=None):
        cron = self.env.ref("l10n_fr_chorus_connector.ir_cron_chorus_deposit_batch",
                            raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=at)

    @api.model
    def _cron_chorus_process_batches(self, limit=CRON_BATCH_SIZE, budget=CRON_TIME_BUDGET):
        """Deposit up to ``limit`` due invoices (or ``budget`` seconds' worth) of the open
        batches, then report progress."""
        deadline = time.monotonic() + budget
        batches = self.search([("state", "!=", "done")], order="id")
        done = 0
        for batch in batches:
            done += batch._chorus_process(limit=limit - done, deadline=deadline)
            if done >= limit or time.monotonic() >= deadline:
                break
        remaining = self.env["chorus.deposit.batch.line"].search_count(
            batches._chorus_due_lines_domain())
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _chorus_due_lines_domain(self):
        now = fields.Datetime.now()
        return [("batch_id", "in", self.ids), ("state", "in", ("pending", "running")),
                "|", ("next_attempt", "=", False), ("next_attempt", "<=", now)]

    def _chorus_process(self, limit=None, deadline=None):
        """Deposit the due invoices of this batch, committing each; returns how many.

        Stops after the invoice that reaches ``deadline`` (a ``time.monotonic()`` value).
        """
        self.ensure_one()
        batch = self.with_company(self.company_id)
        if batch.state == "pending":
            batch.state = "running"
        lines = self.env["chorus.deposit.batch.line"].with_company(self.company_id).search(
            batch._chorus_due_lines_domain(), order="id", limit=limit)
        processed = 0
        for line in lines:
            line._chorus_run()
            processed += 1
            if deadline is not None and time.monotonic() >= deadline:
                break
        if not batch.line_ids.filtered(lambda line: line.state in ("pending", "running")):
            batch._chorus_finish()
        return processed

    def _chorus_finish(self):
        """Close the batch: CSV report, message to the launcher and the administrators."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].sudo().create({
            "name": f"chorus_pro_deposit_{self.id}.csv",
            "raw": self._chorus_csv(),
            "mimetype": "text/csv",
            "res_model": self._name,
            "res_id": self.id,
        })
        self.write({"state": "done", "date_done": fields.Datetime.now(),
                    "report_id": attachment.id})
        recipients = self.user_id.partner_id | self.company_id._chorus_managers().partner_id
        recipients = recipients.filtered(lambda p: p.active and not p.is_public)
        body = _("%(name)s finished: %(done)s deposited, %(failed)s failed, %(skipped)s "
                 "skipped, out of %(total)s invoices. The attached CSV gives the result of "
                 "each invoice.", name=self.name, done=self.count_done,
                 failed=self.count_failed, skipped=self.count_skipped,
                 total=self.count_total)
        self.message_post(
            subject=_("Chorus Pro: %s finished", self.name), body=body,
            partner_ids=recipients.ids, attachment_ids=attachment.ids,
            message_type="comment", subtype_xmlid="mail.mt_comment")
        if not in_test():
            self.env.cr.commit()

    def _chorus_csv(self):
        """The report: invoice, customer, result, Chorus flow and invoice id, message."""
        labels = dict(self.env["chorus.deposit.batch.line"]._fields["state"]
                      ._description_selection(self.env))
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([_("Invoice"), _("Customer"), _("Result"), _("Chorus Pro flow"),
                         _("Chorus Pro invoice ID"), _("Message")])
        for line in self.line_ids:
            move = line.move_id
            writer.writerow([
                move.name, move.partner_id.display_name, labels.get(line.state, line.state),
                line.flow_number or move.chorus_flow_id.name or "",
                move.chorus_invoice_id or "", (line.message or "").replace("\n", " "),
            ])
        return buffer.getvalue().encode("utf-8-sig")

    def action_view_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.move_id.ids)],
        }
