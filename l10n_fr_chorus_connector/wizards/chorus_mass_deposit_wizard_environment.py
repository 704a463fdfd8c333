"""Mass deposit on Demo: the confirmation says that nothing will reach Chorus Pro."""

from odoo import models


class ChorusMassDepositWizard(models.TransientModel):
    _inherit = "chorus.mass.deposit.wizard"

    def action_confirm(self):
        return self.move_ids.company_id._chorus_demo_notification(super().action_confirm())
