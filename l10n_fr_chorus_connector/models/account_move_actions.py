"""The buttons of the Chorus Pro panel: deposit, refresh, recycle, complete, credit
note, and the notification that reports their result."""

from odoo import _, api, models
from odoo.exceptions import RedirectWarning, UserError

from ..chorus import codes


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_chorus_deposit(self):
        """Deposit the invoices on Chorus Pro (button "Déposer sur Chorus Pro")."""
        problems = self._chorus_deposit_problems()
        if problems and any(c.sudo().chorus_token_balance < 1 for c in self.company_id):
            # Same list of problems, with a button to the packs.
            raise RedirectWarning(
                self._chorus_format_problems(problems),
                self.env.ref("l10n_fr_chorus_connector.action_chorus_token_packs").id,
                _("See the token packs"))
        results = self._chorus_deposit()
        return self._chorus_notification(results)

    def action_chorus_refresh_status(self):
        """Ask Chorus Pro for the flow outcome and the current status of the invoices."""
        results = self._chorus_refresh()
        return self._chorus_notification(results)

    def action_chorus_recycle(self):
        """Open the wizard that recycles an invoice Chorus Pro put "à recycler"."""
        self.ensure_one()
        self._chorus_require_status("A_RECYCLER", _("Recycling"))
        return self._chorus_open_wizard("chorus.recycle.wizard", _("Recycle on Chorus Pro"))

    def action_chorus_complete(self):
        """Open the wizard that completes a suspended invoice."""
        self.ensure_one()
        self._chorus_require_status("SUSPENDUE", _("Completing"))
        return self._chorus_open_wizard("chorus.complete.wizard", _("Complete on Chorus Pro"))

    def action_chorus_credit_note(self):
        """REJETEE is final: the way out is Odoo's credit note, then a new invoice."""
        self.ensure_one()
        return self.action_reverse()

    def _chorus_require_status(self, status, action):
        """Refuse ``action`` (a translated noun) unless the Chorus status is ``status``."""
        if self.chorus_status != status:
            raise UserError(_(
                "%(action)s on Chorus Pro is only possible in status '%(expected)s'; "
                "%(invoice)s is in status '%(current)s'. Refresh the status first.",
                action=action, invoice=self.display_name, expected=codes.label(status),
                current=codes.label(self.chorus_status) or _("none")))

    def _chorus_open_wizard(self, model, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    @api.model
    def _chorus_notification(self, results):
        """A notification summarising ``results``: list of (level, message)."""
        if not results:
            return True
        level = "danger" if any(r[0] == "danger" for r in results) else (
            "warning" if any(r[0] == "warning" for r in results) else "success")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Chorus Pro"),
                "message": "\n".join(message for _level, message in results),
                "type": level,
                "sticky": level != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
