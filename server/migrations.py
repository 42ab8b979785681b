"""Versioned schema migrations, recorded in the `_migrations` table.

Each migration runs once, inside one transaction together with its record, so
running `migrate()` twice (or from two processes at once) is safe.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from .db import Database
from .timeutil import utc_text

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    """Register a migration; the order of registration is the order of running."""
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_core(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE users (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('gebiedsregisseur','teamleider','beheerder')),
            areas TEXT NOT NULL DEFAULT '[]',
            active INTEGER NOT NULL DEFAULT 1,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until REAL NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );

        CREATE TABLE categories (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            parent_code TEXT REFERENCES categories(code),
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1
        );

        -- A kern and a wijk may share a code (in Noordoostpolder each wijk is a kern).
        CREATE TABLE areas (
            level TEXT NOT NULL CHECK (level IN ('kern','wijk','buurt')),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            municipality TEXT NOT NULL,
            inhabitants INTEGER,
            parent_code TEXT,
            water INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT 'default',
            geometry TEXT NOT NULL,
            PRIMARY KEY (level, code)
        );
        CREATE INDEX areas_municipality ON areas(municipality);

        CREATE TABLE signals (
            id TEXT PRIMARY KEY,
            category TEXT NOT NULL,
            subcategory TEXT,
            description TEXT NOT NULL,
            urgency TEXT NOT NULL,
            source TEXT NOT NULL,
            lat REAL,
            lon REAL,
            accuracy_m REAL,
            location_method TEXT,
            observed_at TEXT NOT NULL,
            observed_utc TEXT NOT NULL,
            status TEXT NOT NULL,
            contains_personal_data INTEGER NOT NULL DEFAULT 0,
            attachments TEXT NOT NULL DEFAULT '[]',
            follow_up_date TEXT,
            kern_code TEXT,
            wijk_code TEXT,
            buurt_code TEXT,
            outside_areas INTEGER NOT NULL DEFAULT 0,
            near_border INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX signals_observed ON signals(deleted, observed_utc);
        CREATE INDEX signals_kern ON signals(kern_code, observed_utc);
        CREATE INDEX signals_wijk ON signals(wijk_code, observed_utc);
        CREATE INDEX signals_buurt ON signals(buurt_code, observed_utc);
        CREATE INDEX signals_category ON signals(category, observed_utc);

        -- Every change to a signal, in commit order: the feed sync pulls from.
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            signal_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('create','update','delete')),
            changed_by TEXT NOT NULL,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX changes_signal ON changes(signal_id);

        -- Who did what (BIO): log-ins and writes; never the content itself.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            username TEXT,
            action TEXT NOT NULL,
            object TEXT
        );
        """
    )


@migration
def m002_sync(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        -- Every mutation a device pushed, with its outcome: the same id answers the
        -- same outcome however often it is retried (recorded in the same transaction).
        CREATE TABLE mutations (
            id TEXT PRIMARY KEY,
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            username TEXT NOT NULL,
            signal_id TEXT NOT NULL,
            op TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('applied','conflict','rejected')),
            version INTEGER,
            problem TEXT,
            received_at TEXT NOT NULL
        );
        CREATE INDEX mutations_device ON mutations(device_id, seq);

        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            last_seq INTEGER NOT NULL DEFAULT 0,
            last_seen TEXT NOT NULL
        );

        -- The client fields of each version of a signal: the base a field-level merge needs.
        CREATE TABLE signal_versions (
            signal_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (signal_id, version)
        ) WITHOUT ROWID;

        CREATE TABLE attachments (
            sha256 TEXT PRIMARY KEY,
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    )


@migration
def m003_stats_index(conn: sqlite3.Connection) -> None:
    # Covering indexes per level: counts per area for a period are index-only range
    # scans, already grouped by area (no sort), one per area code.
    for level in ("kern", "wijk", "buurt"):
        conn.execute(f"DROP INDEX IF EXISTS signals_{level}")
        conn.execute(
            f"CREATE INDEX signals_{level}_stats ON signals ({level}_code, observed_utc, category,"
            " subcategory, status, deleted)")


