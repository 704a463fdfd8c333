"""Base of the browser tours: a French accountant on the demo emulator.

The tours (``static/tests/tours/*.js``) run in headless Chromium through
``HttpCase.start_tour``; they assert what the user sees. The user's language is
French (fr_FR activated and the translations of the modules the screens show
loaded, as Settings > Languages does). A tour step that logs
``chorus-screenshot:<name>`` saves the page as ``<name>.png`` in the screens folder
(``$CHORUS_SCREENS_DIR``, default ``~/.cache/l10n_fr_chorus_connector/screens``).
"""

import base64
import importlib.util
import logging
import os
import shutil
import unittest
from pathlib import Path
from unittest.mock import patch

from odoo.tests import HttpCase
from odoo.tests import common as odoo_tests_common
from odoo.tests.common import ChromeBrowser

from .common import ChorusCase, make_pdf

_logger = logging.getLogger(__name__)

SCREENS_DIR = Path(os.environ.get("CHORUS_SCREENS_DIR")
                   or Path.home() / ".cache" / "l10n_fr_chorus_connector" / "screens")
SCREEN_SIGNAL = "chorus-screenshot:"
#: Modules whose French the tours' screens show (loading every module costs minutes).
#: What Odoo's ChromeBrowser looks for (odoo/tests/common.py).
BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")
FRENCH_MODULES = ("base", "web", "mail", "account", "l10n_fr_chorus_connector")

_original_handle_console = ChromeBrowser._handle_console


def _handle_console(self, type, args=None, stackTrace=None, **kw):
    """Chrome console hook: ``chorus-screenshot:<name>`` saves a screenshot."""
    if type == "log" and args:
        text = str(self._from_remoteobject(args[0]))
        if text.startswith(SCREEN_SIGNAL):
            _save_screenshot(self, text[len(SCREEN_SIGNAL):].strip())
            return None
    return _original_handle_console(self, type, args=args, stackTrace=stackTrace, **kw)


def _save_screenshot(browser, name):
    safe = "".join(c for c in name if c.isalnum() or c in "-_") or "screen"
    future = browser._websocket_send("Page.captureScreenshot", with_future=True)

    def write(done):
        try:
            data = done.result(timeout=0)["data"]
        except Exception as exc:  # a screenshot must never fail a tour
            _logger.warning("Screenshot %s not taken: %s", safe, exc)
            return
        SCREENS_DIR.mkdir(parents=True, exist_ok=True)
        (SCREENS_DIR / f"{safe}.png").write_bytes(base64.b64decode(data))
        _logger.info("Screenshot saved: %s", SCREENS_DIR / f"{safe}.png")

    if future is not None:
        future.add_done_callback(write)


class ChorusTourCase(HttpCase, ChorusCase):
    """Tours as a French accountant (the admin user, in fr_FR) on the demo company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._require_browser()
        cls.startClassPatcher(patch.object(ChromeBrowser, "_handle_console", _handle_console))
        # Odoo gives Chromium 10 s to open its devtools port, then *skips* the tour: on
        # a loaded 2-core machine that is too short, and a skip must not pass for green.
        cls.startClassPatcher(patch.object(odoo_tests_common, "CHECK_BROWSER_ITERATIONS", 600))
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"].search([
            ("name", "in", FRENCH_MODULES), ("state", "=", "installed"),
        ])._update_translations(["fr_FR"])
        cls.user = cls.env.ref("base.user_admin")
        cls.user.write({"lang": "fr_FR", "tz": "Europe/Paris"})
        cls.company.partner_id.lang = "fr_FR"
        # Tests render no PDF with wkhtmltopdf: the invoice PDF is a small real one.
        cls.tour_pdf = make_pdf("Facture")
        cls.startClassPatcher(patch.object(
            type(cls.env["account.move"]), "_chorus_invoice_pdf",
            lambda self, pdf_content=None: cls.tour_pdf))

    @classmethod
    def _require_browser(cls):
        """Odoo skips tours silently without a browser: here that is a failure, so that
        CI never reports green tours that did not run (CHORUS_SKIP_TOURS=1 to skip)."""
        if os.environ.get("CHORUS_SKIP_TOURS") == "1":
            raise unittest.SkipTest("CHORUS_SKIP_TOURS=1")
        missing = []
        if importlib.util.find_spec("websocket") is None:
            missing.append("the Python package websocket-client (requirements.txt)")
        if not any(shutil.which(name) for name in BROWSERS):
            missing.append("a Chromium or Chrome on the PATH (setup/lib.sh installs "
                           "Debian's chromium)")
        if missing:
            raise AssertionError("The browser tours cannot run: install "
                                 + " and ".join(missing) + ".")
