"""Business rules that need no ERP: SIRET/SIREN, attachments, lengths."""

import pytest
from stdnum import luhn

from chorus import rules
from chorus.rules import MB, RuleViolation


@pytest.mark.parametrize("siret", [
    "73282932000074",  # stdnum's reference example
    "11000201100044",  # AIFE (Chorus Pro's own Peppol identifier 0009:11000201100044)
    "35600000000048",  # La Poste head office
    "35600000049837",  # a La Poste establishment: valid only under the La Poste exception
    "732 829 320 00074",  # spaces are ignored
])
def test_valid_sirets(siret):
    assert rules.check_siret(siret) is None


def test_la_poste_exception_is_what_makes_it_valid():
    assert not luhn.is_valid("35600000049837")
    assert rules.check_siret("35600000049837") is None


@pytest.mark.parametrize("siret, fragment", [
    ("73282932000079", "check digit is wrong"),
    ("35600000000049", "check digit is wrong"),
    ("1234", "has 4 characters; a SIRET has exactly 14 digits"),
    ("7328293200007A", "digits only"),
    ("", "is missing"),
    (None, "is missing"),
])
def test_invalid_sirets(siret, fragment):
    violation = rules.check_siret(siret, field="partner_siret")
    assert isinstance(violation, RuleViolation)
    assert violation.field == "partner_siret"
    assert fragment in violation.message


def test_siren():
    assert rules.check_siren("552 008 443") is None
    assert rules.check_siren("356000000") is None
    violation = rules.check_siren("404833044")
    assert violation.field == "siren" and "SIREN '404833044'" in violation.message


def test_attachment_name_length_counts_the_extension():
    ok = "a" * 46 + ".pdf"
    assert len(ok) == 50 and rules.check_attachment_name(ok) is None
    long_name = "b" * 53 + ".pdf"
    violation = rules.check_attachment_name(long_name)
    assert violation.message == (
        f"The attachment name '{long_name}' is 57 characters long; Chorus Pro accepts at "
        "most 50 including the extension: shorten it.")
    assert violation.field == "attachment_name"


@pytest.mark.parametrize("name", ["bon_de_commande", "rapport.", ".pdf"])
def test_attachment_extension_is_mandatory(name):
    assert "has no extension" in rules.check_attachment_name(name).message


@pytest.mark.parametrize("name", ["devis.PDF", "photo.JpEg", "plan.tiff", "archive.tar.gz",
                                  "sig.p7s", "tableau.xlsx", "page.xhtml"])
def test_whitelisted_extensions_case_insensitive(name):
    assert rules.check_attachment_name(name) is None


@pytest.mark.parametrize("name", ["script.exe", "photo.webp", "doc.pages", "mail.eml"])
def test_other_extensions_are_refused(name):
    violation = rules.check_attachment_name(name)
    assert "which Chorus Pro refuses" in violation.message
    assert "pdf" in violation.message  # the message lists accepted formats


def test_whitelist_has_the_35_documented_extensions():
    assert len(rules.ALLOWED_EXTENSIONS) == 35


def test_attachment_size_limit():
    assert rules.check_attachment_size("a.pdf", 10 * MB) is None
    violation = rules.check_attachment_size("scan.pdf", 10 * MB + 1)
    assert violation.field == "attachment_size"
    assert "'scan.pdf' weighs 10.0 MB" in violation.message
    assert "at most 10.0 MB" in violation.message


def test_check_attachments_reports_every_problem_and_the_total():
    files = [("ok.pdf", MB), ("x" * 60 + ".pdf", MB), ("big.zip", 11 * MB)]
    violations = rules.check_attachments(files)
    assert [v.field for v in violations] == ["attachment_name", "attachment_size"]
    many = [(f"piece{i}.pdf", 9 * MB) for i in range(13)]  # 117 MB
    assert rules.check_attachments(many) == []
    violations = rules.check_attachments(many, invoice_size=4 * MB)  # 121 MB
    assert [v.field for v in violations] == ["total_size"]
    assert "121.0 MB in total" in violations[0].message


@pytest.mark.parametrize("check, limit, field", [
    (rules.check_engagement, 50, "engagement"),
    (rules.check_invoice_number, 20, "invoice_number"),
    (rules.check_service_code, 100, "service_code"),
])
def test_length_limits(check, limit, field):
    assert check("X" * limit) is None
    violation = check("X" * (limit + 1))
    assert violation.field == field
    assert f"is {limit + 1} characters long; Chorus Pro accepts at most {limit}" in (
        violation.message)


def test_optional_values_may_be_empty_but_invoice_number_may_not():
    assert rules.check_engagement(None) is None
    assert rules.check_service_code("") is None
    assert "missing" in rules.check_invoice_number("").message


def test_violation_can_be_raised():
    violation = rules.check_siret("1")
    with pytest.raises(RuleViolation) as info:
        raise violation
    assert info.value.field == "siret"
    assert str(info.value) == violation.message


def test_messages_come_in_french_and_english():
    violation = rules.check_siret("20110137500017")
    assert violation.text("en_US") == violation.message
    assert "clé de contrôle" in violation.text("fr_FR")
    assert "check digit" in violation.text(None)
    long_ej = rules.check_engagement("E" * 51)
    assert "engagement juridique" in long_ej.text("fr_BE")
    assert "51" in long_ej.text("fr_FR")


def test_odoo_empty_value_counts_as_missing():
    assert "missing" in rules.check_siret(False).message
    assert "manquant" in rules.check_siret(False).text("fr_FR")
