"""Commitment numbers (EJ) checked on Chorus Pro before a deposit, against the emulator."""

from odoo.tests import tagged

from ..chorus.sandbox import directory, ops_engagements
from ..models.account_move_engagement import CACHE_KEY
from .common import ChorusCase

EJ_PATH = "engagementsJuridiques"


@tagged("post_install", "-at_install")
class TestEngagementCheck(ChorusCase):

    def setUp(self):
        super().setUp()
        self.env.cr.cache.pop(CACHE_KEY, None)
        ops_engagements.set_subscribed(self.emulator, True)
        self.addCleanup(ops_engagements.set_subscribed, self.emulator, True)
        self.company.chorus_ej_api_unsubscribed = False

    def problems(self, move):
        self.env.cr.cache.pop(CACHE_KEY, None)
        return move._chorus_deposit_problems().get(move, [])

    def test_existing_commitment_passes(self):
        move = self.make_invoice(self.public_ej, purchase_order_reference=directory.KNOWN_EJ)
        self.assertEqual(self.problems(move), [])
        self.assertEqual(len(self.emulator.api_calls(EJ_PATH)), 1)
        self.deposit(move)
        self.assertEqual(move.chorus_send_state, "sent")

    def test_unknown_commitment_is_refused_before_deposit(self):
        move = self.make_invoice(self.public_ej, purchase_order_reference="EJ2099999999")
        self.assertProblem(move, "Commitment number: EJ2099999999 is not known on Chorus Pro")
        with self.assertRaisesRegex(Exception, "EJ2099999999 is not known"):
            move.action_chorus_deposit()
        self.assertFalse(self.deposit_calls())

    def test_commitment_of_another_buyer_is_refused(self):
        move = self.make_invoice(self.public_ej, purchase_order_reference="EJ2024000002")
        problems = self.problems(move)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("for another buyer (%s)" % directory.SIRET_SERVICE_AND_EJ, problems[0])
        self.assertIn(directory.SIRET_EJ_REQUIRED, problems[0])

    def test_no_check_when_no_commitment_is_required(self):
        move = self.make_invoice(self.public, purchase_order_reference="EJ2099999999")
        self.assertEqual(self.problems(move), [])
        self.assertFalse(self.emulator.api_calls(EJ_PATH))

    def test_api_not_subscribed_is_said_once_and_skipped(self):
        ops_engagements.set_subscribed(self.emulator, False)
        move = self.make_invoice(self.public_ej, purchase_order_reference="EJ2099999999")
        self.assertEqual(self.problems(move), [])  # never blocks on the check itself
        self.assertTrue(self.company.chorus_ej_api_unsubscribed)
        calls = len(self.emulator.api_calls(EJ_PATH))
        self.assertEqual(self.problems(move), [])
        self.assertEqual(len(self.emulator.api_calls(EJ_PATH)), calls, "asked only once")
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.chorus_ej_api_unsubscribed)
        arch = settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("has not subscribed the Chorus Pro API", arch)
        # Subscribed on PISTE, then "Check again": checked again.
        ops_engagements.set_subscribed(self.emulator, True)
        settings.action_chorus_ej_check_again()
        self.assertFalse(self.company.chorus_ej_api_unsubscribed)
        self.assertProblem(move, "is not known on Chorus Pro")

    def test_check_failure_never_blocks(self):
        self.emulator.inject_fault("500", count=5)
        move = self.make_invoice(self.public_ej, purchase_order_reference="EJ2099999999")
        self.assertEqual(self.problems(move), [])
        self.assertFalse(self.company.chorus_ej_api_unsubscribed)
