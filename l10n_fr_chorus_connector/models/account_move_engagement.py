"""Commitment number (EJ) checked on Chorus Pro before a deposit.

When the recipient structure, or its service, requires a commitment and the invoice
gives one, Chorus Pro is asked whether that commitment exists for this buyer
(``chorus/engagements.py``). The check only ever adds a precise refusal: when the
PISTE application has not subscribed the *Engagements juridiques* API, Settings says
so once and the check is skipped; when the check itself fails (Chorus unreachable,
an error), the deposit goes on and Chorus Pro judges the commitment itself.
"""

import logging

from odoo import _, fields, models

from ..chorus import engagements
from ..chorus.errors import ChorusError, ChorusPermissionError

_logger = logging.getLogger(__name__)

#: Requirements that make a commitment mandatory ("service or commitment" does not).
REQUIRES_EJ = ("engagement", "service_and_engagement")
CACHE_KEY = "chorus_engagement_checks"


class AccountMove(models.Model):
    _inherit = "account.move"

    def _chorus_engagement_required(self, structure):
        """True when the structure or the chosen service asks for a commitment."""
        if (structure.chorus_required or "none") in REQUIRES_EJ:
            return True
        service = structure.chorus_service_ids.filtered(
            lambda s: s.code == (self.buyer_reference or ""))
        return bool(service.engagement_required)

    def _chorus_engagement_problems(self):
        """[message] when Chorus Pro does not know the commitment for this buyer."""
        self.ensure_one()
        number = (self.purchase_order_reference or "").strip()
        company = self.company_id
        if not number or company.sudo().chorus_ej_api_unsubscribed \
                or company._chorus_configuration_errors():
            return []
        structure = self._chorus_structure_partner()
        if not self._chorus_engagement_required(structure):
            return []
        check = self._chorus_engagement_check(number)
        if check is None or check.ok:
            return []
        if check.outcome == engagements.OTHER_BUYER:
            return [_("Commitment number: %(number)s exists on Chorus Pro but for another "
                      "buyer (%(buyers)s), not for %(siret)s. Check the commitment number "
                      "with your customer, or the recipient SIRET.", number=number,
                      buyers=", ".join(check.buyers), siret=self.chorus_recipient_siret)]
        return [_("Commitment number: %(number)s is not known on Chorus Pro for your supplier "
                  "structure (or is no longer open). Check the engagement juridique number "
                  "with %(customer)s.", number=number,
                  customer=self.partner_id.commercial_partner_id.display_name)]

    def _chorus_engagement_check(self, number):
        """The ``EngagementCheck`` (cached for the transaction), None when unknown."""
        company = self.company_id
        siret = self.chorus_recipient_siret or ""
        cache = self.env.cr.cache.setdefault(CACHE_KEY, {})
        key = (company.id, number, siret)
        if key in cache:
            return cache[key]
        result = None
        try:
            client = company._chorus_client(need_supplier=True)
            with client:
                result = engagements.check_engagement(
                    client, company.chorus_supplier_id, number, siret)
        except ChorusPermissionError:
            company.sudo().chorus_ej_api_unsubscribed = fields.Datetime.now()
            _logger.info("Chorus Pro: the 'Engagements juridiques' API is not subscribed by "
                         "the PISTE application of %s; commitment check skipped", company.name)
        except ChorusError as exc:
            _logger.warning("Chorus Pro: commitment %s could not be checked (%s); the deposit "
                            "goes on", number, type(exc).__name__)
        cache[key] = result
        return result
