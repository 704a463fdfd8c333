"""A mass or automatic deposit: who launched it, which invoices, and its report.

Not a queue: the invoices wait in Odoo's own background sending (``sending_data``
with this run's id, cron ``account.ir_cron_account_move_send``), which deposits
them through the one deposit service. When none of them is queued any more, the
run ends: a CSV report (invoice, customer, result, flow, Chorus number, message)
and a summary, in the launcher's language, posted to the launcher and the Chorus
Pro administrators (Odoo inbox, with the CSV) and shown as a notification.
"""

import csv
import io

from odoo import _, api, fields, models

ORIGINS = [("mass", "Mass deposit"), ("auto", "Automatic deposit")]
RUN_STATES = [("running", "In progress"), ("done", "Done")]


class ChorusDepositRun(models.Model):
    _name = "chorus.deposit.run"
    _description = "Chorus Pro deposit run"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    user_id = fields.Many2one("res.users", "Launched by", readonly=True,
                              default=lambda self: self.env.user)
    lang = fields.Char("Language", readonly=True,
                       help="Language of the chatter messages, report and summary.")
    origin = fields.Selection(ORIGINS, default="mass", required=True, readonly=True)
    state = fields.Selection(RUN_STATES, default="running", required=True, readonly=True,
                             index=True)
    move_ids = fields.Many2many("account.move", "chorus_deposit_run_move_rel", "run_id",
                                "move_id", "Invoices", readonly=True)
    move_count = fields.Integer("Number of invoices", compute="_compute_name")
    date_done = fields.Datetime("Finished on", readonly=True)
    report_id = fields.Many2one("ir.attachment", "Deposit report", readonly=True)

    @api.depends("origin", "move_ids")
    def _compute_name(self):
        labels = dict(self._fields["origin"]._description_selection(self.env))
        for run in self:
            run.name = _("%(kind)s #%(id)s", kind=labels.get(run.origin, ""), id=run.id or "")
            run.move_count = len(run.move_ids)

    # ------------------------------------------------------------------
    # Launch
    # ------------------------------------------------------------------
    @api.model
    def _chorus_launch(self, moves, origin="mass", user=None, lang=None):
        """Queue ``moves`` in Odoo's background sending, one run per company."""
        user = user or self.env.user
        runs = self.browse()
        for company in moves.company_id:
            company_moves = moves.filtered(lambda m, c=company: m.company_id == c)
            run = self.sudo().create({
                "company_id": company.id, "user_id": user.id, "origin": origin,
                "lang": lang or user.lang or company.partner_id.lang,
                "move_ids": [fields.Command.set(company_moves.ids)],
            })
            company_moves.sudo().sending_data = {
                "author_user_id": user.id,
                "author_partner_id": user.partner_id.id,
                "chorus_run": run.id,
            }
            runs |= run
        self.env.ref("account.ir_cron_account_move_send").sudo()._trigger()
        return runs.with_env(self.env)

    @api.model
    def _chorus_launch_context(self, sending_data):
        """Context of a background deposit: who launched it (chatter, ledger) and in
        which language it writes."""
        sending_data = sending_data or {}
        run = self.sudo().browse(sending_data.get("chorus_run") or []).exists()
        if run:
            return {"lang": run.lang or self.env.lang,
                    "chorus_launch": {"user_id": run.user_id.id, "origin": run.origin}}
        user = self.env["res.users"].sudo().browse(sending_data.get("author_user_id") or [])
        user = user.exists()
        if not user:
            return {}
        return {"lang": user.lang or self.env.lang,
                "chorus_launch": {"user_id": user.id, "origin": "send"}}

    # ------------------------------------------------------------------
    # End of run
    # ------------------------------------------------------------------
    @api.model
    def _chorus_close_finished(self):
        """Report the runs none of whose invoices is still queued."""
        runs = self.sudo().search([("state", "=", "running")])
        for run in runs:
            if not run.move_ids.filtered("sending_data"):
                run.with_context(lang=run.lang or self.env.lang)._chorus_finish()
        return runs.filtered(lambda r: r.state == "done")

    def _chorus_result(self, move):
        """``(result label, message)`` of ``move`` for the report."""
        labels = {"sent": _("Deposited"), "error": _("Failed"),
                  "uncertain": _("Outcome unknown"), "to_send": _("Not deposited")}
        return (labels.get(move.chorus_send_state, _("Not deposited")),
                move.chorus_send_message or "")

    def _chorus_counts(self):
        counts = {"sent": 0, "error": 0, "uncertain": 0, "other": 0}
        for move in self.move_ids:
            state = move.chorus_send_state
            counts[state if state in counts else "other"] += 1
        return counts

    def _chorus_finish(self):
        """Close the run: CSV report, inbox message and notification to the launcher
        and the Chorus Pro administrators."""
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
        counts = self._chorus_counts()
        recipients = self.user_id.partner_id | self.company_id._chorus_managers().partner_id
        recipients = recipients.filtered(lambda p: p.active and not p.is_public)
        summary = _("%(name)s finished: %(done)s deposited, %(failed)s failed, %(unknown)s "
                    "with an unknown outcome, out of %(total)s invoices.", name=self.name,
                    done=counts["sent"], failed=counts["error"], unknown=counts["uncertain"],
                    total=len(self.move_ids))
        self.message_post(
            subject=_("Chorus Pro: %s finished", self.name),
            body=summary + " " + _("The attached CSV gives the result of each invoice."),
            partner_ids=recipients.ids, attachment_ids=attachment.ids,
            message_type="comment", subtype_xmlid="mail.mt_comment")
        popup = self.company_id._chorus_demo_params({
            "type": "warning" if counts["error"] or counts["uncertain"] else "success",
            "title": _("Chorus Pro"),
            "message": summary,
            "sticky": bool(counts["error"] or counts["uncertain"]),
        })
        for partner in recipients:
            partner._bus_send("simple_notification", popup)

    def _chorus_csv(self):
        """The report: invoice, customer, result, Chorus flow and invoice id, message."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([_("Invoice"), _("Customer"), _("Result"), _("Chorus Pro flow"),
                         _("Chorus Pro invoice ID"), _("Message")])
        for move in self.move_ids.sorted("id"):
            result, message = self._chorus_result(move)
            writer.writerow([
                move.name, move.partner_id.display_name, result,
                move.chorus_flow_id.name or "", move.chorus_invoice_id or "",
                message.replace("\n", " "),
            ])
        return buffer.getvalue().encode("utf-8-sig")

    def action_view_moves(self):
        """The invoices of the run."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
        }
