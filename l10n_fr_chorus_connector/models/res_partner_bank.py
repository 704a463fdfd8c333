import re

from odoo import _, api, fields, models


def _compact(text):
    return re.sub(r"\s+", "", text or "").upper()


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    chorus_bank_account_id = fields.Integer(
        "Chorus Pro bank account ID",
        copy=False,
        help="idCoordonneeBancaire of this account on Chorus Pro (recuperer/coordbanc/valides), "
        "filled by 'Test connection' when the IBAN matches.",
    )

    @api.model
    def _chorus_match_bank_accounts(self, company, chorus_accounts):
        """Remember the Chorus code of the company's accounts whose IBAN Chorus lists.

        Chorus names its accounts freely; the IBAN usually appears in the name, so
        accounts are matched on the compact IBAN. Returns the unmatched Chorus accounts.
        """
        banks = self.search([("partner_id", "=", company.partner_id.id)])
        unmatched = []
        for account in chorus_accounts:
            name = _compact(account.name)
            bank = banks.filtered(lambda b, name=name: b.acc_number
                                  and _compact(b.acc_number) in name)[:1]
            if bank:
                bank.chorus_bank_account_id = account.id
            else:
                unmatched.append(account)
        if unmatched:
            company.sudo().chorus_last_connection_message = (
                (company.chorus_last_connection_message or "") + "\n" + _(
                    "Bank accounts on Chorus Pro without a matching IBAN in Odoo: %s",
                    ", ".join(a.name or str(a.id) for a in unmatched)))
        return unmatched
