"""Demo traces: what the connector shows and writes says when it was only a demo.

``chorus_trace`` in the context marks Chorus work (deposit, follow-up, wizards, the
end of a deposit run): the chatter messages it posts for a company on Demo carry the
demo marker, while what users write themselves is left alone. Notifications are
marked through ``_chorus_demo_notification``.
"""

from markupsafe import Markup
from odoo import _, models

TRACE = "chorus_trace"


class ResCompany(models.Model):
    _inherit = "res.company"

    def _chorus_is_demo(self):
        """True when this company's Chorus Pro is the embedded emulator."""
        return self.chorus_environment == "demo"

    def _chorus_demo_notice(self):
        """What every demo trace says (empty outside the demo)."""
        if not any(company._chorus_is_demo() for company in self):
            return ""
        return _("Demo environment: the embedded emulator answered, nothing was sent to "
                 "Chorus Pro.")

    def _chorus_demo_body(self, body):
        """A chatter ``body`` of Chorus work, with the demo marker when on Demo."""
        if not (self.env.context.get(TRACE) and body and self._chorus_is_demo()):
            return body
        # Markup + str escapes the str: a plain-text body stays plain text.
        return Markup("<p><b>%s</b></p>") % _("Demo: nothing was sent to Chorus Pro.") + body

    def _chorus_demo_notification(self, action):
        """Mark a ``display_notification`` action when one of these companies is on Demo."""
        if isinstance(action, dict) and action.get("tag") == "display_notification":
            action["params"] = self._chorus_demo_params(action["params"])
        return action

    def _chorus_demo_params(self, params):
        """Notification ``params`` (title, message), marked when on Demo."""
        notice = self._chorus_demo_notice()
        if not notice:
            return params
        return dict(params, title=_("Chorus Pro (Demo)"),
                    message=f"{notice}\n{params.get('message') or ''}")

    def _chorus_sync_status(self, *args, **kwargs):
        # The scheduled status synchronisation is Chorus work too.
        traced = self.with_context(**{TRACE: True})
        return super(ResCompany, traced)._chorus_sync_status(*args, **kwargs)
