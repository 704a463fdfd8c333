"""In Odoo's background sending the PDFs of the next invoices render while the first
ones are deposited (issue 10, speed): each deposit starts as soon as its own PDF is
there. Rendering happens in threads with transactions of their own, so the invoices
are committed (``CommittedChorusCase``)."""

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import facturx
from odoo.tests import tagged
from pypdf import PdfReader

from ..models.account_move_send_render import AccountMoveSend as RenderingSend
from .common import make_pdf
from .common_committed import CommittedChorusCase

RENDER = "odoo.addons.l10n_fr_chorus_connector.models.account_move_send_render"
SEND = "odoo.addons.l10n_fr_chorus_connector.models.account_move_send"
#: Seconds a render waits for a deposit before giving up (the test then fails).
PATIENCE = 20


@tagged("post_install", "-at_install")
class TestRenderAhead(CommittedChorusCase):
    invoice_count = 3
    partner_name = "Mairie de Valbourg (rendu en avance)"

    def _commit_fixtures(self, env):
        super()._commit_fixtures(env)
        # No PDF yet: the background sending renders them.
        env["ir.attachment"].search([
            ("res_model", "=", "account.move"), ("res_id", "in", self.ids["moves"]),
            ("res_field", "=", "invoice_pdf_report_file")]).unlink()
        # The order in which Odoo's background sending takes them.
        self.order = env["account.move"].browse(self.ids["moves"]).sorted().ids

    def setUp(self):
        super().setUp()
        self.renders = []
        self._lock = threading.Lock()
        for target, value in (("in_test", False), ("wkhtmltopdf_renders_batches", False)):
            patcher = patch(f"{RENDER}.{target}", return_value=value)
            patcher.start()
            self.addCleanup(patcher.stop)

    def deposited(self):
        return len(self.emulator.api_calls("deposer/flux"))

    @staticmethod
    def text(pdf):
        return PdfReader(io.BytesIO(pdf)).pages[0].extract_text().strip()

    def deposited_files(self, moves):
        """Texts of the files deposited for ``moves``, each a Factur-X PDF."""
        files = moves.chorus_flow_id.attachment_id.mapped("raw")
        self.assertEqual(len(files), len(moves))
        self.assertTrue(all(facturx.get_facturx_xml_from_pdf(content, check_xsd=True)[1]
                            for content in files))
        return sorted(self.text(content) for content in files)

    def fake_render(self, waits=None, fail=()):
        """A ``_chorus_render_pdf`` that records what it rendered and how many
        invoices were deposited by then; ``waits``: ``{invoice id: condition}`` the
        rendering of that invoice waits for (at most ``PATIENCE`` seconds)."""
        test, waits = self, waits or {}

        def render(_model, invoice_id, _report_id):
            condition = waits.get(invoice_id)
            for _i in range(PATIENCE * 20 if condition else 0):
                if condition():
                    break
                time.sleep(0.05)
            with test._lock:
                test.renders.append((invoice_id, test.deposited(),
                                     threading.current_thread().name))
            if invoice_id in fail:
                raise RuntimeError("wkhtmltopdf crashed")
            return make_pdf(f"Facture {invoice_id}")

        return patch.object(RenderingSend, "_chorus_render_pdf", render)

    def run_background_sending(self):
        """Queue the invoices as the mass deposit does, then one call of Odoo's
        background sending, committed."""
        env = self.open_env()
        moves = env["account.move"].browse(self.ids["moves"])
        env["chorus.deposit.run"]._chorus_launch(moves)
        env["account.move"]._cron_account_move_send(job_count=20)
        env.cr.commit()
        return moves

    def test_first_invoice_is_deposited_while_the_next_ones_render(self):
        first, *_others, last = self.order
        with self.fake_render(waits={last: self.deposited}):
            moves = self.run_background_sending()
        self.assertEqual(moves.mapped("chorus_send_state"), ["sent"] * 3)
        self.assertEqual(self.deposited(), 3)
        self.assertEqual([invoice_id for invoice_id, *_rest in self.renders], self.order)
        renders = {invoice_id: (deposited, thread) for invoice_id, deposited, thread
                   in self.renders}
        self.assertEqual(sorted(renders), sorted(self.ids["moves"]))
        self.assertEqual(renders[first][0], 0)
        # The last PDF was finished only after the first invoice was on Chorus Pro:
        # rendering and depositing overlap (one after the other, this waits in vain).
        self.assertGreaterEqual(renders[last][0], 1)
        self.assertTrue(all(thread.startswith("chorus-pdf")
                            for _deposited, thread in renders.values()))
        # The deposited files are the PDFs rendered ahead, with their Factur-X XML.
        self.assertEqual(self.deposited_files(moves),
                         sorted(f"Facture {move_id}" for move_id in self.order))

    def test_a_render_that_fails_ahead_is_rendered_the_usual_way(self):
        first, second, third = self.order
        usual = []

        def usual_render(_model, invoices_data):
            for invoice, invoice_data in invoices_data.items():
                usual.append(invoice.id)
                invoice_data["pdf_attachment_values"] = {
                    "name": "usual.pdf", "raw": make_pdf("usual"), "mimetype": "application/pdf",
                    "res_model": invoice._name, "res_id": invoice.id,
                    "res_field": "invoice_pdf_report_file"}

        from odoo.addons.account.models.account_move_send import AccountMoveSend as Base
        with self.fake_render(fail={second}), \
                patch.object(Base, "_prepare_invoice_pdf_report", usual_render), \
                self.assertLogs(RENDER, "ERROR") as logs:
            moves = self.run_background_sending()
        self.assertIn(f"rendering ahead the PDF of invoice {second} failed", logs.output[0])
        self.assertEqual(usual, [second])
        self.assertEqual(moves.mapped("chorus_send_state"), ["sent"] * 3)
        self.assertEqual(self.deposited(), 3)
        self.assertEqual(self.deposited_files(moves),
                         sorted([f"Facture {first}", "usual", f"Facture {third}"]))

    def test_after_the_budget_the_rest_stays_queued_and_is_not_rendered(self):
        first, second, third = self.order
        released = threading.Event()

        class Pool(ThreadPoolExecutor):
            """Lets the second render finish only once the pool is shut down."""

            def shutdown(self, wait=True, *, cancel_futures=False):
                super().shutdown(wait=False, cancel_futures=cancel_futures)
                released.set()
                super().shutdown(wait=wait)

        with self.fake_render(waits={second: released.is_set}), \
                patch(f"{RENDER}.ThreadPoolExecutor", Pool), \
                patch(f"{SEND}.BACKGROUND_BUDGET", 0), \
                patch.object(RenderingSend, "_chorus_render_settings",
                             lambda _model: (1, 200)):
            moves = self.run_background_sending()
        # One deposit per call at least; the others wait for the next call (queued,
        # not in error), and the render not started yet was dropped.
        self.assertEqual(self.deposited(), 1)
        self.assertEqual(moves.browse(self.order).mapped("chorus_send_state"),
                         ["sent", "to_send", "to_send"])
        self.assertEqual(sorted(moves.filtered("sending_data").ids), sorted([second, third]))
        self.assertEqual([invoice_id for invoice_id, *_rest in self.renders], [first, second])

    def test_each_pdf_ahead_is_odoo_own_rendering_of_that_invoice(self):
        # The unit the threads run, unpatched: Odoo's Send & Print rendering.
        env = self.open_env()
        move = env["account.move"].browse(self.order[0])
        report = env.ref("account.account_invoices")
        sender = env["account.move.send"]
        pdf = sender.with_context(force_report_rendering=True)._chorus_render_pdf(
            move.id, report.id)
        self.assertEqual(pdf[:5], b"%PDF-")
        self.assertIn(move.name, self.text(pdf))
        # What is not a PDF (Odoo's HTML while testing) is left to the usual rendering.
        self.assertIsNone(sender._chorus_render_pdf(move.id, report.id))
