"""The official EN 16931 rules (Factur-X EN 16931 Schematron, run by saxonche).

Every kind of file the pure suites produce (``facturx_samples``) passes with no
fatal error and no warning; a broken total or VAT breakdown is caught with the
rule id.
"""

import threading

import facturx
import pytest
from facturx_samples import cii_xml, facturx_pdf

from chorus import en16931
from chorus.sandbox import directory as D

pytestmark = pytest.mark.skipif(not en16931.available(), reason="saxonche not installed")

SAMPLES = {
    "invoice": {},
    "invoice_service_code": {"buyer_siret": D.SIRET_SERVICE_REQUIRED,
                             "service_code": D.SERVICE_ACHATS},
    "invoice_engagement_contract": {"ej": "EJ2024000001", "contract": "MARCHE-12"},
    "invoice_without_payment_means": {"payment_means": None},
    "credit_note": {"type_code": "381", "payment_means": None, "origin_invoice": "F2024-001"},
    "several_vat_rates": {"lines": [(100.0, 20.0), (50.0, 10.0), (30.0, 5.5), (12.5, 20.0)]},
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_passes_without_error_or_warning(name):
    report = en16931.validate(cii_xml(f"F-{name[:10]}", **SAMPLES[name]))
    assert report.ok
    assert report.fatal == []
    assert report.warnings == []


def test_the_xml_inside_a_facturx_pdf_passes():
    pdf = facturx_pdf(cii_xml("F-PDF", lines=[(80.0, 20.0), (20.0, 10.0)]))
    _name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    report = en16931.validate(xml)
    assert (report.fatal, report.warnings) == ([], [])


def test_a_wrong_total_is_a_fatal_error_naming_the_rule():
    xml = cii_xml("F-BAD").replace(b"<ram:GrandTotalAmount>120.00",
                                   b"<ram:GrandTotalAmount>121.00")
    report = en16931.validate(xml)
    assert not report.ok
    assert "BR-CO-15" in report.rules()  # grand total = total without VAT + VAT
    violation = next(v for v in report.fatal if v.rule == "BR-CO-15")
    assert violation.flag == "fatal"
    assert "BR-CO-15" in str(violation)
    assert violation.location.startswith("/")


def test_a_wrong_vat_breakdown_is_a_fatal_error():
    xml = cii_xml("F-VAT").replace(b"<ram:CalculatedAmount>20.00",
                                   b"<ram:CalculatedAmount>19.00")
    report = en16931.validate(xml)
    assert not report.ok
    assert report.rules() & {"BR-CO-14", "BR-S-09"}


def test_an_empty_element_is_a_warning_not_an_error():
    xml = cii_xml("F-EMPTY").replace(b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>",
                                     b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>"
                                     b"<ram:PaymentReference></ram:PaymentReference>")
    report = en16931.validate(xml)
    assert report.ok
    assert [v.rule for v in report.warnings] == ["PEPPOL-EN16931-R008"]
    assert report.warnings[0].flag == "warning"


def test_malformed_xml_is_refused_before_saxon():
    with pytest.raises(ValueError, match="not well-formed"):
        en16931.validate(b"<rsm:CrossIndustryInvoice")


def test_same_answers_from_several_threads():
    good, bad = cii_xml("F-T1"), cii_xml("F-T2").replace(b"<ram:DuePayableAmount>120.00",
                                                          b"<ram:DuePayableAmount>1.00")
    results = []

    def work():
        for _ in range(5):
            results.append((en16931.validate(good).ok, en16931.validate(bad).ok))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(True, False)] * 20


def test_parse_svrl_reads_failed_asserts_and_reports():
    svrl = b"""<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
    <svrl:failed-assert id="BR-01" flag="fatal" location="/a"><svrl:text>
      [BR-01]-An Invoice shall have a Specification identifier.</svrl:text></svrl:failed-assert>
    <svrl:successful-report id="CII-SR-312" flag="warning" location="/b">
      <svrl:text>DefinedTradeContact should not be present</svrl:text></svrl:successful-report>
    </svrl:schematron-output>"""
    report = en16931.parse_svrl(svrl)
    assert report.fatal == [en16931.RuleViolation(
        "BR-01", "fatal", "An Invoice shall have a Specification identifier.", "/a")]
    assert [(v.rule, v.flag) for v in report.warnings] == [("CII-SR-312", "warning")]


def test_isolated_validation_gives_the_same_reports():
    good, bad = cii_xml("F-I1"), cii_xml("F-I2").replace(b"<ram:GrandTotalAmount>120.00",
                                                          b"<ram:GrandTotalAmount>121.00")
    reports = en16931.validate_isolated([good, bad])
    assert reports == [en16931.validate(good), en16931.validate(bad)]
    assert [r.ok for r in reports] == [True, False]


def test_refuses_to_start_under_a_virtual_memory_limit(monkeypatch):
    # Under Odoo's limit_memory_hard SaxonC would abort the process: refuse instead.
    monkeypatch.setattr(en16931, "_state", {})
    monkeypatch.setattr(en16931.resource, "getrlimit",
                        lambda _which: (2560 * 1024 ** 2, en16931.resource.RLIM_INFINITY))
    with pytest.raises(en16931.ValidatorUnavailable, match="RLIMIT_AS"):
        en16931.validate(cii_xml("F-LIMIT"))
