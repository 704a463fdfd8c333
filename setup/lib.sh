# shellcheck shell=bash
# Shared provisioning for setup/test.sh and setup/demo.sh.
# Sourced, never run: it defines functions and a few variables.
#
# Everything here is idempotent: a second run only checks and reuses.

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON=l10n_fr_chorus_connector
CACHE_DIR="${CHORUS_CACHE_DIR:-$HOME/.cache/$ADDON}"
DATA_DIR="${CHORUS_DATA_DIR:-$CACHE_DIR/data}"
VENV="${CHORUS_VENV:-$CACHE_DIR/venv}"
ODOO_UPSTREAM="https://github.com/odoo/odoo.git"
# Odoo modules a French company needs under the addon (see README, "Installation").
BASE_MODULES="account,l10n_fr,l10n_fr_account,l10n_fr_facturx_chorus_pro"

log() { printf '\033[1m[%s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '\033[31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: PostgreSQL, wkhtmltopdf (invoice PDFs, hence Factur-X) and the
# headers Odoo's pinned requirements compile against.
ensure_system_packages() {
    local missing=() pkg
    for pkg in postgresql libpq-dev libldap2-dev libsasl2-dev wkhtmltopdf python3-venv; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "Installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Headless Chromium for the addon's tours (HttpCase.start_tour): Odoo looks for
# google-chrome, chromium, chromium-browser on the PATH and skips the tours without one.
ensure_chromium() {
    local bin
    for bin in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$bin" >/dev/null 2>&1 && return 0
    done
    log "Installing Debian's chromium (headless browser of the tours)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
        || die "Installing chromium failed: the tours need a Chromium or Chrome on the PATH."
}

# Start the local PostgreSQL cluster (nothing starts it at boot on these machines)
# and make sure the current user has a superuser role.
ensure_postgres() {
    local version name status
    read -r version name status < <(pg_lsclusters --no-header | awk 'NR==1 {print $1, $2, $4}')
    if [ -z "${version:-}" ]; then
        version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
        log "Creating PostgreSQL cluster $version/main"
        as_root pg_createcluster "$version" main >/dev/null
        name=main status=down
    fi
    if [ "$status" != online ]; then
        log "Starting PostgreSQL $version/$name"
        as_root pg_ctlcluster "$version" "$name" start
    fi
    local me
    me=$(id -un)
    if ! as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$me'\"" | grep -q 1; then
        log "Creating PostgreSQL role $me"
        as_root su postgres -c "createuser -s '$me'"
    fi
}

# Odoo 18.0 source tree: $ODOO_SRC, then /opt/odoo-18.0, then a shallow clone.
find_odoo() {
    local candidate
    for candidate in "${ODOO_SRC:-}" /opt/odoo-18.0 "$CACHE_DIR/odoo-18.0"; do
        [ -n "$candidate" ] && [ -f "$candidate/odoo-bin" ] && [ -d "$candidate/addons/account" ] && {
            ODOO_SRC="$candidate"; break; }
    done
    if [ -z "${ODOO_SRC:-}" ] || [ ! -f "$ODOO_SRC/odoo-bin" ]; then
        log "No Odoo 18.0 tree in \$ODOO_SRC or /opt/odoo-18.0: cloning $ODOO_UPSTREAM (18.0)"
        git clone --quiet --depth 1 -b 18.0 "$ODOO_UPSTREAM" "$CACHE_DIR/odoo-18.0" \
            || die "Odoo 18.0 is not available: set ODOO_SRC to an Odoo 18.0 source tree \
(the folder holding odoo-bin), or put one at /opt/odoo-18.0. The Odoo suite cannot run without it."
        ODOO_SRC="$CACHE_DIR/odoo-18.0"
    fi
    grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" \
        || die "$ODOO_SRC is not Odoo 18.0 (see odoo/release.py)."
    ADDONS_PATH="$ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$REPO_DIR"
    export ODOO_SRC ADDONS_PATH
}

# Virtualenv with Odoo's pinned requirements then ours (Odoo's pins kept as
# constraints). Rebuilt only when a requirements file or the Python changes.
ensure_venv() {
    local stamp want
    want=$(cat "$ODOO_SRC/requirements.txt" "$REPO_DIR/requirements.txt" <(python3 -V 2>&1) \
        | sha256sum | cut -c1-16)
    stamp="$VENV/.chorus-stamp"
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        PY="$VENV/bin/python"; export PY; return 0
    fi
    log "Preparing the virtualenv $VENV (first run takes a few minutes)"
    python3 -m venv "$VENV"
    local build_constraints="$CACHE_DIR/build-constraints.txt"
    mkdir -p "$CACHE_DIR"
    echo 'setuptools<81' > "$build_constraints"
    export PIP_CONSTRAINT="$build_constraints" PIP_DISABLE_PIP_VERSION_CHECK=1
    "$VENV/bin/pip" install -q 'setuptools<81' wheel
    # pip.conf on some machines lists absent find-links folders: drop that noise.
    "$VENV/bin/pip" install -q -r "$ODOO_SRC/requirements.txt" 2>&1 | grep -v ' is ignored: ' >&2 || true
    "$VENV/bin/pip" install -q -r "$REPO_DIR/requirements.txt" -c "$ODOO_SRC/requirements.txt" \
        2>&1 | grep -v ' is ignored: ' >&2 || true
    "$VENV/bin/python" -c 'import psycopg2, lxml, facturx, stdnum, pytest, phonenumbers' \
        || die "The virtualenv $VENV is incomplete: see the pip messages above."
    unset PIP_CONSTRAINT
    local site
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$ODOO_SRC" > "$site/odoo-src.pth"
    echo "$want" > "$stamp"
    PY="$VENV/bin/python"; export PY
}

odoo_bin() {
    "$PY" "$ODOO_SRC/odoo-bin" --addons-path="${ODOO_ADDONS_PATH:-$ADDONS_PATH}" \
        --data-dir="$DATA_DIR" --without-demo=all "$@"
}

db_exists() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1; }

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A French company database without demo data, kept as a template: base first, the
# company's country set to France, then the accounting modules (fr chart, EUR).
ensure_template() {
    local key
    key=$(printf '%s|%s|%s' "$ODOO_SRC" "$(stat -c %Y "$ODOO_SRC/odoo/release.py")" "$BASE_MODULES" \
        | sha256sum | cut -c1-8)
    TEMPLATE_DB="chorus_tpl_$key"
    export TEMPLATE_DB
    db_exists "$TEMPLATE_DB" && return 0
    log "Building the template database $TEMPLATE_DB (about a minute)"
    local tmp="${TEMPLATE_DB}_build" logf="$CACHE_DIR/$TEMPLATE_DB.log"
    db_exists "$tmp" && dropdb "$tmp"
    rm -rf "$DATA_DIR/filestore/$tmp"
    # The template holds Odoo's modules only: built without this repository.
    local ODOO_ADDONS_PATH="$ODOO_SRC/odoo/addons,$ODOO_SRC/addons"
    odoo_bin -d "$tmp" -i base --stop-after-init --logfile="$logf" \
        || die "Installing base failed, see $logf"
    psql -q -d "$tmp" -c "UPDATE res_partner SET country_id = (SELECT id FROM res_country WHERE code = 'FR')
        WHERE id = (SELECT partner_id FROM res_company ORDER BY id LIMIT 1)"
    odoo_bin -d "$tmp" -i "$BASE_MODULES" --stop-after-init --logfile="$logf" \
        || die "Installing $BASE_MODULES failed, see $logf"
    psql -q -d postgres -c "ALTER DATABASE \"$tmp\" RENAME TO \"$TEMPLATE_DB\""
    mkdir -p "$DATA_DIR/filestore"
    [ -d "$DATA_DIR/filestore/$tmp" ] && mv "$DATA_DIR/filestore/$tmp" "$DATA_DIR/filestore/$TEMPLATE_DB"
    return 0
}

# Copy the template (database and filestore) into a new database.
clone_template() {
    local target=$1
    : "${TEMPLATE_DB:?call ensure_template (or provision) before clone_template}"
    db_exists "$target" && dropdb "$target"
    createdb -T "$TEMPLATE_DB" "$target"
    rm -rf "$DATA_DIR/filestore/$target"
    if [ -d "$DATA_DIR/filestore/$TEMPLATE_DB" ]; then
        cp -r "$DATA_DIR/filestore/$TEMPLATE_DB" "$DATA_DIR/filestore/$target"
    fi
}

drop_db() {
    db_exists "$1" && dropdb "$1"
    # The filestore and the demo emulator's state (one SQLite file per database).
    rm -rf "${DATA_DIR:?}/filestore/$1" "${DATA_DIR:?}/chorus_sandbox/$1.sqlite3"*
}

provision() {
    ensure_system_packages
    ensure_chromium
    ensure_postgres
    find_odoo
    ensure_venv
    ensure_template
}
