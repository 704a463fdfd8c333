"""Déposer sur Chorus Pro" on a selection of invoices: count, confirm, run in background."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ChorusMassDepositWizard(models.TransientModel):
    _name = "chorus.mass.deposit.wizard"
    _description = "Deposit invoices on Chorus Pro in the background"

    move_ids = fields.Many2many("account.move", string="Selected invoices")
    todo_ids = fields.Many2many("account.move", compute="_compute_groups",
                                string="To deposit")
    todo_count = fields.Integer("Number to deposit", compute="_compute_groups")
    sent_count = fields.Integer("Already deposited", compute="_compute_groups")
    running_count = fields.Integer("Being deposited", compute="_compute_groups")
    other_count = fields.Integer("Not for Chorus Pro", compute="_compute_groups")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move":
            values["move_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    @api.depends("move_ids")
    def _compute_groups(self):
        for wizard in self:
            moves = wizard.move_ids
            sent = moves.filtered(lambda m: m.chorus_send_state == "sent")
            running = moves.filtered(lambda m: m.chorus_send_state == "queued")
            other = (moves - sent - running).filtered(
                lambda m: m.state != "posted" or not m._chorus_is_applicable())
            todo = moves - sent - running - other
            wizard.todo_ids = todo
            wizard.todo_count = len(todo)
            wizard.sent_count = len(sent)
            wizard.running_count = len(running)
            wizard.other_count = len(other)

    def action_confirm(self):
        """Create the batch and wake the deposit job up."""
        self.ensure_one()
        moves = self.todo_ids.filtered(lambda m: m.chorus_send_state not in ("sent", "queued"))
        if not moves:
            raise UserError(_("None of the selected documents can be deposited on Chorus Pro: "
                              "they are already deposited, being deposited, not posted, or "
                              "not for a public customer."))
        moves.check_access("write")
        batches = self.env["chorus.deposit.batch"]
        for company in moves.company_id:
            batch = batches._chorus_create_for(
                moves.filtered(lambda m, c=company: m.company_id == c), origin="manual",
                company=company)
            batch._chorus_trigger()
            batches |= batch
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Chorus Pro"),
                "message": _("%s invoice(s) will be deposited in the background. You will "
                             "receive the report when it is done.", len(moves)),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
