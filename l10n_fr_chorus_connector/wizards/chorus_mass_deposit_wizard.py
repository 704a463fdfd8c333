"""Déposer sur Chorus Pro" on a selection of invoices: count, confirm, queue.

The dialog says exactly which invoices will be deposited and which are left out,
and why, before anything happens; confirming queues them in Odoo's background
sending (see ``chorus.deposit.run``).
"""

from markupsafe import Markup
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
    other_count = fields.Integer("Not eligible", compute="_compute_groups")
    excluded_html = fields.Html("Left out", compute="_compute_groups", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move":
            values["move_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    @api.model
    def _chorus_split(self, moves):
        """``(to deposit, {reason kind: [(move, reason)]})`` for ``moves``."""
        left_out = {"sent": [], "running": [], "other": []}
        todo = moves.browse()
        for move in moves:
            if move.chorus_send_state == "sent":
                left_out["sent"].append((move, _("already deposited (flow %s)",
                                                  move.chorus_flow_id.name or "?")))
            elif move.sending_data:
                left_out["running"].append((move, _("being sent in the background")))
            elif problems := move._chorus_move_problems():
                left_out["other"].append((move, " ".join(problems)))
            else:
                todo |= move
        return todo, left_out

    @api.depends("move_ids")
    def _compute_groups(self):
        titles = {"sent": _("Already deposited"), "running": _("Being deposited"),
                  "other": _("Not eligible")}
        for wizard in self:
            todo, left_out = self._chorus_split(wizard.move_ids._origin)
            wizard.todo_ids = todo
            wizard.todo_count = len(todo)
            wizard.sent_count = len(left_out["sent"])
            wizard.running_count = len(left_out["running"])
            wizard.other_count = len(left_out["other"])
            html = Markup()
            for kind, items in left_out.items():
                if items:
                    html += Markup("<p><strong>%s (%s)</strong></p><ul>%s</ul>") % (
                        titles[kind], len(items), Markup().join(
                            Markup("<li>%s: %s</li>") % (move.display_name, reason)
                            for move, reason in items))
            wizard.excluded_html = html or False

    def action_confirm(self):
        """Queue the invoices that can be deposited in Odoo's background sending."""
        self.ensure_one()
        moves, left_out = self._chorus_split(self.move_ids)
        if not moves:
            reasons = [f"{move.display_name}: {reason}"
                       for items in left_out.values() for move, reason in items]
            raise UserError(_("Nothing to deposit on Chorus Pro among the selected "
                              "documents:\n%s", "\n".join(reasons) or _("no document")))
        moves.check_access("write")
        self.env["chorus.deposit.run"]._chorus_launch(moves, origin="mass")
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