@migration
def m004_alerts(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        -- Early-warning detections with their evidence. `key` only names an alert
        -- (method:category:kern:id); runs find an alert's episode again in alerts/findings.py.
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            method TEXT NOT NULL,
            title TEXT NOT NULL,
            category TEXT NOT NULL,
            kern_code TEXT,
            observed INTEGER NOT NULL,
            expected REAL,
            score REAL,
            p_value REAL,
            signal_ids TEXT NOT NULL,
            extent TEXT NOT NULL,
            why TEXT NOT NULL,
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'nieuw'
                CHECK (status IN ('nieuw','bekeken','kwestie','afgewezen')),
            reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX alerts_status ON alerts(status, updated_at);
        """,
    )


@migration
def m005_kwesties(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        -- A kwestie groups the signals about one underlying problem.
        CREATE TABLE kwesties (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','gesloten')),
            alert_id TEXT REFERENCES alerts(id),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE kwestie_signals (
            kwestie_id TEXT NOT NULL REFERENCES kwesties(id),
            signal_id TEXT NOT NULL REFERENCES signals(id),
            added_at TEXT NOT NULL,
            PRIMARY KEY (kwestie_id, signal_id)
        ) WITHOUT ROWID;
        CREATE INDEX kwestie_signals_signal ON kwestie_signals(signal_id);
        """,
    )


@migration
def m006_single_write_path(conn: sqlite3.Connection) -> None:
    # Fewer pages per signal write: a create now writes three rows (signal, change, mutation
    # record) instead of five, and touches fewer B-trees.
    _run_script(
        conn,
        """
        -- Which device made the current version (null: the API or the server).
        ALTER TABLE signals ADD COLUMN device_id TEXT;

        -- The change log is also the audit trail of signal writes (see audit_trail).
        ALTER TABLE changes ADD COLUMN device_id TEXT;
        -- Nothing looks changes up by signal; the index cost a random write per change.
        DROP INDEX IF EXISTS changes_signal;

        -- Snapshots are written when a client change replaces a version; who replaced it
        -- tells a merge which of the changes since a device's base were its own.
        ALTER TABLE signal_versions ADD COLUMN superseded_by TEXT;
        CREATE INDEX tmp_mutations_version ON mutations(signal_id, version);
        CREATE INDEX tmp_changes_version ON changes(signal_id, version);
        UPDATE signal_versions SET superseded_by = coalesce(
            (SELECT m.device_id FROM mutations m WHERE m.signal_id = signal_versions.signal_id
               AND m.version = signal_versions.version + 1 AND m.status IN ('applied','conflict')
               AND m.op != 'delete' LIMIT 1),
            (SELECT 'user:' || c.changed_by FROM changes c
              WHERE c.signal_id = signal_versions.signal_id
                AND c.version = signal_versions.version + 1 LIMIT 1));
        DROP INDEX tmp_changes_version;

        -- Idempotency records keyed by the mutation id alone (one B-tree, not three).
        CREATE TABLE mutations_new (
            id TEXT PRIMARY KEY,
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            username TEXT NOT NULL,
            signal_id TEXT NOT NULL,
            op TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('applied','conflict','rejected')),
            version INTEGER,
            problem TEXT,
            received_at TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO mutations_new SELECT id, device_id, seq, username, signal_id, op, status,
            version, problem, received_at FROM mutations;
        DROP TABLE mutations;
        ALTER TABLE mutations_new RENAME TO mutations;

        -- One trail of who did what: log-ins, reads of personal data, alerts, kwesties
        -- (audit_log) and every signal write (changes; before this migration signal
        -- writes were logged in both, so those audit_log entries are left out here).
        CREATE VIEW audit_trail AS
            SELECT at, username, action, object, NULL AS device_id FROM audit_log
             WHERE action NOT IN ('signal_create', 'signal_update', 'signal_delete')
            UNION ALL
            SELECT changed_at, changed_by, 'signal_' || op, signal_id, device_id FROM changes;
        """,
    )


