"""Claim the late-payment interest and the recovery indemnity of a late-paid invoice.

The claim is an ordinary DRAFT customer invoice to the same public customer, with
the same Chorus Pro routing (SIRET, service code, commitment, contract), two lines
(interest, indemnity) and the computation in its lines and notes. Both amounts
repair a harm and are not the consideration of a supply: they are outside the scope
of VAT (Code général des impôts, art. 256), so their lines carry a 0 % "outside the
scope of VAT" tax (Chorus Pro wants a rate on every line) that is not reported in
the VAT return.
"""

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

#: Accounts of the French chart: interest on trade receivables, penalties on sales.
INTEREST_ACCOUNT = "pcg_7631"
INDEMNITY_ACCOUNT = "pcg_7581"


class AccountMove(models.Model):
    _inherit = "account.move"

    chorus_late_claim_origin_id = fields.Many2one(
        "account.move", "Late-paid invoice", copy=False, readonly=True,
        index="btree_not_null",
        help="The invoice paid late whose interest and indemnity this invoice claims.")
    chorus_late_claim_ids = fields.One2many(
        "account.move", "chorus_late_claim_origin_id", "Late-payment claims", readonly=True)
    chorus_late_claim_count = fields.Integer(
        "Number of late-payment claims", compute="_compute_chorus_late_claim_count")

    @api.depends("chorus_late_claim_ids")
    def _compute_chorus_late_claim_count(self):
        for move in self:
            move.chorus_late_claim_count = len(move.chorus_late_claim_ids)

    def action_chorus_late_claim(self):
        """Prepare a draft claim invoice for each late-paid invoice (button, list action)."""
        late = self.filtered(lambda m: m.chorus_days_late > 0)
        if not late:
            raise UserError(_("None of the selected invoices was paid late according to "
                              "Chorus Pro: there is no late-payment interest to claim."))
        missing = late.filtered(lambda m: not m.chorus_late_rate)
        if missing:
            raise UserError("\n".join(m._chorus_late_text() for m in missing[:1]) + "\n" + _(
                "Invoices concerned: %s", ", ".join(missing.mapped("name"))))
        claims = self.browse()
        for move in late:
            existing = move.chorus_late_claim_ids.filtered(lambda c: c.state != "cancel")
            claims |= existing or move._chorus_create_late_claim()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type")
        if len(claims) == 1:
            action.update(views=[(False, "form")], res_id=claims.id)
        else:
            action.update(domain=[("id", "in", claims.ids)])
        return action

    def action_chorus_view_late_claims(self):
        """Open the claims already prepared for this invoice."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type")
        action.update(domain=[("id", "in", self.chorus_late_claim_ids.ids)])
        return action

    def _chorus_create_late_claim(self):
        self.ensure_one()
        company = self.company_id
        tax = self._chorus_out_of_scope_tax(company)
        # The claim goes to the customer: its texts are in the customer's language.
        lines, narration, ref = self.with_context(
            lang=self.partner_id.lang or self.env.lang)._chorus_late_claim_texts()
        template = self.env["account.chart.template"].with_company(company)
        claim = self.create({
            "move_type": "out_invoice",
            "company_id": company.id,
            "journal_id": self.journal_id.id,
            "partner_id": self.partner_id.id,
            "partner_bank_id": self.partner_bank_id.id,
            "currency_id": company.currency_id.id,
            "invoice_origin": self.name,
            "ref": ref,
            "chorus_late_claim_origin_id": self.id,
            "buyer_reference": self.buyer_reference,
            "purchase_order_reference": self.purchase_order_reference,
            "contract_reference": self.contract_reference,
            "narration": narration,
            "invoice_line_ids": [Command.create({
                "name": label,
                "quantity": 1.0,
                "price_unit": amount,
                "tax_ids": [Command.set(tax.ids)],
                **({"account_id": account.id} if (account := template.ref(
                    xmlid, raise_if_not_found=False)) else {}),
            }) for label, amount, xmlid in lines if amount],
        })
        self.message_post(body=_("Late-payment claim prepared: %s (draft).",
                                 claim._get_html_link()))
        claim.message_post(body=_("Claims the late-payment interest and the recovery "
                                  "indemnity of %s.", self._get_html_link()))
        return claim

    def _chorus_late_claim_texts(self):
        """Claim lines ``[(label, amount, account xmlid)]``, notes and reference."""
        days = self.chorus_days_late
        interest_label = _(
            "Late-payment interest on invoice %(invoice)s: %(days)s days late, "
            "%(amount).2f × %(rate).2f %% × %(days)s / 365 (ECB rate %(ecb).2f %% + 8 points, "
            "Code de la commande publique, art. R2192-31)",
            invoice=self.name, days=days, amount=self.amount_total,
            rate=self.chorus_late_rate, ecb=self.chorus_late_ecb_rate)
        indemnity_label = _(
            "Flat indemnity for recovery costs, invoice %s (Code de la commande publique, "
            "art. D2192-35)", self.name)
        lines = [(interest_label, self.chorus_late_interest, INTEREST_ACCOUNT),
                 (indemnity_label, self.chorus_late_indemnity, INDEMNITY_ACCOUNT)]
        return lines, self._chorus_late_text(), _("Late payment of %s", self.name)

    @api.model
    def _chorus_out_of_scope_tax(self, company):
        """The company's 0 % sale tax "outside the scope of VAT" (created once, no tags:
        nothing goes to the VAT return)."""
        xmlid = f"l10n_fr_chorus_connector.{company.id}_tax_out_of_scope"
        tax = self.env.ref(xmlid, raise_if_not_found=False)
        if tax:
            return tax
        template = self.env["account.chart.template"].with_company(company)
        group = template.ref("tax_group_tva_0", raise_if_not_found=False)
        Tax = self.env["account.tax"].sudo()
        tax = Tax.create({
            "name": _("0% outside the scope of VAT"),
            "description": _("Outside VAT scope"),
            "invoice_label": _("Outside the scope of VAT (CGI art. 256)"),
            "amount": 0.0,
            "amount_type": "percent",
            "type_tax_use": "sale",
            "company_id": company.id,
            "country_id": company.account_fiscal_country_id.id,
            **({"tax_group_id": group.id} if group else {}),
        })
        self.env["ir.model.data"].sudo()._update_xmlids([{
            "xml_id": xmlid, "record": tax, "noupdate": True}])
        return tax
