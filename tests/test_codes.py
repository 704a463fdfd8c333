"""Code lists: statuses, flow states, syntaxes, frameworks, payment modes."""

import pytest

from chorus import codes


def test_all_57_invoice_statuses_have_both_labels():
    assert len(codes.INVOICE_STATUSES) == 57
    for code, status in codes.INVOICE_STATUSES.items():
        assert status.code == code
        assert status.label_fr and status.label_en
        assert status.kind in (codes.FINAL_SUCCESS, codes.FINAL_FAILURE,
                               codes.SUPPLIER_ACTION, codes.TRANSITIONAL)


@pytest.mark.parametrize("code, final, action", [
    ("MISE_EN_PAIEMENT", True, False),
    ("REJETEE", True, False),
    ("SUPPRIMEE", True, False),
    ("ABANDONNEE", True, False),
    ("A_RECYCLER", False, True),
    ("SUSPENDUE", False, True),
    ("INTERPRETEE_OCR", False, True),
    ("DEPOSEE", False, False),
    ("MISE_A_DISPOSITION", False, False),
    ("MANDATEE", False, False),
    ("COMPLETEE", False, False),
])
def test_invoice_status_kinds(code, final, action):
    assert codes.is_final(code) is final
    assert codes.needs_supplier_action(code) is action


def test_final_kinds_are_exactly_the_documented_ones():
    finals = {c for c, s in codes.INVOICE_STATUSES.items() if s.is_final}
    assert finals == {"MISE_EN_PAIEMENT", "REJETEE", "SUPPRIMEE", "ABANDONNEE"}
    assert codes.invoice_status("MISE_EN_PAIEMENT").kind == codes.FINAL_SUCCESS
    assert codes.invoice_status("REJETEE").kind == codes.FINAL_FAILURE


def test_mandatee_ends_follow_up_only_when_payment_is_never_reported():
    assert not codes.is_final("MANDATEE")
    assert codes.is_final("MANDATEE", payment_not_reported=True)
    assert codes.is_final("COMPTABILISEE", payment_not_reported=True)
    assert not codes.is_final("MISE_A_DISPOSITION", payment_not_reported=True)
    assert codes.is_final("REJETEE", payment_not_reported=True)


def test_unknown_invoice_status_is_kept_as_transitional():
    status = codes.invoice_status("NOUVEAU_STATUT_2027")
    assert status.code == "NOUVEAU_STATUT_2027"
    assert status.label("fr") == status.label("en") == "NOUVEAU_STATUT_2027"
    assert status.kind == codes.TRANSITIONAL
    assert not codes.is_final("NOUVEAU_STATUT_2027")
    assert not codes.needs_supplier_action("NOUVEAU_STATUT_2027")
    assert codes.label("NOUVEAU_STATUT_2027", "en") == "NOUVEAU_STATUT_2027"
    assert not codes.is_final(None)


def test_labels_in_both_languages():
    assert codes.label("A_RECYCLER", "fr") == "À recycler"
    assert codes.label("A_RECYCLER", "en") == "To be recycled"
    assert codes.label("A_RECYCLER", "en_US") == "To be recycled"
    assert codes.label("A_RECYCLER", "fr_FR") == "À recycler"
    assert codes.label("VIREMENT", "en", codes.PAYMENT_MODES) == "Credit transfer"


def test_selection_lists_every_code_once_in_table_order():
    selection = codes.selection("fr")
    assert len(selection) == 57
    assert selection[0] == ("BROUILLON", "Brouillon")
    assert dict(selection)["MISE_EN_PAIEMENT"] == "Mise en paiement"
    assert len({code for code, _label in selection}) == 57
    flows = codes.selection("en", codes.FLOW_STATES)
    assert ("IN_INTEGRE", "Integrated") in flows


@pytest.mark.parametrize("state, kind", [
    ("IN_INTEGRE", codes.FINAL_SUCCESS),
    ("IN_INTEGRE_PARTIEL", codes.FINAL_PARTIAL),
    ("IN_REJETE", codes.FINAL_FAILURE),
    ("IN_INCIDENTE", codes.FINAL_FAILURE),
    ("IN_RECU", codes.TRANSITIONAL),
    ("IN_TRAITE_SE_CPP", codes.TRANSITIONAL),
    ("IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP", codes.TRANSITIONAL),
])
def test_flow_states(state, kind):
    assert codes.flow_state(state).kind == kind
    assert codes.is_flow_final(state) is (kind != codes.TRANSITIONAL)


def test_unknown_flow_state_is_pending():
    assert not codes.is_flow_final("IN_ETAT_INVENTE")
    assert codes.flow_state("IN_ETAT_INVENTE").label("fr") == "IN_ETAT_INVENTE"


def test_flow_syntaxes_contain_the_deposit_formats_and_no_invented_ones():
    for syntax in ("IN_DP_E2_CII_FACTURX", "IN_DP_E1_CII_16B", "IN_DP_E1_UBL_INVOICE"):
        assert syntax in codes.FLOW_SYNTAXES
    for invented in ("IN_DP_E3_FACTUR_X_10", "IN_DP_E1_UBL_201", "IN_DP_E2_CII_16B",
                     "IN_DP_E1_CII_FACTURX"):
        assert invented not in codes.FLOW_SYNTAXES


def test_frameworks_a1_to_a25():
    assert len(codes.INVOICING_FRAMEWORKS) == 25
    prefixes = [code.split("_")[0] for code in codes.INVOICING_FRAMEWORKS]
    assert prefixes == [f"A{i}" for i in range(1, 26)]
    assert codes.INVOICING_FRAMEWORKS["A1_FACTURE_FOURNISSEUR"].label("en") == "Supplier invoice"


def test_payment_modes_and_identifier_types():
    assert set(codes.PAYMENT_MODES) == {"CHEQUE", "PRELEVEMENT", "VIREMENT", "ESPECE",
                                        "AUTRE", "REPORT"}
    assert set(codes.IDENTIFIER_TYPES) == {"SIRET", "UE_HORS_FRANCE", "HORS_UE", "RIDET",
                                           "TAHITI", "AUTRE", "PARTICULIER"}
