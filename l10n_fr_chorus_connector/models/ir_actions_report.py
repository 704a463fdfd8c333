"""The Chorus Pro background rendering's own wkhtmltopdf delay."""

from odoo import api, models


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _build_wkhtmltopdf_args(self, paperformat_id, landscape,
                                specific_paperformat_args=None, set_viewport_size=False):
        # EXTENDS 'base': the parallel rendering of invoices for Chorus Pro passes its
        # own delay (see account_move_send_render.RENDER_DELAY_PARAM) instead of
        # report.print_delay; every other rendering is left as Odoo does it.
        args = super()._build_wkhtmltopdf_args(
            paperformat_id, landscape, specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size)
        delay = self.env.context.get("chorus_print_delay")
        if delay is not None and "--javascript-delay" in args:
            args[args.index("--javascript-delay") + 1] = str(int(delay))
        return args
