"""The scheduled status synchronisation marks its chatter messages in Demo, like the
buttons do (see ``account_move_environment.py``)."""

from odoo import models

from .account_move_environment import TRACE


class ResCompany(models.Model):
    _inherit = "res.company"

    def _chorus_sync_status(self, *args, **kwargs):
        traced = self.with_context(**{TRACE: True})
        return super(ResCompany, traced)._chorus_sync_status(*args, **kwargs)
