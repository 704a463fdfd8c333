"""What an invoice says about its company's Chorus Pro environment.

Not configured: the Chorus tab says what to do (the deposit checks refuse). Demo:
every trace of the connector says that nothing reached Chorus Pro — the notifications
of the buttons and the chatter messages of the deposit, the follow-up and the recycle
and complete wizards (see ``res_company_environment.py``).
"""

from odoo import api, fields, models

from .res_company_environment import TRACE


class AccountMove(models.Model):
    _inherit = "account.move"

    chorus_environment = fields.Selection(
        related="company_id.chorus_environment", string="Chorus Pro environment")

    def _chorus_traced(self):
        return self.with_context(**{TRACE: True})

    def _chorus_deposit(self, pdf_contents=None):
        return super(AccountMove, self._chorus_traced())._chorus_deposit(pdf_contents)

    def _chorus_deposit_background(self, pdf_content=None):
        return super(AccountMove, self._chorus_traced())._chorus_deposit_background(
            pdf_content)

    def _chorus_refresh(self):
        return super(AccountMove, self._chorus_traced())._chorus_refresh()

    def _chorus_open_wizard(self, model, name):
        # Recycle / complete: the web client runs the wizard's buttons in this context.
        action = super()._chorus_open_wizard(model, name)
        action["context"] = {**action.get("context", {}), TRACE: True}
        return action

    @api.model
    def _chorus_notification(self, results):
        return self.company_id._chorus_demo_notification(super()._chorus_notification(results))

    def message_post(self, **kwargs):
        if len(self) == 1 and kwargs.get("body"):
            kwargs["body"] = self.company_id._chorus_demo_body(kwargs["body"])
        return super().message_post(**kwargs)
