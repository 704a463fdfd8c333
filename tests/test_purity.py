"""The ``chorus`` package must work without Odoo (DESIGN.md: imports go one way)."""

import subprocess
import sys
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parent.parent / "l10n_fr_chorus_connector"
CHORUS_DIR = ADDON_DIR / "chorus"


def chorus_modules():
    """Every module of the chorus package, as dotted names."""
    for path in sorted(CHORUS_DIR.rglob("*.py")):
        rel = path.relative_to(ADDON_DIR).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts[-1] == "__main__":
            continue
        yield ".".join(parts)


def test_every_chorus_module_imports_with_odoo_blocked():
    modules = list(chorus_modules())
    assert "chorus" in modules
    # sys.modules["odoo"] = None makes any "import odoo" raise ImportError.
    code = (
        "import sys, importlib; sys.modules['odoo'] = None\n"
        f"sys.path.insert(0, {str(ADDON_DIR)!r})\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('ok', len(sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_no_chorus_source_mentions_an_odoo_import():
    offenders = [
        str(path)
        for path in CHORUS_DIR.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(("import odoo", "from odoo"))
    ]
    assert offenders == []
