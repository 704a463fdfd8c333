"""Send & Print of one invoice by Chorus Pro: say that the deposit happened."""

from odoo import _, models

from ..models.account_move_send import METHOD


class AccountMoveSendWizard(models.TransientModel):
    _inherit = "account.move.send.wizard"

    def action_send_and_print(self, allow_fallback_pdf=False):
        # EXTENDS 'account': the dialog used to close silently after a deposit.
        action = super().action_send_and_print(allow_fallback_pdf=allow_fallback_pdf)
        move = self.move_id
        if METHOD not in (self.sending_methods or []) or move.chorus_send_state != "sent" \
                or (action or {}).get("type") != "ir.actions.act_window_close":
            return action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Chorus Pro"),
                "message": move.chorus_send_message or _("%s deposited on Chorus Pro.",
                                                         move.name),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