@migration
def m007_explicit_area_scope(conn: sqlite3.Connection) -> None:
    """"All areas" becomes explicit, and what a device may still hold is traceable.

    - `users.all_areas`: before, every teamleider and beheerder and every gebiedsregisseur
      without areas saw every signal. Users who saw everything keep it: a teamleider or
      beheerder without areas and a gebiedsregisseur without areas get all_areas = 1.
      A teamleider *with* areas is from now on bound to them (as a gebiedsregisseur was);
      a beheerder always sees all. A user added later without areas and without
      `--all-areas` sees only the signals they made.
    - `user_scopes`: each user's scope (all_areas, areas) per generation. A sync cursor
      names the generation it was made under, so a pull after a change of scope can tell
      the phone which signals to drop (sync/pull.py). Existing users start at generation 1.
    - `signal_left_areas`: the areas a signal left at a version (an edit of its location or
      an area import moved it), written by a trigger, so a pull sends a removal to the
      users who could see it there.
    - `signal_attachments`: which live signal references which photo, kept by triggers, so
      a photo is served only to whom may see such a signal (a deleted signal has none).
    """
    _run_script(
        conn,
        """
        ALTER TABLE users ADD COLUMN all_areas INTEGER NOT NULL DEFAULT 0;
        UPDATE users SET all_areas = 1 WHERE areas = '[]' OR role = 'beheerder';

        CREATE TABLE user_scopes (
            username TEXT NOT NULL,
            generation INTEGER NOT NULL,
            all_areas INTEGER NOT NULL,
            areas TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            PRIMARY KEY (username, generation)
        ) WITHOUT ROWID;
        INSERT INTO user_scopes (username, generation, all_areas, areas, changed_at)
            SELECT username, 1, CASE WHEN role = 'beheerder' THEN 1 ELSE all_areas END,
                   CASE WHEN role = 'beheerder' OR all_areas THEN '[]' ELSE areas END,
                   created_at FROM users;

        CREATE TABLE signal_left_areas (
            signal_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            kern_code TEXT,
            wijk_code TEXT,
            buurt_code TEXT,
            PRIMARY KEY (signal_id, version)
        ) WITHOUT ROWID;
        CREATE TRIGGER signals_left_areas AFTER UPDATE OF kern_code, wijk_code, buurt_code
            ON signals
            WHEN old.kern_code IS NOT new.kern_code OR old.wijk_code IS NOT new.wijk_code
              OR old.buurt_code IS NOT new.buurt_code
        BEGIN
            INSERT OR REPLACE INTO signal_left_areas (signal_id, version, kern_code, wijk_code,
                buurt_code) VALUES (new.id, new.version, old.kern_code, old.wijk_code,
                old.buurt_code);
        END;

        CREATE TABLE signal_attachments (
            signal_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (signal_id, sha256)
        ) WITHOUT ROWID;
        CREATE INDEX signal_attachments_sha ON signal_attachments(sha256);
        INSERT OR IGNORE INTO signal_attachments (sha256, signal_id)
            SELECT j.value, s.id FROM signals s, json_each(s.attachments) j
             WHERE s.deleted = 0 AND s.attachments != '[]';
        CREATE TRIGGER signals_attachments_insert AFTER INSERT ON signals
            WHEN new.attachments != '[]' AND new.deleted = 0
        BEGIN
            INSERT OR IGNORE INTO signal_attachments (sha256, signal_id)
                SELECT value, new.id FROM json_each(new.attachments);
        END;
        CREATE TRIGGER signals_attachments_update AFTER UPDATE OF attachments, deleted ON signals
            WHEN old.attachments IS NOT new.attachments OR old.deleted IS NOT new.deleted
        BEGIN
            DELETE FROM signal_attachments WHERE signal_id = old.id;
            INSERT OR IGNORE INTO signal_attachments (sha256, signal_id)
                SELECT value, new.id FROM json_each(new.attachments) WHERE new.deleted = 0;
        END;
        -- A signal purged for good (retention) takes its traces along.
        CREATE TRIGGER signals_traces_delete AFTER DELETE ON signals
        BEGIN
            DELETE FROM signal_attachments WHERE signal_id = old.id;
            DELETE FROM signal_left_areas WHERE signal_id = old.id;
        END;
        """,
    )


@migration
def m008_accounts(conn: sqlite3.Connection) -> None:
    # Log-in throttling with decay (auth/throttle.py), ending sessions (auth/tokens.py), and the
    # signing key out of the database (and so out of every backup): it lives in `<db>.key`.
    _run_script(
        conn,
        """
        -- Bumped by a password change or `users disable`: tokens of an older generation fail.
        ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

        -- Leaky buckets of failed log-ins per username, client address and the pair of them.
        -- (users.failed_logins and locked_until are no longer read or written.)
        CREATE TABLE login_throttle (
            key TEXT PRIMARY KEY,
            level REAL NOT NULL,
            updated_at REAL NOT NULL,
            empty_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX login_throttle_empty ON login_throttle(empty_at);

        -- Tokens ended by POST /auth/logout, kept until they would have expired anyway.
        CREATE TABLE revoked_tokens (
            jti TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            expires_at REAL NOT NULL
        ) WITHOUT ROWID;

        -- The key kept here was in every backup ever made: it is not moved but dropped, and a
        -- new key is made in the key file (everyone signs in once more after the upgrade).
        DELETE FROM meta WHERE key = 'jwt_secret';
        """,
    )


