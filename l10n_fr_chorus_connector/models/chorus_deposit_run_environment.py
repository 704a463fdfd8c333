"""The end of a mass or automatic deposit run on Demo says that it was a demo."""

from odoo import models

from .res_company_environment import TRACE


class ChorusDepositRun(models.Model):
    _inherit = "chorus.deposit.run"

    def _chorus_finish(self):
        return super(ChorusDepositRun, self.with_context(**{TRACE: True}))._chorus_finish()

    def message_post(self, **kwargs):
        if len(self) == 1 and kwargs.get("body"):
            kwargs["body"] = self.company_id._chorus_demo_body(kwargs["body"])
        return super().message_post(**kwargs)
