"""Send & Print by Chorus Pro on Demo: the notification says that it was a demo."""

from odoo import models


class AccountMoveSendWizard(models.TransientModel):
    _inherit = "account.move.send.wizard"

    def action_send_and_print(self, allow_fallback_pdf=False):
        action = super().action_send_and_print(allow_fallback_pdf=allow_fallback_pdf)
        return self.move_id.company_id._chorus_demo_notification(action)
