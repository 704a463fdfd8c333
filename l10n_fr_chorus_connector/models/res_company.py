import logging
import os
import threading
from datetime import timedelta

from markupsafe import Markup
from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from ..chorus.client import ChorusClient
from ..chorus.config import ENVIRONMENTS, ChorusConfig
from ..chorus.errors import (
    ChorusAuthError,
    ChorusConfigError,
    ChorusError,
    ChorusPermissionError,
)
from ..chorus.sandbox import DEMO_BASE_URL, Emulator, EmulatorAdapter, directory

_logger = logging.getLogger(__name__)

# One emulator per database file, shared by the threads of this process.
_EMULATORS = {}
_EMULATORS_LOCK = threading.Lock()

SECRET_GROUP = "base.group_system"
CHORUS_ENVIRONMENTS = [
    ("demo", "Demo (embedded emulator)"),
    ("qualification", "Qualification (PISTE sandbox)"),
    ("production", "Production"),
    ("custom", "Custom URL"),
]
#: Where the secrets are sent: guarded like the secrets themselves.
CONNECTION_FIELDS = ("chorus_environment", "chorus_api_url", "chorus_token_url")


def emulator_for(path):
    """The demo emulator stored in ``path`` (created on first use)."""
    with _EMULATORS_LOCK:
        if path not in _EMULATORS:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            _EMULATORS[path] = Emulator(db_path=path)
        return _EMULATORS[path]