@migration
def m009_idempotency_scope(conn: sqlite3.Connection) -> None:
    # A mutation id names a change within one user's device: keyed by the id alone, one
    # user reusing another's id got `duplicate` of the other's change, and theirs was lost.
    _run_script(
        conn,
        """
        CREATE TABLE mutations_scoped (
            id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            username TEXT NOT NULL,
            signal_id TEXT NOT NULL,
            op TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('applied','conflict','rejected')),
            version INTEGER,
            problem TEXT,
            received_at TEXT NOT NULL,
            PRIMARY KEY (username, device_id, id)
        ) WITHOUT ROWID;
        INSERT INTO mutations_scoped SELECT id, device_id, seq, username, signal_id, op, status,
            version, problem, received_at FROM mutations;
        DROP TABLE mutations;
        ALTER TABLE mutations_scoped RENAME TO mutations;
        """,
    )


@migration
def m010_audit_retention(conn: sqlite3.Connection) -> None:
    """The audit log becomes append-only and hash-chained (audit/chain.py), with result,
    client, device and request id; retention gets its destruction record and the moment
    a signal was closed."""
    from .audit.chain import SCHEMA, Entry, append
    from .timeutil import stored_time

    # The old trail (audit_log, and changes for signal writes, as the audit_trail view
    # combined them) goes into the new chained table, oldest first.
    conn.execute("DROP VIEW audit_trail")
    conn.execute("ALTER TABLE audit_log RENAME TO audit_log_m001")
    _run_script(conn, SCHEMA)
    old = conn.execute(
        "SELECT at, username, action, object, NULL FROM audit_log_m001"
        " WHERE action NOT IN ('signal_create', 'signal_update', 'signal_delete')"
        " UNION ALL SELECT changed_at, changed_by, 'signal_' || op, signal_id, device_id FROM changes"
        " ORDER BY 1")
    while rows := old.fetchmany(10000):
        append(conn, [Entry(utc_text(stored_time(r[0])), r[1], r[2], r[3], "allowed", None, r[4], None)
                      for r in rows])
    conn.execute("DROP TABLE audit_log_m001")
    _run_script(
        conn,
        """
        CREATE VIEW audit_trail AS
            SELECT at, username, action, object, device_id FROM audit_log;

        -- What retention and erasure destroyed: kind, how many, when, by which rule; no content.
        CREATE TABLE destruction_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            rule TEXT NOT NULL,
            count INTEGER NOT NULL,
            by TEXT NOT NULL
        );

        -- When a signal was closed (status afgesloten), kept by triggers so every writer
        -- gets it; retention counts from it. It is the closing version's updated_at, so it
        -- has the one fixed-width form of stored times (m012 rewrites older ones). Existing
        -- closed signals: their last update (never earlier than the real closing, so nothing goes too soon).
        ALTER TABLE signals ADD COLUMN closed_at TEXT;
        UPDATE signals SET closed_at = updated_at WHERE status = 'afgesloten';
        CREATE INDEX signals_closed ON signals(closed_at) WHERE closed_at IS NOT NULL;
        CREATE TRIGGER signals_closed_insert AFTER INSERT ON signals
        WHEN NEW.status = 'afgesloten'
        BEGIN
            UPDATE signals SET closed_at = NEW.updated_at WHERE id = NEW.id;
        END;
        CREATE TRIGGER signals_closed_update AFTER UPDATE OF status ON signals
        WHEN (NEW.status = 'afgesloten') != (OLD.status = 'afgesloten')
        BEGIN
            UPDATE signals SET closed_at = CASE WHEN NEW.status = 'afgesloten'
                THEN NEW.updated_at END
             WHERE id = NEW.id;
        END;
        """,
    )


@migration
def m012_fixed_width_times(conn: sqlite3.Connection) -> None:
    # Times the server made were `datetime.isoformat()` in UTC (`…:SS+00:00`, or
    # `…:SS.ffffff+00:00`): rewritten to the one fixed-width text of timeutil.utc_text
    # (`…:SS.ffffffZ`), so every stored time has one form. `observed_at` keeps what the client
    # sent (its offset; `observed_utc` is its stored time); the audit log is left as written
    # (its hash chain covers its times).
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE '%audit%' AND name != '_migrations'")]
    for table in tables:
        for column in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]:
            if column == "observed_at" or not (column.endswith("_at") or column in (
                    "last_seen", "window_start", "window_end")):
                continue
            conn.execute(
                f'UPDATE "{table}" SET "{column}" = CASE length("{column}")'
                f' WHEN 32 THEN substr("{column}", 1, 26) ELSE substr("{column}", 1, 19) || \'.000000\' END'
                f' || \'Z\' WHERE "{column}" LIKE \'%+00:00\' AND length("{column}") IN (25, 32)')


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: `executescript` would commit our transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement[:60]!r}")


