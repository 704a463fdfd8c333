"""Environments: a new company is not configured until an administrator chooses one;
in Demo every trace says that nothing reached Chorus Pro."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChorusCase
from .test_multicompany import setup_french_company

DEMO = "Demo"


@tagged("post_install", "-at_install")
class TestEnvironments(ChorusCase):
    def test_new_company_is_not_configured(self):
        company = setup_french_company(self.env, "Nouvelle Entreprise SAS")
        self.assertFalse(company.chorus_environment)
        self.assertFalse(company.chorus_api_url)
        errors = company._chorus_configuration_errors()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("not configured", errors[0])
        self.assertIn("choose the environment", errors[0])
        with self.assertRaises(UserError):
            company._chorus_client()
        # Test connection says what to do, without a traceback.
        action = company.action_chorus_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("choose the environment", action["params"]["message"])

    def test_invoice_of_an_unconfigured_company_is_not_deposited(self):
        self.company.write({"chorus_environment": False})
        move = self.make_invoice()
        self.assertFalse(move.chorus_environment)
        self.assertProblem(move, "choose the environment")
        with self.assertRaises(UserError):
            move.action_chorus_deposit()
        self.assertFalse(self.deposit_calls())
        self.assertEqual(move.chorus_send_state, "to_send")

    def test_chorus_tab_says_what_to_do_and_that_demo_is_a_demo(self):
        arch = self.env["account.move"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Chorus Pro is not configured for this company", arch)
        self.assertIn("nothing is sent to Chorus Pro", arch)

    def test_every_trace_of_a_demo_deposit_says_demo(self):
        move = self.make_invoice()
        self.assertEqual(move.chorus_environment, "demo")
        action = move.action_chorus_deposit()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn(DEMO, action["params"]["title"])
        self.assertIn("nothing was sent to Chorus Pro", action["params"]["message"])
        flow = move.chorus_flow_id
        self.assertEqual(flow.environment, "demo")
        self.assertIn(DEMO, flow.display_name)
        deposited = move.message_ids.filtered(lambda m: "Deposited on Chorus Pro" in m.body)
        self.assertTrue(deposited)
        self.assertIn(DEMO, deposited[0].body)
        # Status changes, by the button and by the scheduled synchronisation.
        self.process_flows()
        move.action_chorus_refresh_status()
        integrated = move.message_ids.filtered(lambda m: "Integrated by Chorus Pro" in m.body)
        self.assertIn(DEMO, integrated.body)
        self.next_statuses()
        move.action_chorus_refresh_status()
        status = move.message_ids.filtered(lambda m: "Chorus Pro status" in m.body)
        self.assertTrue(status)
        self.assertTrue(all(DEMO in m.body for m in status), status.mapped("body"))
        count = len(status)
        self.next_statuses(2)
        self.company._chorus_sync_status()
        status = move.message_ids.filtered(lambda m: "Chorus Pro status" in m.body)
        self.assertGreater(len(status), count)
        self.assertTrue(all(DEMO in m.body for m in status), status.mapped("body"))

    def test_test_connection_in_demo_says_so(self):
        action = self.company.action_chorus_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("nothing was sent to Chorus Pro", action["params"]["message"])

    def test_user_messages_are_left_alone(self):
        move = self.make_invoice()
        move.message_post(body="Relancé par téléphone")
        self.assertNotIn(DEMO, move.message_ids[0].body)

    def test_settings_say_when_not_configured(self):
        arch = self.env["res.config.settings"].get_views(
            [(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Not configured: choose an environment", arch)

    def test_send_and_print_in_demo_says_so(self):
        self.public.invoice_sending_method = "chorus_pro"
        move = self.make_invoice(pdf=False)
        wizard = self.env["account.move.send.wizard"].with_context(
            active_model="account.move", active_ids=move.ids,
            force_report_rendering=True).create({})
        action = wizard.action_send_and_print()
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertIn(DEMO, action["params"]["title"])
        self.assertIn("nothing was sent to Chorus Pro", action["params"]["message"])

    def test_mass_deposit_in_demo_says_so(self):
        moves = self.make_invoice() | self.make_invoice()
        wizard = self.env["chorus.mass.deposit.wizard"].with_context(
            active_model="account.move", active_ids=moves.ids).create({})
        action = wizard.action_confirm()
        self.assertIn(DEMO, action["params"]["title"])
        run = self.env["chorus.deposit.run"].search([], order="id desc", limit=1)
        with patch.object(type(self.env["res.partner"]), "_bus_send", autospec=True) as bus:
            for _call in range(5):
                self.env["account.move"]._cron_account_move_send(job_count=10)
        self.assertEqual(run.state, "done")
        summary = run.message_ids.filtered(lambda m: m.attachment_ids == run.report_id)
        self.assertIn(DEMO, summary.body)
        # The end-of-run popup too.
        popups = [call.args[2] for call in bus.call_args_list
                  if call.args[1] == "simple_notification"]
        self.assertTrue(popups)
        for popup in popups:
            self.assertIn(DEMO, popup["title"])
            self.assertIn("nothing was sent to Chorus Pro", popup["message"])
        for move in moves:
            deposited = move.message_ids.filtered(lambda m: "Deposited on Chorus Pro" in m.body)
            self.assertIn(DEMO, deposited.body)
