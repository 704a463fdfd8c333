"""Time of the EN 16931 rules (saxonche): compilation once, then per invoice.

    ~/.cache/l10n_fr_chorus_connector/venv/bin/python tests/benchmarks/bench_en16931.py
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "l10n_fr_chorus_connector"), str(ROOT / "tests")]

from facturx_samples import cii_xml  # noqa: E402

from chorus import en16931  # noqa: E402

RUNS = 200


def main():
    small = cii_xml("F-BENCH-1")
    large = cii_xml("F-BENCH-2", lines=[(10.0 + i, (20.0, 10.0, 5.5)[i % 3])
                                        for i in range(100)])
    start = time.perf_counter()
    en16931.validate(small)
    print(f"first call (compiles the stylesheet): {time.perf_counter() - start:.2f} s")
    for label, xml in (("1 line", small), ("100 lines, 3 VAT rates", large)):
        start = time.perf_counter()
        for _ in range(RUNS):
            report = en16931.validate(xml)
        per = (time.perf_counter() - start) / RUNS
        print(f"{label}: {per * 1000:.1f} ms per invoice over {RUNS} runs "
              f"({len(report.fatal)} errors, {len(report.warnings)} warnings)")
    # What the Odoo tests use: a child process (start + compile + checks).
    for count in (1, 20):
        start = time.perf_counter()
        reports = en16931.validate_isolated([small] * count)
        print(f"validate_isolated, {count} invoice(s) in one child process: "
              f"{time.perf_counter() - start:.2f} s ({sum(r.ok for r in reports)} valid)")


if __name__ == "__main__":
    main()