def migrate(db: Database) -> list[str]:
    """Bring the database to the current schema; returns the names that ran."""
    conn = db.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    ran: list[str] = []
    for name, fn in MIGRATIONS:
        with db.transaction():
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                continue
            fn(conn)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, utc_text(datetime.now(UTC))),
            )
            ran.append(name)
    return ran


def applied(db: Database) -> list[str]:
    return [r["name"] for r in db.query("SELECT name FROM _migrations ORDER BY rowid")]


@migration
def m013_handover(conn: sqlite3.Connection) -> None:
    """Hand-over and "hoort bij" (issue 12): a signal can be assigned to a colleague, with a
    note, and can belong with an earlier signal.

    - `signals.assignee` (a username; that user sees the signal too, signals/access.py),
      `signals.assignment_note` (free text: may hold personal data) and `signals.related_to`
      (a signal id). Snapshots written before lack these keys: read as null (writer.py).
    - `signal_left_areas` also records the assignee a change took the signal from, so the
      former assignee's next pull removes it (unless they still see it otherwise), as it
      does for a signal moved out of someone's areas. One trigger writes both: the areas
      and the assignee the signal had before that version.
    """
    _run_script(
        conn,
        """
        ALTER TABLE signals ADD COLUMN assignee TEXT;
        ALTER TABLE signals ADD COLUMN assignment_note TEXT;
        ALTER TABLE signals ADD COLUMN related_to TEXT;
        CREATE INDEX signals_assignee ON signals(assignee) WHERE assignee IS NOT NULL;
        CREATE INDEX signals_related_to ON signals(related_to) WHERE related_to IS NOT NULL;

        ALTER TABLE signal_left_areas ADD COLUMN assignee TEXT;
        DROP TRIGGER signals_left_areas;
        CREATE TRIGGER signals_left_areas AFTER UPDATE OF kern_code, wijk_code, buurt_code, assignee
            ON signals
            WHEN old.kern_code IS NOT new.kern_code OR old.wijk_code IS NOT new.wijk_code
              OR old.buurt_code IS NOT new.buurt_code
              OR (old.assignee IS NOT NULL AND old.assignee IS NOT new.assignee)
        BEGIN
            INSERT OR REPLACE INTO signal_left_areas (signal_id, version, kern_code, wijk_code,
                buurt_code, assignee) VALUES (new.id, new.version, old.kern_code, old.wijk_code,
                old.buurt_code, old.assignee);
        END;
        """,
    )


@migration
def m014_signal_search(conn: sqlite3.Connection) -> None:
    """Full-text search on descriptions (issue 12, signals/search.py): an external-content
    FTS5 index over `signals.description`, keyed by the signals' rowid, folding case and
    accents. Triggers keep it right for every writer (the signal service, a privacy erasure,
    a retention purge, a tombstone going for good); a changed or removed text leaves the
    index with FTS5's 'delete' command and the old text. The rows there are indexed here."""
    _run_script(
        conn,
        """
        CREATE VIRTUAL TABLE signal_search USING fts5(
            description, content = 'signals', content_rowid = 'rowid',
            tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO signal_search (signal_search) VALUES ('rebuild');
        CREATE TRIGGER signals_search_insert AFTER INSERT ON signals
        BEGIN
            INSERT INTO signal_search (rowid, description) VALUES (new.rowid, new.description);
        END;
        CREATE TRIGGER signals_search_update AFTER UPDATE OF description ON signals
            WHEN old.description IS NOT new.description
        BEGIN
            INSERT INTO signal_search (signal_search, rowid, description)
                VALUES ('delete', old.rowid, old.description);
            INSERT INTO signal_search (rowid, description) VALUES (new.rowid, new.description);
        END;
        CREATE TRIGGER signals_search_delete AFTER DELETE ON signals
        BEGIN
            INSERT INTO signal_search (signal_search, rowid, description)
                VALUES ('delete', old.rowid, old.description);
        END;
        """,
    )


