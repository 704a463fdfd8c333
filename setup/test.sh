#!/usr/bin/env bash
# The README's test command.
#
#   bash setup/test.sh            # provision, then the pure suite and the Odoo suite
#   bash setup/test.sh pure       # only tests/ (pytest, no Odoo)
#   bash setup/test.sh odoo       # only the addon's Odoo tests
#
# Environment: ODOO_SRC (Odoo 18.0 tree), CHORUS_TEST_TAGS (Odoo --test-tags,
# default /l10n_fr_chorus_connector), CHORUS_KEEP_DB=1 keeps the test database,
# CHORUS_LOG_DIR where the logs go (default ~/.cache/l10n_fr_chorus_connector/logs).
# Exit status: 0 only when both suites pass and the addon installs without error.
set -euo pipefail
# shellcheck source=setup/lib.sh
source "$(dirname "$0")/lib.sh"

what=${1:-all}
case "$what" in all|pure|odoo) ;; *) die "usage: setup/test.sh [all|pure|odoo]";; esac

provision
cd "$REPO_DIR"
# Parallel runs (several checkouts) each give their own CHORUS_LOG_DIR.
LOG_DIR="${CHORUS_LOG_DIR:-$CACHE_DIR/logs}"
mkdir -p "$LOG_DIR"

pure_rc=0 pure_summary="(not run)"
if [ "$what" != odoo ]; then
    log "Pure suite: pytest tests/"
    pure_log="$LOG_DIR/pure.log"
    # pytest-odoo is installed in the venv for the Odoo side; keep it out of the pure run.
    "$PY" -m pytest -p no:odoo -p no:cacheprovider tests 2>&1 | tee "$pure_log" || pure_rc=$?
    pure_summary=$(grep -E '^=+ .*(passed|failed|error|no tests ran).* =+$' "$pure_log" | tail -n1)
    [ -n "$pure_summary" ] || { pure_summary="pytest did not finish (exit $pure_rc)"; pure_rc=${pure_rc/#0/1}; }
fi

odoo_rc=0 odoo_summary="(not run)"
if [ "$what" != pure ]; then
    db="chorus_test_$$"
    odoo_log="$LOG_DIR/odoo.log"
    port=$(free_port)
    tags=${CHORUS_TEST_TAGS:-/$ADDON}
    log "Odoo suite: install $ADDON into $db (copy of $TEMPLATE_DB), tests $tags"
    clone_template "$db"
    [ "${CHORUS_KEEP_DB:-0}" = 1 ] || trap 'drop_db "$db"' EXIT
    : > "$odoo_log"   # Odoo appends to its log file
    start=$(date +%s)
    odoo_bin -d "$db" -i "$ADDON" --test-enable --test-tags "$tags" --stop-after-init \
        --http-interface 127.0.0.1 --http-port "$port" --log-level info \
        --logfile "$odoo_log" || odoo_rc=$?
    elapsed=$(( $(date +%s) - start ))
    # An install or test problem Odoo only logs still fails the run.
    errors=$(grep -cE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$odoo_log" || true)
    failed=$(grep -cE ' (ERROR|CRITICAL) .*: (FAIL|ERROR): ' "$odoo_log" || true)
    # Odoo's own closing line: "N failed, M error(s) of T tests when loading database ...".
    result=$(grep -oE 'odoo.tests.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$odoo_log" \
        | tail -n1 | sed 's/odoo.tests.result: //')
    ran=$(grep -oE '[0-9]+ tests$' <<<"$result" | grep -oE '[0-9]+' || echo 0)
    if [ "$errors" -gt 0 ]; then
        echo "---- ERROR lines of the Odoo log ($odoo_log) ----"
        grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' -A 25 "$odoo_log" | head -n 300
        [ "$odoo_rc" -ne 0 ] || odoo_rc=1
    fi
    [ "$ran" -gt 0 ] || { echo "No Odoo test ran: see $odoo_log"; [ "$odoo_rc" -ne 0 ] || odoo_rc=1; }
    # Odoo counts a skipped test (a tour whose browser did not start) as a success.
    skipped=$(grep -cE ' INFO .*: skipped ' "$odoo_log" || true)
    if [ "$skipped" -gt 0 ] && [ "${CHORUS_SKIP_TOURS:-0}" != 1 ]; then
        echo "---- skipped tests (set CHORUS_SKIP_TOURS=1 to skip the tours on purpose) ----"
        grep -E ' INFO .*: skipped ' "$odoo_log" | head -n 20
        [ "$odoo_rc" -ne 0 ] || odoo_rc=1
    fi
    odoo_summary="${result:-no result line}; $failed FAIL/ERROR tests, ${skipped:-0} skipped, $errors ERROR log lines; exit $odoo_rc in ${elapsed}s"
fi

echo
echo "=================== pure suite (tests/):  $pure_summary"
echo "=================== Odoo suite ($ADDON):  $odoo_summary"
if [ "$pure_rc" -ne 0 ] || [ "$odoo_rc" -ne 0 ]; then
    echo "FAILED"
    exit 1
fi
echo "OK"
