"""A file deposited on Chorus Pro (``deposer/flux``) and its processing report."""

import logging

from odoo import _, api, fields, models

from ..chorus import codes
from .account_move_followup import chorus_datetime
from .res_company import CHORUS_ENVIRONMENTS

_logger = logging.getLogger(__name__)

FLOW_STATES = codes.selection("fr", codes.FLOW_STATES)
SYNTAXES = codes.selection("fr", codes.FLOW_SYNTAXES)


class ChorusFlow(models.Model):
    _name = "chorus.flow"
    _description = "Chorus Pro flow"
    _order = "date desc, id desc"

    name = fields.Char("Flow number", required=True, readonly=True, index=True,
                       help="numeroFluxDepot given by Chorus Pro.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    date = fields.Datetime("Deposit date", readonly=True, default=fields.Datetime.now)
    syntax = fields.Selection(SYNTAXES, "Format", readonly=True)
    state = fields.Selection(FLOW_STATES, "Flow state", readonly=True, index=True,
                             help="Processing state on Chorus Pro (consulterCRDetaille).")
    state_date = fields.Datetime("State date", readonly=True)
    is_final = fields.Boolean("Processed", compute="_compute_is_final", store=True,
                              help="Chorus Pro has finished processing the file.")
    move_ids = fields.Many2many(
        "account.move", "chorus_flow_account_move_rel", "flow_id", "move_id", "Invoices",
        readonly=True)
    file_name = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", "Deposited file", readonly=True)
    error_message = fields.Text("Chorus Pro errors", readonly=True)
    environment = fields.Selection(
        CHORUS_ENVIRONMENTS, "Chorus Pro environment", readonly=True, index=True,
        default=lambda self: self.env.company.chorus_environment,
        help="Where the file was deposited. Demo: the embedded emulator, nothing reached "
        "Chorus Pro.")

    _sql_constraints = [
        ("name_company_uniq", "unique(company_id, name)",
         "A Chorus Pro flow number appears only once per company."),
    ]

    @api.depends("name", "environment")
    def _compute_display_name(self):
        for flow in self:
            flow.display_name = (_("%s (Demo)", flow.name) if flow.environment == "demo"
                                 else flow.name)

    @api.depends("state")
    def _compute_is_final(self):
        for flow in self:
            flow.is_final = codes.is_flow_final(flow.state)

    @api.model
    def _chorus_create_from_deposit(self, deposit, moves, file_name, content, syntax):
        """Record a successful ``deposer/flux`` and keep the deposited file."""
        flow = self.create({
            "name": deposit.flow_number,
            "company_id": moves.company_id.id,
            "environment": moves.company_id.chorus_environment,
            "syntax": syntax,
            "state": "IN_RECU",
            "state_date": fields.Datetime.now(),
            "move_ids": [fields.Command.set(moves.ids)],
            "file_name": file_name,
        })
        flow.attachment_id = self.env["ir.attachment"].create({
            "name": file_name,
            "raw": content,
            "res_model": self._name,
            "res_id": flow.id,
            "company_id": flow.company_id.id,
        })
        return flow

    @api.model
    def _chorus_find_or_create(self, flow_number, moves):
        """The flow with this number (created when Chorus knows it but we did not)."""
        if not flow_number:
            return self.browse()
        flow = self.search([("name", "=", flow_number),
                            ("company_id", "=", moves.company_id.id)], limit=1)
        if flow:
            flow.move_ids = [fields.Command.link(move.id) for move in moves]
            return flow
        return self.create({
            "name": flow_number,
            "company_id": moves.company_id.id,
            "environment": moves.company_id.chorus_environment,
            "move_ids": [fields.Command.set(moves.ids)],
        })

    def _chorus_apply_report(self, report):
        """Store a ``consulterCRDetaille`` report (state, date, error texts)."""
        self.ensure_one()
        vals = {"state_date": chorus_datetime(report.state_date) or fields.Datetime.now()}
        if report.state in codes.FLOW_STATES:
            vals["state"] = report.state
        else:
            # New codes appear over time: still pending for us, keep the last known one.
            _logger.warning("Chorus Pro flow %s: unknown state %r", self.name, report.state)
        errors = [f"{e.code or ''} {e.message}".strip() for e in report.technical_errors]
        errors += [f"{e.invoice_number or '?'}: {e.message}" for e in report.invoice_errors]
        vals["error_message"] = "\n".join(errors) or False
        # Flows are technical records: users read them, only the connector writes.
        self.sudo().write(vals)

    def action_refresh(self):
        """Ask Chorus Pro for the processing report of these flows."""
        moves = self.move_ids.filtered(lambda m: m.chorus_flow_id in self)
        return moves.action_chorus_refresh_status()

    def action_view_moves(self):
        """The invoices of the flow."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Invoices of flow %s", self.name),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
        }