@migration
def m015_kwestie_work(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        -- A kwestie is closed with an outcome; reopening clears closed_at.
        ALTER TABLE kwesties ADD COLUMN outcome TEXT;
        ALTER TABLE kwesties ADD COLUMN closed_at TEXT;
        -- Short updates on a kwestie's course (free text: may hold personal data).
        CREATE TABLE kwestie_updates (
            id INTEGER PRIMARY KEY,
            kwestie_id TEXT NOT NULL REFERENCES kwesties(id),
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX kwestie_updates_kwestie ON kwestie_updates(kwestie_id, id);
        """,
    )


@migration
def m016_default_kern_inhabitants(conn: sqlite3.Connection) -> None:
    """Inhabitants for every bundled default kern (issue 12): Ens had none, so the busiest
    village had no rate per 1,000. Only areas still from the defaults change; imported ones
    keep their CBS figures. A fresh database gets them when the defaults are loaded."""
    from geo.defaults import load_facts

    changed = 0
    for kern in load_facts()["kernen"]:
        changed += conn.execute(
            "UPDATE areas SET inhabitants = ? WHERE level = 'kern' AND source = 'default' AND code = ?"
            " AND inhabitants IS NOT ?", (kern["inhabitants"], kern["code"], kern["inhabitants"])).rowcount
    if changed:  # the catalog (and a phone's copy of the areas) reads them again
        conn.execute("INSERT INTO meta (key, value) VALUES ('areas_version', '1') ON CONFLICT(key)"
                     " DO UPDATE SET value = CAST(value AS INTEGER) + 1")


@migration
def m017_zaak_handoffs(conn: sqlite3.Connection) -> None:
    """Hand-off to a case system (issue 13, server/zgw): the outbox of zaken to make, one row
    per signal or kwestie (asking again re-uses the row), with the state of the sending, the
    zaak's identificatie (made up front, so it can be looked up before creating), its URL and
    its last polled status; the ZGW configuration; and `signal_zaken`, each signal's zaak: its
    own hand-off, or else that of a kwestie it belongs to (the first one made)."""
    _run_script(
        conn,
        """
        CREATE TABLE zaak_handoffs (
            id INTEGER PRIMARY KEY,
            subject_kind TEXT NOT NULL CHECK (subject_kind IN ('signal','kwestie')),
            subject_id TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued','sending','done','failed')),
            identificatie TEXT NOT NULL,
            -- The mapping chosen when it was asked for (JSON), used by every step.
            mapping TEXT NOT NULL DEFAULT '{}',
            zaak_url TEXT,
            zaak_status TEXT,
            zaak_result TEXT,
            error TEXT,
            note TEXT,
            requested_by TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            -- What each finished step made (JSON): a resumed hand-off starts after them.
            steps_done TEXT NOT NULL DEFAULT '{}',
            closed INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            last_polled_at TEXT,
            UNIQUE (subject_kind, subject_id)
        );
        CREATE UNIQUE INDEX zaak_handoffs_identificatie ON zaak_handoffs(identificatie);
        CREATE INDEX zaak_handoffs_due ON zaak_handoffs(state, next_attempt_at);
        CREATE INDEX zaak_handoffs_open ON zaak_handoffs(closed, state);

        -- The one ZGW configuration (the secret is never answered by the API).
        CREATE TABLE zgw_config (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            data TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE VIEW signal_zaken (signal_id, identificatie, state, url, status, handoff_id,
                                  result, error, requested_at, updated_at) AS
        SELECT h.subject_id, h.identificatie, h.state, h.zaak_url, h.zaak_status, h.id,
               h.zaak_result, h.error, h.requested_at, h.updated_at
        FROM zaak_handoffs h WHERE h.subject_kind = 'signal'
        UNION ALL
        SELECT ks.signal_id, h.identificatie, h.state, h.zaak_url, h.zaak_status, h.id,
               h.zaak_result, h.error, h.requested_at, h.updated_at
        FROM kwestie_signals ks
        JOIN zaak_handoffs h ON h.subject_kind = 'kwestie' AND h.subject_id = ks.kwestie_id
        WHERE h.id = (SELECT min(h2.id) FROM kwestie_signals ks2
                      JOIN zaak_handoffs h2 ON h2.subject_kind = 'kwestie'
                                           AND h2.subject_id = ks2.kwestie_id
                      WHERE ks2.signal_id = ks.signal_id)
          AND NOT EXISTS (SELECT 1 FROM zaak_handoffs o
                          WHERE o.subject_kind = 'signal' AND o.subject_id = ks.signal_id);
        """,
    )
