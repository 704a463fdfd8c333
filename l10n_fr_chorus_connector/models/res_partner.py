import logging
from datetime import timedelta

from odoo import _, api, fields, models, modules
from odoo.exceptions import UserError, ValidationError

from ..chorus import rules
from ..chorus.errors import ChorusError

_logger = logging.getLogger(__name__)

REQUIREMENTS = [
    ("none", "Nothing required"),
    ("service", "Service code required"),
    ("engagement", "Commitment number required"),
    ("service_or_engagement", "Service code or commitment number required"),
    ("service_and_engagement", "Service code and commitment number required"),
]
RESERVED_SERVICE = "FACTURES_PUBLIQUES"
#: Order of the companies syncing a shared customer: the last answer is kept.
SYNC_ORDER = {"demo": 0, "custom": 1, "qualification": 2, "production": 3}


class ResPartner(models.Model):
    _inherit = "res.partner"

    invoice_sending_method = fields.Selection(selection_add=[("chorus_pro", "by Chorus Pro")])
    chorus_public = fields.Boolean(
        "Public entity (Chorus Pro)",
        help="Public entity: its invoices go to Chorus Pro.",
    )
    chorus_service_code = fields.Char(
        "Chorus Pro service code",
        help="Service exécutant of this address on Chorus Pro. Must be one of the active "
        "services of the structure once it is synchronised.",
    )
    chorus_structure_id = fields.Integer("Chorus Pro structure ID", copy=False, readonly=True)
    chorus_structure_name = fields.Char("Chorus Pro structure", copy=False, readonly=True)
    chorus_structure_active = fields.Boolean("Structure active on Chorus Pro", copy=False,
                                             readonly=True, default=True)
    chorus_required = fields.Selection(
        REQUIREMENTS, "Chorus Pro requires", copy=False, readonly=True,
        help="What this structure requires on every invoice, synchronised from Chorus Pro.")
    chorus_payment_status_not_reported = fields.Boolean(
        "Payment status not reported", copy=False, readonly=True,
        help="This structure never sends the 'Mise en paiement' status: follow-up stops "
        "at 'Mandatée'.")
    chorus_sync_date = fields.Datetime("Last Chorus Pro synchronisation", copy=False,
                                       readonly=True)
    chorus_sync_message = fields.Char("Chorus Pro synchronisation result", copy=False,
                                      readonly=True)
    chorus_service_ids = fields.One2many("chorus.partner.service", "partner_id",
                                         "Chorus Pro services")
    chorus_service_count = fields.Integer(compute="_compute_chorus_service_count")
    chorus_structure_partner_id = fields.Many2one(
        "res.partner", compute="_compute_chorus_structure_partner_id")
    chorus_service_choice_id = fields.Many2one(
        "chorus.partner.service", "Chorus Pro service",
        compute="_compute_chorus_service_choice_id", inverse="_inverse_chorus_service_choice_id",
        domain="[('partner_id', '=', chorus_structure_partner_id), "
               "('active_in_chorus', '=', True)]",
        help="Pick the service among those synchronised from Chorus Pro.")
    chorus_warning = fields.Char(compute="_compute_chorus_warning")

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["chorus_public"]

    @api.depends("chorus_service_ids")
    def _compute_chorus_service_count(self):
        for partner in self:
            partner.chorus_service_count = len(partner.chorus_service_ids)

    @api.depends("siret", "parent_id", "commercial_partner_id")
    def _compute_chorus_structure_partner_id(self):
        for partner in self:
            partner.chorus_structure_partner_id = (
                partner._chorus_structure_partner() if partner.id else partner)

    @api.depends("chorus_service_code", "chorus_service_ids", "siret",
                 "commercial_partner_id.chorus_service_ids")
    def _compute_chorus_service_choice_id(self):
        for partner in self:
            services = partner.chorus_structure_partner_id.chorus_service_ids
            partner.chorus_service_choice_id = services.filtered(
                lambda s, code=partner.chorus_service_code: s.code == code)[:1]

    def _inverse_chorus_service_choice_id(self):
        for partner in self:
            if partner.chorus_service_choice_id:
                partner.chorus_service_code = partner.chorus_service_choice_id.code

    @api.depends("chorus_public", "siret", "child_ids.siret", "chorus_structure_active",
                 "chorus_structure_id")
    def _compute_chorus_warning(self):
        for partner in self:
            warning = False
            if partner.chorus_public and partner.is_company:
                sirets = [partner.siret] + partner.child_ids.mapped("siret")
                if not any(sirets):
                    warning = _("This public entity has no SIRET: Chorus Pro deposits are "
                                "impossible until you enter one.")
                elif partner.siret and not partner.chorus_structure_active:
                    warning = _("This structure is inactive on Chorus Pro: it no longer "
                                "receives invoices.")
            partner.chorus_warning = warning

    # ------------------------------------------------------------------
    # Validation and onchanges
    # ------------------------------------------------------------------
    @api.constrains("siret", "chorus_public", "parent_id")
    def _check_chorus_siret(self):
        # Only where Chorus Pro uses it: public entities and their addresses (which
        # share chorus_public). Suppliers and private customers are never sent to
        # Chorus Pro, so importing them with a wrong SIRET must not fail.
        for partner in self:
            if partner.siret and (partner.chorus_public
                                  or partner.commercial_partner_id.chorus_public):
                violation = rules.check_siret(partner.siret)
                if violation:
                    raise ValidationError(_("%(partner)s: %(message)s",
                                            partner=partner.display_name,
                                            message=violation.text(self.env.lang)))

    @api.constrains("chorus_service_code", "chorus_service_ids")
    def _check_chorus_service_code(self):
        for partner in self.filtered("chorus_service_code"):
            violation = rules.check_service_code(partner.chorus_service_code)
            if violation:
                raise ValidationError(violation.text(self.env.lang))
            services = partner._chorus_structure_partner().chorus_service_ids
            if services and partner.chorus_service_code not in services.filtered(
                    "active_in_chorus").mapped("code"):
                raise ValidationError(_(
                    "%(partner)s: the service code '%(code)s' is not an active service of "
                    "the Chorus Pro structure. Pick one of: %(codes)s.",
                    partner=partner.display_name, code=partner.chorus_service_code,
                    codes=", ".join(services.filtered("active_in_chorus").mapped("code"))))

    @api.onchange("chorus_public")
    def _onchange_chorus_public(self):
        """Propose Chorus Pro as sending method and Factur-X as format."""
        if self.chorus_public:
            if self.invoice_sending_method != "chorus_pro":
                self.invoice_sending_method = "chorus_pro"
            if "facturx" in dict(self._fields["invoice_edi_format"].selection):
                self.invoice_edi_format = "facturx"

    def _chorus_structure_partner(self):
        """The partner holding the structure data for this address's SIRET."""
        self.ensure_one()
        return self if self.siret or not self.parent_id else self.commercial_partner_id

    def _chorus_recipient(self):
        """The address whose SIRET and service code an invoice to ``self`` uses.

        An invoice address with its own SIRET is a structure of its own; any other
        address invoices the commercial entity.
        """
        self.ensure_one()
        if self.parent_id and self.type == "invoice" and self.siret:
            return self
        return self.commercial_partner_id

    # ------------------------------------------------------------------
    # Synchronisation with Chorus Pro
    # ------------------------------------------------------------------
    def action_chorus_sync_structure(self):
        """Synchronise structure, requirements and services of these partners.

        Problems (unknown SIRET, inactive structure, Chorus errors) are stored on the
        partner and shown in a warning notification; they never raise, so what was
        learnt is kept.
        """
        failures = []
        for partner in self:
            failures += partner._chorus_sync_structure()
        message = "\n".join(failures) if failures else "\n".join(self.mapped("chorus_sync_message"))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Chorus Pro"), "message": message,
                       "type": "warning" if failures else "success", "sticky": bool(failures),
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    def _chorus_sync_targets(self):
        """This partner, and its invoice addresses that carry their own SIRET."""
        children = self.child_ids.filtered(lambda c: c.type == "invoice" and c.siret)
        return (self | children).filtered("siret")

    def _chorus_sync_structure(self, companies=None):
        """Sync this partner and its invoice addresses; returns the failure messages."""
        return [message for messages in self._chorus_sync_by_company(companies).values()
                for message in messages]

    def _chorus_sync_by_company(self, companies=None):
        """``{company: [failure messages]}`` of synchronising this partner with the
        Chorus Pro set-up (environment, credentials) of each company that uses it,
        among ``companies`` (default: the companies the user works in)."""
        self.ensure_one()
        scope = self.env.companies if companies is None else companies
        if not self.siret:
            message = _("%s has no SIRET: enter it before synchronising with Chorus Pro.",
                        self.display_name)
            self.chorus_sync_message = message
            return {self.company_id or self.env.company: [message]}
        in_company_lang = self.env.context.get("chorus_company_lang")
        return {company: (self.with_context(lang=company._chorus_work_lang())
                          if in_company_lang else self)._chorus_sync_with(company)
                for company in self._chorus_sync_companies(scope)}

    def _chorus_sync_companies(self, scope):
        """The companies of ``scope`` whose set-up synchronises this partner.

        A company's own customer: that company. A shared customer: each configured
        company that invoices it (or, when none does yet, each configured company),
        the real environments last so that their answer is the one kept.
        """
        self.ensure_one()
        if self.company_id:
            return self.company_id
        Company = self.env["res.company"]
        groups = self.env["account.move"].sudo()._read_group([
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")), ("state", "!=", "cancel"),
            ("company_id", "in", scope.ids)], ["company_id"])
        users = Company.union(*(company for (company,) in groups))
        configured = scope.filtered(
            lambda c: not c._chorus_configuration_errors(need_supplier=False))
        if users:
            # A user that is not configured still gets told why nothing happened.
            found = (users & configured) or users[:1]
        else:
            found = configured or (self.env.company & scope) or scope[:1]
        return found.sorted(lambda c: (SYNC_ORDER.get(c.chorus_environment, 0), c.id))

    def _chorus_sync_with(self, company):
        """Sync with ``company``'s Chorus Pro set-up; returns the failure messages."""
        self.ensure_one()
        failures = []
        try:
            client = company._chorus_client()
        except UserError as exc:
            return [f"{self.display_name}: {exc.args[0]}"]
        for partner in self._chorus_sync_targets():
            try:
                partner._chorus_sync_one(client)
            except ChorusError as exc:
                partner.write({"chorus_sync_date": fields.Datetime.now(),
                               "chorus_sync_message": company._chorus_error_message(exc)})
            if not partner.chorus_required:  # set only by a complete synchronisation
                failures.append(f"{partner.display_name}: {partner.chorus_sync_message}")
        return failures

    def _chorus_sync_one(self, client):
        found = client.search_structures(self.siret)
        if not found:
            self.write({"chorus_structure_id": 0, "chorus_structure_active": True,
                        "chorus_required": False,
                        "chorus_sync_date": fields.Datetime.now(),
                        "chorus_sync_message": _(
                            "No Chorus Pro structure has the SIRET %s: check the SIRET with "
                            "your customer.", self.siret)})
            return
        structure = found[0]
        if not structure.active:
            self.write({"chorus_structure_id": structure.id, "chorus_structure_active": False,
                        "chorus_structure_name": structure.name, "chorus_required": False,
                        "chorus_sync_date": fields.Datetime.now(),
                        "chorus_sync_message": _(
                            "The Chorus Pro structure %s is inactive: it does not receive "
                            "invoices any more. Ask your customer which SIRET to invoice.",
                            self.siret)})
            return
        details = client.get_structure(structure.id)
        self._chorus_sync_services(client, structure.id)
        self.write({
            "chorus_structure_id": structure.id,
            "chorus_structure_name": structure.name or details.name,
            "chorus_structure_active": True,
            "chorus_required": details.requirement,
            "chorus_payment_status_not_reported": details.payment_status_not_reported,
            **self._chorus_address_vals(details.address),
            "chorus_sync_date": fields.Datetime.now(),
            "chorus_sync_message": _("Synchronised with Chorus Pro: %(name)s, %(count)s "
                                     "service(s).", name=structure.name or details.name,
                                     count=len(self.chorus_service_ids)),
        })

    def _chorus_sync_services(self, client, structure_id):
        existing = {s.code: s for s in self.chorus_service_ids}
        seen = set()
        for service in client.iter_structure_services(structure_id):
            if service.code == RESERVED_SERVICE or service.code in seen:
                continue
            seen.add(service.code)
            details = client.get_service(structure_id, service.id)
            vals = {"chorus_service_id": str(service.id), "name": service.name,
                    "active_in_chorus": service.active,
                    "engagement_required": details.engagement_required}
            # Services are edited by Chorus Pro administrators only; a user allowed to
            # synchronise the customer refreshes them from Chorus Pro.
            if service.code in existing:
                existing[service.code].sudo().write(vals)
            else:
                self.env["chorus.partner.service"].sudo().create(
                    {**vals, "partner_id": self.id, "code": service.code})
        # Services gone from Chorus stay listed (invoices may name them) but inactive.
        for code, record in existing.items():
            if code not in seen:
                record.sudo().active_in_chorus = False

    def action_view_chorus_services(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Chorus Pro services"),
            "res_model": "chorus.partner.service",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.id)],
            "context": {"default_partner_id": self.id},
        }

    @api.model
    def _cron_chorus_sync_partners(self, batch_size=50):
        """Weekly re-synchronisation of public partners, by batches committed one by one.

        A partner is due when it was not synchronised in the last six days; each one
        processed gets a date (even on failure), so the batches always converge. Each
        company's failures are collected across the batches and reported to its Chorus
        Pro administrators once, when the run ends.
        """
        due = [("chorus_public", "=", True), ("is_company", "=", True), ("siret", "!=", False),
               "|", ("chorus_sync_date", "=", False),
               ("chorus_sync_date", "<", fields.Datetime.now() - timedelta(days=6))]
        partners = self.search(due, order="chorus_sync_date asc, id", limit=batch_size)
        remaining = self.search_count(due) - len(partners)
        companies = self.env["res.company"].sudo().search([])
        done, failures = 0, []
        for partner in partners:
            # Scheduled: what the sync stores reads in each company's language.
            results = partner.with_context(chorus_company_lang=True)._chorus_sync_by_company(
                companies)
            partner.chorus_sync_date = fields.Datetime.now()
            problems = [message for messages in results.values() for message in messages]
            if problems:
                failures += problems
                _logger.warning("Chorus Pro sync of partner %s failed", partner.id)
                for company, messages in results.items():
                    company._chorus_partner_sync_failed(messages)
            else:
                done += 1
            if not modules.module.current_test:  # commit per partner, as Odoo's own crons
                self.env.cr.commit()
        self.env["ir.cron"]._notify_progress(done=len(partners), remaining=remaining)
        if not remaining:
            companies._chorus_partner_sync_report()
        return done, failures
