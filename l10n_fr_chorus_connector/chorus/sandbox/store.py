"""SQLite storage of the emulator's mutable state.

One database file per emulator (``:memory:`` for tests). Several processes may open
the same file (Odoo prefork workers each build their own ``Emulator``): every piece
of shared state — clock offset, tokens, faults, flows, invoices — lives in the
database, writes run in ``BEGIN IMMEDIATE`` transactions and the file uses WAL.
Inside one process a re-entrant lock serialises access to the single connection.
"""

import contextlib
import sqlite3
import threading
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, client_id TEXT NOT NULL, expires_at REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, remaining INTEGER NOT NULL,
    retry_after INTEGER NOT NULL, delay REAL NOT NULL);
CREATE TABLE IF NOT EXISTS flows (
    id INTEGER PRIMARY KEY AUTOINCREMENT, numero TEXT NOT NULL UNIQUE,
    supplier_ids TEXT NOT NULL, login TEXT NOT NULL, syntaxe TEXT NOT NULL,
    nom_fichier TEXT NOT NULL, content BLOB, date_depot REAL NOT NULL,
    etat TEXT NOT NULL, etat_at REAL NOT NULL, next_at REAL,
    erreurs_dp TEXT NOT NULL DEFAULT '[]', erreurs_tech TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS flows_next_at ON flows (next_at);
CREATE TABLE IF NOT EXISTS invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT, numero TEXT NOT NULL,
    supplier_id INTEGER NOT NULL, flow_numero TEXT, mode_depot TEXT NOT NULL,
    type_facture TEXT NOT NULL, date_facture TEXT, date_depot REAL NOT NULL,
    statut TEXT NOT NULL, etat_at REAL NOT NULL, commentaire TEXT,
    next_at REAL, plan TEXT NOT NULL DEFAULT '[]',
    dest_id INTEGER NOT NULL, service_code TEXT, ej TEXT, marche TEXT, origine TEXT,
    devise TEXT NOT NULL DEFAULT 'EUR', montant_ht REAL, montant_tva REAL,
    montant_ttc REAL, montant_a_payer REAL, rejet_traite INTEGER NOT NULL DEFAULT 0,
    file_name TEXT, file_content BLOB, cadre TEXT NOT NULL DEFAULT 'A1_FACTURE_FOURNISSEUR',
    valideur_siret TEXT, valideur_service TEXT, service_fournisseur_id INTEGER,
    soumission TEXT);
CREATE INDEX IF NOT EXISTS inv_supplier_etat ON invoices (supplier_id, etat_at);
CREATE INDEX IF NOT EXISTS inv_supplier_depot ON invoices (supplier_id, date_depot);
CREATE INDEX IF NOT EXISTS inv_supplier_numero ON invoices (supplier_id, numero);
CREATE INDEX IF NOT EXISTS inv_flow ON invoices (flow_numero);
CREATE INDEX IF NOT EXISTS inv_statut ON invoices (statut);
CREATE INDEX IF NOT EXISTS inv_next_at ON invoices (next_at);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, invoice_id INTEGER NOT NULL,
    code TEXT NOT NULL, at REAL NOT NULL, comment TEXT);
CREATE INDEX IF NOT EXISTS history_invoice ON history (invoice_id);
CREATE TABLE IF NOT EXISTS attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT, login TEXT NOT NULL, nom TEXT NOT NULL,
    type_mime TEXT, extension TEXT NOT NULL, content BLOB NOT NULL, created REAL NOT NULL);
"""

# Columns added after the first release: (table, column, SQL type) — added to state
# files created before them (CREATE TABLE IF NOT EXISTS does not add columns).
ADDED_COLUMNS = (
    ("invoices", "cadre", "TEXT NOT NULL DEFAULT 'A1_FACTURE_FOURNISSEUR'"),
    ("invoices", "valideur_siret", "TEXT"),
    ("invoices", "valideur_service", "TEXT"),
    ("invoices", "service_fournisseur_id", "INTEGER"),
    ("invoices", "soumission", "TEXT"),
)

# Tables emptied by reset(); AUTOINCREMENT keeps ids growing across resets so that a
# client holding ids from before a reset never confuses them with new ones.
STATE_TABLES = ("tokens", "faults", "flows", "invoices", "history", "attachments")


class Store:
    """A thread-safe SQLite connection with small helpers."""

    def __init__(self, db_path: str = ":memory:"):
        self.db_path = db_path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(db_path, check_same_thread=False, timeout=30,
                                    isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if db_path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        self._add_columns()
        self._depth = 0

    def _add_columns(self) -> None:
        for table, column, sql_type in ADDED_COLUMNS:
            existing = {row["name"] for row in self.conn.execute(
                f"PRAGMA table_info({table})")}  # fixed names from ADDED_COLUMNS
            # Another process may add it meanwhile: "duplicate column" is fine.
            with contextlib.suppress(sqlite3.OperationalError):
                if column not in existing:
                    self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")

    @contextmanager
    def transaction(self):
        """Run the block in one write transaction (re-entrant: nested blocks join it)."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        """Return all rows of a SELECT."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params=()) -> sqlite3.Row | None:
        """Return the first row of a SELECT, or None."""
        with self.lock:
            return self.conn.execute(sql, params).fetchone()

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        """Run one statement inside a transaction."""
        with self.transaction() as conn:
            return conn.execute(sql, params)

    # --- meta (key/value) -----------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """Read a meta value."""
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_meta(self, key: str, value) -> None:
        """Write a meta value."""
        self.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (key, str(value)))

    def next_sequence(self, key: str) -> int:
        """Increment and return a counter kept in meta (never reset)."""
        with self.transaction():
            value = int(self.get_meta(key, "0")) + 1
            self.set_meta(key, value)
            return value

    def wipe(self) -> None:
        """Delete all mutable state but keep the clock and the id sequences."""
        with self.transaction() as conn:
            for table in STATE_TABLES:
                conn.execute(f"DELETE FROM {table}")  # fixed table names

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()
