"""Reminders (activities) when Chorus Pro waits for the supplier.

A status of ``ACTIVITY_STATUSES`` (to recycle, suspended, rejected) opens one
reminder of the type "Chorus Pro action" for a real person; it is closed when the
invoice leaves that status. Called by the follow-up (``account_move_followup.py``).
"""

from odoo import _, models

from ..chorus import codes
from .account_move import ACTIVITY_STATUSES


class AccountMove(models.Model):
    _inherit = "account.move"

    def _chorus_status_activity(self, old, new):
        """Close the reminder of the status left, open one for a status that waits."""
        if old in ACTIVITY_STATUSES and new != old:
            self._chorus_close_activities()
        if new not in ACTIVITY_STATUSES:
            return
        user = self._chorus_activity_user()
        # The reminder is read by its user: in their language.
        move = self.with_context(lang=user.lang or self.env.lang)
        move._chorus_close_activities()  # one reminder at a time
        move.activity_schedule(
            "l10n_fr_chorus_connector.mail_activity_chorus_action",
            summary=move._chorus_activity_summary(new),
            note=move._chorus_activity_note(new),
            user_id=user.id,
        )

    def _chorus_activity_note(self, status):
        notes = {
            "A_RECYCLER": _("Chorus Pro asks to recycle the invoice (wrong recipient, "
                            "service code or commitment number): use the 'Recycle' button."),
            "SUSPENDUE": _("Chorus Pro suspended the invoice: add what the customer asks "
                           "with the 'Complete' button."),
            "REJETEE": _("Chorus Pro rejected the invoice. This is final: issue a credit "
                         "note and, if needed, a new invoice."),
        }
        comment = self.chorus_status_comment
        return notes[status] + (f"\n{comment}" if comment else "")

    def _chorus_activity_user(self):
        """Who must act: the invoice's salesperson when a real person (not OdooBot nor
        a portal user), else the user who deposited it, else a Chorus Pro
        administrator of the company, else the current user."""
        self.ensure_one()
        root = self.env.ref("base.user_root", raise_if_not_found=False)

        def is_person(user):
            return user and user.active and not user.share and user != root

        for user in (self.invoice_user_id, self.chorus_flow_id.create_uid):
            if is_person(user) and self.company_id in user.company_ids:
                return user
        managers = self.company_id._chorus_managers().filtered(is_person)
        return managers[:1] or self.env.user

    def _chorus_activity_summary(self, status):
        return _("Chorus Pro: %s", codes.label(status))

    def _chorus_close_activities(self):
        """Mark done the reminders of statuses the supplier has now handled (found by
        their activity type, whatever the language of their summary)."""
        activity_type = self.env.ref("l10n_fr_chorus_connector.mail_activity_chorus_action",
                                     raise_if_not_found=False)
        activities = self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        if activities:
            activities.action_feedback(feedback=_("Handled on Chorus Pro."))
