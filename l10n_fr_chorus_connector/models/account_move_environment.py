"""What an invoice says about its company's Chorus Pro environment.

Not configured: the Chorus tab says what to do (the deposit checks refuse). Demo:
every trace of the connector says that nothing reached Chorus Pro — the notification
of the buttons and the chatter messages the deposit, the follow-up and the recycle and
complete wizards post. Those are marked through the ``chorus_trace`` context key, set
where Chorus work starts, so that what users write in the chatter is left alone.
"""

from markupsafe import Markup
from odoo import _, api, fields, models

TRACE = "chorus_trace"


class AccountMove(models.Model):
    _inherit = "account.move"

    chorus_environment = fields.Selection(
        related="company_id.chorus_environment", string="Chorus Pro environment")

    def _chorus_traced(self):
        return self.with_context(**{TRACE: True})

    def _chorus_deposit(self, pdf_contents=None):
        return super(AccountMove, self._chorus_traced())._chorus_deposit(pdf_contents)

    def _chorus_refresh(self):
        return super(AccountMove, self._chorus_traced())._chorus_refresh()

    def _chorus_open_wizard(self, model, name):
        # Recycle / complete: the web client runs the wizard's buttons in this context.
        action = super()._chorus_open_wizard(model, name)
        action["context"] = {**action.get("context", {}), TRACE: True}
        return action

    @api.model
    def _chorus_notification(self, results):
        action = super()._chorus_notification(results)
        notice = self.company_id._chorus_demo_notice()
        if isinstance(action, dict) and notice:
            params = action["params"]
            params["title"] = _("Chorus Pro (Demo)")
            params["message"] = f"{notice}\n{params['message']}"
        return action

    def message_post(self, **kwargs):
        if self.env.context.get(TRACE) and len(self) == 1 and kwargs.get("body") \
                and self.company_id._chorus_is_demo():
            # Markup + str escapes the str: a plain-text body stays plain text.
            kwargs["body"] = Markup("<p><b>%s</b></p>") % _(
                "Demo: nothing was sent to Chorus Pro.") + kwargs["body"]
        return super().message_post(**kwargs)
