"""The language of background work: scheduled jobs write in the company's language.

What a job writes on records (chatter, statuses' reminders, synchronisation messages,
notes to the administrators) is read later by the company's users: a job launched by
a user runs in that user's language, a scheduled one in the company's (the language
of its partner), through ``i18n/fr.po``.
"""

from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _chorus_work_lang(self):
        """Language for the scheduled work of this company."""
        self.ensure_one()
        lang = self.partner_id.lang
        if lang and self.env["res.lang"]._lang_get(lang):
            return lang
        return self.env.lang or "en_US"

    def _chorus_for_background(self):
        """This company, in its own context and language, for a scheduled job."""
        self.ensure_one()
        return self.with_company(self).with_context(lang=self._chorus_work_lang())
