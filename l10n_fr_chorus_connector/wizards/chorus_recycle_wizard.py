"""Recycle an invoice that Chorus Pro put "à recycler" (``recycler``)."""

from markupsafe import Markup
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..chorus import codes, rules
from ..chorus.errors import ChorusError


class ChorusRecycleWizard(models.TransientModel):
    _name = "chorus.recycle.wizard"
    _inherit = "chorus.move.wizard"
    _description = "Recycle an invoice on Chorus Pro"

    recipient_siret = fields.Char("Recipient SIRET", size=14, required=True)
    service_id = fields.Many2one(
        "chorus.partner.service",
        domain="[('partner_id.siret', '=', recipient_siret), ('active_in_chorus', '=', True)]",
        help="The services Chorus Pro lists for this SIRET (synchronise the customer to "
        "refresh them).")
    service_code = fields.Char("Service code")
    has_services = fields.Boolean("Services known", compute="_compute_has_services")
    engagement = fields.Char("Commitment number (EJ)")
    comment = fields.Char("Comment to the recipient")

    @api.model
    def default_get(self, fields_list):
        vals = super().default_get(fields_list)
        move = self.env["account.move"].browse(vals.get("move_id"))
        if move:
            vals.update({
                "recipient_siret": move.chorus_recipient_siret,
                "service_code": move.buyer_reference,
                "service_id": self.default_get_service(move).id if move.buyer_reference
                else False,
                "engagement": move.purchase_order_reference,
            })
        return vals

    @api.depends("recipient_siret")
    def _compute_has_services(self):
        Service = self.env["chorus.partner.service"]
        for wizard in self:
            siret = (wizard.recipient_siret or "").replace(" ", "")
            wizard.has_services = bool(siret) and bool(Service.search_count(
                [("partner_id.siret", "=", siret), ("active_in_chorus", "=", True)], limit=1))

    @api.model
    def default_get_service(self, move):
        """The synchronised service of the invoice's current service code."""
        return self.env["chorus.partner.service"].search([
            ("partner_id.siret", "=", move.chorus_recipient_siret),
            ("code", "=", move.buyer_reference), ("active_in_chorus", "=", True)], limit=1)

    @api.onchange("service_id")
    def _onchange_service_id(self):
        # With known services the picker is the only service field shown: it decides.
        if self.service_id or self.has_services:
            self.service_code = self.service_id.code or False

    def action_recycle(self):
        """Send the new routing data to Chorus Pro and store it on the invoice."""
        self.ensure_one()
        move = self.move_id
        move._chorus_require_status("A_RECYCLER", _("Recycling"))
        siret = (self.recipient_siret or "").replace(" ", "")
        if self.service_id:
            self.service_code = self.service_id.code
        problems = [v.text(self.env.lang) for v in (
            rules.check_siret(siret, field="recipient_siret"),
            rules.check_service_code(self.service_code),
            rules.check_engagement(self.engagement)) if v]
        if problems:
            raise UserError("\n".join(problems))
        comment = self.comment or ""
        if (self.engagement or False) != (move.purchase_order_reference or False):
            # The commitment goes in references.numeroBonCommande, a block name the
            # documentation does not confirm: the comment the recipient reads says it too.
            comment = " ".join(filter(None, [
                comment, _("New commitment number: %s.", self.engagement or _("none"))]))
        client = self._chorus_client()
        try:
            update = client.recycle_invoice(
                move.chorus_invoice_id, siret, service_code=self.service_code or None,
                engagement=self.engagement or None, comment=comment or None)
        except ChorusError as exc:
            raise UserError(_("Chorus Pro refused the recycling: %s",
                              move.company_id._chorus_error_message(exc))) from None
        old = (move.chorus_recipient_siret, move.buyer_reference,
               move.purchase_order_reference)
        move.with_context(chorus_routing_update=True).write({
            "chorus_recipient_siret": siret,
            "buyer_reference": self.service_code or False,
            "purchase_order_reference": self.engagement or False,
        })
        move._chorus_close_activities()
        move.message_post(body=self._chorus_recycle_body(
            update.status, old, (siret, self.service_code or False, self.engagement or False)))
        move._chorus_refresh()
        return {"type": "ir.actions.act_window_close"}

    def _chorus_recycle_body(self, status, old, new):
        """Chatter of a recycling: the new status in words, only what changed."""
        if status:
            title = _("Recycled on Chorus Pro (new status: %s).", codes.label(status))
        else:
            title = _("Recycled on Chorus Pro.")
        labels = (_("Recipient SIRET"), _("Service code"), _("Commitment number"))
        # _() finds the language through its caller's frame, which a comprehension
        # does not have: env._ is used inside it.
        none = _("none")
        changes = [
            self.env._("%(field)s: %(old)s → %(new)s", field=label, old=before or none,
                       new=after or none)
            for label, before, after in zip(labels, old, new) if (before or False) != after
        ]
        if not changes:
            changes = [_("Same recipient, service code and commitment number.")]
        body = Markup("<p>%s</p>") % title
        return body + Markup("<ul>%s</ul>") % Markup().join(
            Markup("<li>%s</li>") % change for change in changes)
