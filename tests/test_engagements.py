"""Commitment (EJ) check against the loopback emulator (chorus.engagements)."""

import pytest

from chorus import engagements as ej
from chorus.errors import ChorusPermissionError
from chorus.sandbox import directory as d
from chorus.sandbox import ops_engagements


def test_known_commitment_of_the_buyer(emu_client):
    check = ej.check_engagement(emu_client, d.SUPPLIER_ID, d.KNOWN_EJ, d.SIRET_EJ_REQUIRED)
    assert check.ok
    assert check.buyers == (d.SIRET_EJ_REQUIRED,)


def test_unknown_commitment(emu_client):
    check = ej.check_engagement(emu_client, d.SUPPLIER_ID, "EJ2099999999", d.SIRET_EJ_REQUIRED)
    assert check.outcome == ej.UNKNOWN
    assert not check.ok


def test_commitment_of_another_buyer(emu_client):
    check = ej.check_engagement(emu_client, d.SUPPLIER_ID, "EJ2024000002",
                                d.SIRET_EJ_REQUIRED)
    assert check.outcome == ej.OTHER_BUYER
    assert check.buyers == (d.SIRET_SERVICE_AND_EJ,)


def test_commitments_of_another_supplier_are_not_visible(emu_client):
    check = ej.check_engagement(emu_client, d.SUPPLIER_ID, "EJ2024000100",
                                d.SIRET_EJ_REQUIRED)
    assert check.outcome == ej.UNKNOWN


def test_unsubscribed_api_answers_403(emu_client, chorus_emu):
    ops_engagements.set_subscribed(chorus_emu, False)
    try:
        with pytest.raises(ChorusPermissionError) as caught:
            ej.check_engagement(emu_client, d.SUPPLIER_ID, d.KNOWN_EJ, d.SIRET_EJ_REQUIRED)
        assert caught.value.http_status == 403
        assert "Engagements juridiques" in caught.value.message
        # The other APIs keep working.
        assert emu_client.get_supplier_structures()
    finally:
        ops_engagements.set_subscribed(chorus_emu, True)
    assert ej.check_engagement(emu_client, d.SUPPLIER_ID, d.KNOWN_EJ, d.SIRET_EJ_REQUIRED).ok