class ResCompany(models.Model):
    _inherit = "res.company"

    chorus_environment = fields.Selection(
        CHORUS_ENVIRONMENTS,
        string="Chorus Pro environment",
        # No default: a company is "not configured" (nothing is deposited) until a
        # system administrator chooses, so that nobody mistakes the demo for the real thing.
        help="Empty: not configured, nothing can be deposited.\n"
        "Demo: an emulator of Chorus Pro inside Odoo, nothing is sent to Chorus Pro.\n"
        "Qualification: the PISTE sandbox, connected to Chorus Pro qualification.\n"
        "Production: the real Chorus Pro.\n"
        "Custom: any address, e.g. a local emulator.",
    )
    chorus_api_url = fields.Char(
        "Chorus Pro API URL", compute="_compute_chorus_urls", store=True, readonly=False
    )
    chorus_token_url = fields.Char(
        "PISTE token URL", compute="_compute_chorus_urls", store=True, readonly=False
    )
    chorus_client_id = fields.Char("PISTE client ID", groups=SECRET_GROUP, copy=False)
    chorus_client_secret = fields.Char("PISTE client secret", groups=SECRET_GROUP, copy=False)
    chorus_login = fields.Char("Technical account login", groups=SECRET_GROUP, copy=False)
    chorus_password = fields.Char("Technical account password", groups=SECRET_GROUP, copy=False)
    chorus_supplier_structure_id = fields.Many2one(
        "chorus.supplier.structure",
        string="Chorus Pro supplier structure",
        domain="[('company_id', '=', id)]",
        copy=False,
        help="Your own structure on Chorus Pro, as listed for the technical account. "
        "Use 'Test connection' to load the list.",
    )
    chorus_supplier_id = fields.Integer(
        "Supplier structure ID (idStructureCPP)",
        related="chorus_supplier_structure_id.chorus_structure_id",
        store=True,
    )
    chorus_supplier_service_code = fields.Char(
        "Supplier service code", help="Optional: your own service on Chorus Pro."
    )
    chorus_flow_syntax = fields.Selection(
        [
            ("IN_DP_E2_CII_FACTURX", "Factur-X PDF (recommended)"),
            ("IN_DP_E1_CII_16B", "CII 16B XML only"),
        ],
        string="Deposit format",
        default="IN_DP_E2_CII_FACTURX",
        required=True,
    )
    chorus_password_expiry_date = fields.Date(
        "Technical password expires on",
        help="Read from Chorus Pro when available; the technical account password "
        "expires every 424 days. The Chorus Pro administrators are warned 30 and 7 days before.",
    )
    chorus_password_reminder_sent = fields.Char(copy=False)
    chorus_last_connection_message = fields.Text("Last connection test", readonly=True, copy=False)
    # Failures of the current run of the weekly partner synchronisation, reported once
    # when the run ends (it works by batches, each committed on its own).
    chorus_partner_sync_failures = fields.Text(readonly=True, copy=False)

    @api.depends("chorus_environment")
    def _compute_chorus_urls(self):
        for company in self:
            env_name = company.chorus_environment
            if env_name in ENVIRONMENTS:
                company.chorus_api_url, company.chorus_token_url = ENVIRONMENTS[env_name]
            elif env_name == "demo":
                company.chorus_api_url = DEMO_BASE_URL
                company.chorus_token_url = DEMO_BASE_URL + "/api/oauth/token"
            # custom: keep what the administrator typed.

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._chorus_check_connection_rights(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._chorus_check_connection_rights(vals)
        return super().write(vals)

    def _chorus_check_connection_rights(self, vals):
        """Only system administrators choose where the Chorus Pro secrets are sent.

        Pointing the token URL elsewhere and pressing 'Test connection' would send the
        client secret and the technical login there, so the environment and the URLs
        are guarded like the secrets (writing the value they already have is allowed).
        """
        if self.env.su or self.env.user.has_group(SECRET_GROUP):
            return
        changed = [name for name in CONNECTION_FIELDS if name in vals and (
            any((company[name] or False) != (vals[name] or False) for company in self)
            if self else vals[name])]
        if changed:
            raise AccessError(_(
                "Only system administrators can change where Chorus Pro is reached "
                "(%(fields)s): the credentials are sent there.",
                fields=", ".join(self._fields[name]._description_string(self.env)
                                 for name in changed)))

    # ------------------------------------------------------------------
    # Client
    # ------------------------------------------------------------------
    def _chorus_emulator(self):
        """The emulator answering the demo environment of this database."""
        data_dir = tools.config["data_dir"]
        path = os.path.join(data_dir, "chorus_sandbox", f"{self.env.cr.dbname}.sqlite3")
        return emulator_for(path)

    def _chorus_credentials(self):
        self.ensure_one()
        company = self.sudo()
        if company.chorus_environment == "demo":
            return {
                "client_id": company.chorus_client_id or directory.DEMO_CLIENT_ID,
                "client_secret": company.chorus_client_secret or directory.DEMO_CLIENT_SECRET,
                "login": company.chorus_login or directory.DEMO_LOGIN,
                "password": company.chorus_password or directory.DEMO_PASSWORD,
            }
        return {
            "client_id": company.chorus_client_id or "",
            "client_secret": company.chorus_client_secret or "",
            "login": company.chorus_login or "",
            "password": company.chorus_password or "",
        }

    def _chorus_config(self, **options):
        self.ensure_one()
        return ChorusConfig(
            api_url=self.chorus_api_url or "",
            token_url=self.chorus_token_url or "",
            **self._chorus_credentials(),
            **options,
        )

    def _chorus_configuration_errors(self, need_supplier=True):
        """Messages naming each missing setting (empty list when ready)."""
        self.ensure_one()
        if not self.chorus_environment:
            return [self._chorus_not_configured_message()]
        errors = []
        try:
            self._chorus_config().validate()
        except ChorusConfigError as exc:
            errors.append(_("Chorus Pro settings of %(company)s: %(message)s",
                            company=self.name, message=self._chorus_config_message(exc)))
        if need_supplier and not self.chorus_supplier_id:
            errors.append(_(
                "Chorus Pro settings of %(company)s: no supplier structure is selected. "
                "Click 'Test connection' in Settings > Accounting > Chorus Pro, then pick "
                "your structure.", company=self.name))
        return errors

    def _chorus_not_configured_message(self):
        return _("Chorus Pro is not configured for %(company)s: a system administrator must "
                 "choose the environment (Demo to try it with the embedded emulator, "
                 "Qualification or Production) in Settings > Accounting > Chorus Pro.",
                 company=self.name)

    def _chorus_config_message(self, exc):
        """The configuration problem ``exc`` names, in the user's language."""
        field_name = f"chorus_{exc.field}"
        if field_name not in self._fields:
            return exc.message
        label = self._fields[field_name]._description_string(self.env)
        if getattr(self.sudo(), field_name):
            return _("'%(setting)s' is not a valid http(s) address: correct it in Settings "
                     "> Accounting > Chorus Pro.", setting=label)
        return _("'%(setting)s' is missing: fill it in Settings > Accounting > Chorus Pro.",
                 setting=label)

    def _chorus_client(self, need_supplier=False, **options):
        """A ready Chorus Pro client for this company (UserError if not configured)."""
        self.ensure_one()
        errors = self._chorus_configuration_errors(need_supplier=need_supplier)
        if errors:
            raise UserError("\n".join(errors))
        adapter = None
        if self.chorus_environment == "demo":
            adapter = EmulatorAdapter(self._chorus_emulator())
        return ChorusClient(self._chorus_config(**options), adapter=adapter)

    # ------------------------------------------------------------------
    # Test connection, supplier structures, bank accounts
    # ------------------------------------------------------------------
    @api.model
    def _chorus_error_message(self, exc):
        """Accountant-readable explanation of a client error (no secret inside)."""
        if isinstance(exc, ChorusAuthError):
            if exc.kind == "client":
                return _("PISTE refused the client ID or client secret: copy them again from "
                         "your PISTE application (piste.gouv.fr).")
            if exc.kind == "account":
                return _("Chorus Pro refused the technical account login or password: check "
                         "them, or reset the password on the Chorus Pro portal.")
            return _("Chorus Pro refused the access token (%s).", exc.message)
        if isinstance(exc, ChorusPermissionError):
            return _("The Chorus Pro APIs are not subscribed in your PISTE application: on "
                     "piste.gouv.fr, accept the terms of use of the Chorus Pro APIs and attach "
                     "them to the application.")
        return exc.message

    def action_chorus_test_connection(self):
        """Token + health check + supplier structures; a notification says the outcome."""
        self.ensure_one()
        self.check_access("write")
        try:
            client = self._chorus_client()
            client.get_token()
            client.health_check()
            structures = client.get_supplier_structures()
        except UserError as exc:  # not configured: say what to do
            return self._chorus_connection_result(exc.args[0], "danger")
        except ChorusError as exc:
            return self._chorus_connection_result(_(
                "Connection to Chorus Pro failed: %s", self._chorus_error_message(exc)),
                "danger")
        self._chorus_store_supplier_structures(structures)
        if not self.chorus_supplier_structure_id and len(self.env["chorus.supplier.structure"]
                .search([("company_id", "=", self.id)])) == 1:
            self.chorus_supplier_structure_id = self.env["chorus.supplier.structure"].search(
                [("company_id", "=", self.id)])
        names = ", ".join(f"{s.siret} {s.name or ''}".strip() for s in structures) or _("none")
        message = _("Connection to Chorus Pro succeeded. Supplier structures of the technical "
                    "account: %s", names)
        try:
            self._chorus_sync_supplier_details(client)
        except ChorusError as exc:
            # Token and structures are fine; only the details (Structures API) failed.
            return self._chorus_connection_result(_(
                "%(message)s However, the details of your structure (bank accounts, password "
                "expiry) could not be read: %(error)s", message=message,
                error=self._chorus_error_message(exc)), "warning")
        return self._chorus_connection_result(message, "success")

    def _chorus_connection_result(self, message, kind):
        """Remember and show the outcome of 'Test connection' (demo said as such)."""
        if self._chorus_is_demo():
            message = f"{self._chorus_demo_notice()} {message}"
        self.sudo().chorus_last_connection_message = message
        return self._chorus_notify(message, kind)

    def _chorus_notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Chorus Pro"), "message": message, "type": kind,
                       "sticky": kind == "danger",
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    def _chorus_store_supplier_structures(self, structures):
        Structure = self.env["chorus.supplier.structure"].sudo()
        existing = {s.chorus_structure_id: s for s in Structure.with_context(active_test=False)
                    .search([("company_id", "=", self.id)])}
        for structure in structures:
            vals = {"siret": structure.siret, "name": structure.name or structure.siret,
                    "active": True}
            if structure.id in existing:
                existing.pop(structure.id).write(vals)
            else:
                Structure.create({**vals, "company_id": self.id,
                                  "chorus_structure_id": structure.id})
        for gone in existing.values():
            gone.active = False

    def _chorus_sync_supplier_details(self, client):
        """Password expiry date and bank account codes of the chosen structure."""
        if not self.chorus_supplier_id:
            return
        details = client.get_structure(self.chorus_supplier_id)
        if details.password_expiry_date:
            self.chorus_password_expiry_date = fields.Date.to_date(
                details.password_expiry_date[:10])
        self.env["res.partner.bank"]._chorus_match_bank_accounts(
            self, client.get_bank_accounts(self.chorus_supplier_id))

    # ------------------------------------------------------------------
    # Password expiry reminder (cron)
    # ------------------------------------------------------------------
    @api.model
    def _cron_chorus_password_expiry(self):
        """Warn the Chorus Pro administrators 30 and 7 days before expiry."""
        today = fields.Date.context_today(self)
        for company in self.search([("chorus_password_expiry_date", "!=", False)]):
            days_left = (company.chorus_password_expiry_date - today).days
            threshold = next((d for d in (7, 30) if days_left <= d), None)
            marker = f"{company.chorus_password_expiry_date}:{threshold}"
            if threshold is None or company.chorus_password_reminder_sent == marker:
                continue
            company._chorus_warn_managers(
                _("Chorus Pro: the technical account password expires soon"),
                _("The Chorus Pro technical account password of %(company)s expires on "
                  "%(date)s (in %(days)s days). Ask your structure's main manager to renew it on "
                  "the Chorus Pro portal, then enter the new password in Settings > Accounting > "
                  "Chorus Pro.", company=company.name, date=company.chorus_password_expiry_date,
                  days=max(days_left, 0)),
                deadline=company.chorus_password_expiry_date - timedelta(days=1),
            )
            company.chorus_password_reminder_sent = marker

    # ------------------------------------------------------------------
    # Weekly synchronisation of public customers: one report per run
    # ------------------------------------------------------------------
    def _chorus_partner_sync_failed(self, messages):
        """Remember failures of this run, for the report at its end."""
        self.ensure_one()
        if messages:
            company = self.sudo()
            company.chorus_partner_sync_failures = "\n".join(
                filter(None, [company.chorus_partner_sync_failures, *messages]))

    def _chorus_partner_sync_report(self):
        """End of a run: one message and one to-do per administrator, per company."""
        for company in self.sudo().filtered("chorus_partner_sync_failures"):
            failures = company.chorus_partner_sync_failures.split("\n")
            company.chorus_partner_sync_failures = False
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                _("%(count)s public customer(s) of %(company)s could not be synchronised "
                  "with Chorus Pro this week. Open each one and check its SIRET, then click "
                  "'Sync with Chorus Pro':", count=len(failures), company=company.name),
                Markup().join(Markup("<li>%s</li>") % failure for failure in failures))
            company._chorus_warn_managers(
                _("Chorus Pro: some public customers could not be synchronised"), body)

    def _chorus_managers(self):
        group = self.env.ref("l10n_fr_chorus_connector.group_chorus_manager")
        return group.users.filtered(lambda u: self in u.company_ids and not u.share)

    def _chorus_warn_managers(self, subject, body, deadline=None):
        """A message on the company partner and a to-do for each Chorus Pro administrator."""
        self.ensure_one()
        managers = self._chorus_managers()
        self.partner_id.message_post(
            subject=subject, body=body, partner_ids=managers.partner_id.ids,
            subtype_xmlid="mail.mt_note")
        for user in managers:
            self.partner_id.activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=deadline, summary=subject,
                note=body, user_id=user.id)
