"""Background work per company: status sync watermark and automatic deposit settings.

The status sync asks Chorus Pro what changed since the last successful run
(``rechercher/fournisseur`` filtered on ``periodeDateHeureEtatCourantDu``), page by
page; the watermark moves only when every flow and every page went through.
"""

import logging
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import _, api, fields, models, modules
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

#: Changes stamped a little before the last run are asked again: clocks differ and
#: Chorus Pro may record a change after stamping it.
SYNC_OVERLAP = timedelta(minutes=10)
SYNC_PAGE_SIZE = 500


def in_test():
    """True while Odoo runs tests: no commit then (the test transaction is rolled back)."""
    return bool(modules.module.current_test)


class ResCompany(models.Model):
    _inherit = "res.company"

    chorus_status_sync_watermark = fields.Datetime(
        "Chorus Pro statuses synchronised up to", readonly=True, copy=False,
        help="Start of the last fully successful status synchronisation: the next one asks "
        "Chorus Pro for the invoices whose status changed since then (minus a 10 minute "
        "safety overlap).")
    chorus_auto_deposit = fields.Boolean(
        "Automatic deposit on Chorus Pro",
        help="Every day, deposit the posted invoices of public customers whose sending "
        "method is 'by Chorus Pro'.")
    chorus_auto_deposit_hour = fields.Float(
        "Automatic deposit time", default=19.0,
        help="Time of day (company time zone, Paris by default) of the automatic deposit.")
    chorus_auto_deposit_delay_mode = fields.Selection(
        [("after_posting", "days after posting"),
         ("before_invoice_date", "days before the invoice date")],
        "Delay counted", default="after_posting", required=True)
    chorus_auto_deposit_delay_days = fields.Integer(
        "Delay (days)", default=0,
        help="After posting: deposit an invoice once it has been posted for that many "
        "days (0: the same day). Before the invoice date: deposit it that many days before "
        "its invoice date (0: on the invoice date).")
    chorus_auto_deposit_cutoff = fields.Date(
        "Do not auto-deposit documents posted on or before",
        help="Invoices posted on or before this date are never deposited automatically "
        "(they were probably sent another way). Required: without it the automatic "
        "deposit does not run.")
    chorus_auto_deposit_last_run = fields.Date(
        "Last automatic deposit", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Status sync
    # ------------------------------------------------------------------
    def _chorus_sync_enabled(self):
        """Companies whose Chorus Pro set-up is complete enough to follow invoices."""
        return self.filtered(lambda c: not c._chorus_configuration_errors())

    @api.model
    def _cron_chorus_sync_status(self, page_size=SYNC_PAGE_SIZE):
        """Hourly: follow pending flows, then apply the statuses that changed."""
        companies = self.search([])._chorus_sync_enabled()
        done = 0
        for index, company in enumerate(companies):
            company = company.with_company(company)
            done += company._chorus_sync_status(page_size=page_size)["applied"]
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(companies) - index - 1)
        return done

    def _chorus_sync_status(self, page_size=SYNC_PAGE_SIZE):
        """One company's sync; returns counters. Never raises on Chorus errors.

        Each flow and each page is committed on its own (outside tests); a failure is
        logged and reported to the Chorus Pro administrators, the other flows and pages
        are still processed, and the watermark stays where it was.
        """
        self.ensure_one()
        started = fields.Datetime.now()
        stats = {"flows": 0, "pages": 0, "seen": 0, "applied": 0, "errors": []}
        try:
            client = self._chorus_client(need_supplier=True)
        except UserError as exc:  # configuration problem, reported below
            stats["errors"].append(exc.args[0])
        else:
            Move = self.env["account.move"]
            stats["errors"] += Move._chorus_sync_flows(self, client, stats)
            since = self._chorus_sync_since()
            if since:
                stats["errors"] += Move._chorus_sync_changes(
                    self, client, since, page_size, stats)
        if stats["errors"]:
            _logger.warning("Chorus Pro status sync of %s: %s error(s), watermark kept at %s",
                            self.name, len(stats["errors"]), self.chorus_status_sync_watermark)
            self._chorus_report_sync_failure(stats["errors"])
        else:
            self.sudo().chorus_status_sync_watermark = started
        if not in_test():
            self.env.cr.commit()
        _logger.info("Chorus Pro status sync of %s: %s flow(s), %s page(s), %s invoice(s) "
                     "listed, %s status change(s) applied", self.name, stats["flows"],
                     stats["pages"], stats["seen"], stats["applied"])
        return stats

    def _chorus_sync_since(self):
        """Aware UTC moment to ask changes from, or None when nothing is followed yet."""
        self.ensure_one()
        start = self.chorus_status_sync_watermark
        if not start:
            # First run: from the oldest deposit still followed.
            Move = self.env["account.move"]
            oldest = Move.search(Move._chorus_tracked_domain(self), order="id", limit=1)
            flow = self.env["chorus.flow"].search(
                [("company_id", "=", self.id), ("move_ids", "!=", False)],
                order="date asc", limit=1)
            moments = [m for m in (oldest.create_date, flow.date) if m]
            if not moments:
                return None
            start = min(moments)
        return (start - SYNC_OVERLAP).replace(tzinfo=timezone.utc)

    def _chorus_report_sync_failure(self, errors):
        self.ensure_one()
        body = _("The Chorus Pro status synchronisation of %(company)s did not complete; it "
                 "will ask again for the same period at the next run. Errors:\n%(errors)s",
                 company=self.name, errors="\n".join(f"- {e}" for e in errors[:20]))
        self._chorus_warn_managers(_("Chorus Pro: status synchronisation incomplete"), body)

    # ------------------------------------------------------------------
    # Automatic deposit
    # ------------------------------------------------------------------
    def _chorus_tz(self):
        self.ensure_one()
        return ZoneInfo(self.partner_id.tz or self.env.user.tz or "Europe/Paris")

    def _chorus_local_today(self, now):
        """The company's calendar day at ``now`` (naive UTC)."""
        return now.replace(tzinfo=timezone.utc).astimezone(self._chorus_tz()).date()

    def _chorus_auto_deposit_moment(self, day):
        """Naive UTC datetime of the configured time of day on ``day`` (company time)."""
        self.ensure_one()
        minutes = round(min(max(self.chorus_auto_deposit_hour or 0.0, 0.0), 23.99) * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self._chorus_tz())
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    @api.model
    def _cron_chorus_auto_deposit(self, now=None):
        """Daily: queue what is due for each company that enabled it (Odoo's background
        sending deposits it); returns the runs.

        A company is served once a day, not before its time of day (the cron is
        triggered again at that time when it runs earlier, e.g. for another company).
        """
        now = now or fields.Datetime.now()
        cron = self.env.ref("l10n_fr_chorus_connector.ir_cron_chorus_auto_deposit")
        runs = self.env["chorus.deposit.run"]
        for company in self.search([("chorus_auto_deposit", "=", True)]):
            company = company.with_company(company)
            if not company.chorus_auto_deposit_cutoff:
                company._chorus_refuse_auto_deposit()
                continue
            today = company._chorus_local_today(now)
            if company.chorus_auto_deposit_last_run == today:
                continue
            moment = company._chorus_auto_deposit_moment(today)
            if now < moment:
                _logger.info("Chorus Pro automatic deposit of %s: planned at %s UTC",
                             company.name, moment)
                cron._trigger(at=moment)
                continue
            runs |= company._chorus_auto_deposit(today)
        return runs

    def _chorus_refuse_auto_deposit(self):
        self.ensure_one()
        message = _(
            "The automatic deposit on Chorus Pro of %s did not run: no cut-off date is set. "
            "In Settings > Accounting > Chorus Pro, fill in 'Do not auto-deposit documents "
            "posted on or before' so that invoices already sent another way are not "
            "deposited again.", self.name)
        _logger.warning(message)
        self._chorus_warn_managers(_("Chorus Pro: automatic deposit not run"), message)

    def _chorus_auto_deposit(self, today):
        """Queue the due invoices of this company in Odoo's background sending; it
        deposits them later, in the company's language."""
        self.ensure_one()
        self.sudo().chorus_auto_deposit_last_run = today
        moves = self.env["account.move"]._chorus_auto_deposit_candidates(self, today)
        if not moves:
            _logger.info("Chorus Pro automatic deposit of %s: nothing due", self.name)
            return self.env["chorus.deposit.run"]
        run = self.env["chorus.deposit.run"]._chorus_launch(
            moves, origin="auto", user=self.env.user,
            lang=self.partner_id.lang or self.env.lang)
        _logger.info("Chorus Pro automatic deposit of %s: %s invoice(s) queued", self.name,
                     len(moves))
        return run

    def _chorus_update_auto_deposit_cron(self, activate=False):
        """Switch the cron off when no company uses it; run it at the chosen time.

        It is switched on only when a company has just enabled the automatic deposit
        (``activate``): saving the Settings never wakes up a cron an administrator
        switched off by hand.
        """
        cron = self.env.ref("l10n_fr_chorus_connector.ir_cron_chorus_auto_deposit",
                            raise_if_not_found=False)
        if not cron:
            return
        enabled = self.sudo().search([("chorus_auto_deposit", "=", True)])
        if enabled and not (activate or cron.active):
            return
        vals = {"active": bool(enabled)}
        if enabled:
            company = self.filtered("chorus_auto_deposit")[:1] or enabled[:1]
            today = company._chorus_local_today(fields.Datetime.now())
            moment = company._chorus_auto_deposit_moment(today)
            if moment <= fields.Datetime.now():
                moment = company._chorus_auto_deposit_moment(today + timedelta(days=1))
            vals["nextcall"] = moment
        cron.sudo().write(vals)
