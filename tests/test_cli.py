"""The `gebiedsradar` command line, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from server.bootstrap import open_database
from server.settings import Settings
from server.users.store import get_user

EXE = Path(sys.executable).with_name("gebiedsradar")


def run(*args: str, stdin: str = "", env_db: Path | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ}
    env.pop("GEBIEDSRADAR_DB", None)
    if env_db:
        env["GEBIEDSRADAR_DB"] = str(env_db)
    return subprocess.run([str(EXE), *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60)


def test_users_add_on_a_new_database(db_path):
    r = run("--db", str(db_path), "users", "add", "anne", "--role", "gebiedsregisseur",
            "--area", "WK017104", "--area", "WK017106", "--password-stdin", stdin="geheim-wachtwoord\n")
    assert r.returncode == 0, r.stderr
    assert "anne" in r.stdout
    db = open_database(Settings(db_path=db_path)).db
    user = get_user(db, "anne")
    assert user is not None and user.areas == ["WK017104", "WK017106"]
    assert db.query_one("SELECT count(*) FROM areas")[0] == 11


def test_env_var_names_the_database(db_path):
    r = run("users", "add", "bert", "--role", "teamleider", "--password-stdin",
            stdin="nog-een-wachtwoord\n", env_db=db_path)
    assert r.returncode == 0, r.stderr
    assert db_path.exists()


def test_areas_locate_prints_kern(db_path):
    r = run("--db", str(db_path), "areas", "locate", "52.7092", "5.8640")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "kern: Marknesse (WK017104)"
    r = run("--db", str(db_path), "areas", "locate", "--json", "52.663", "5.601")
    assert json.loads(r.stdout) == {"kern": None, "wijk": None, "buurt": None}


def _one_line_error(r: subprocess.CompletedProcess, code: int) -> str:
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("gebiedsradar: error: ")
    return lines[0]


def test_bad_input_is_one_line_exit_1(db_path):
    db = str(db_path)
    assert "outside -90..90" in _one_line_error(run("--db", db, "areas", "locate", "95", "5"), 1)
    assert "unknown area" in _one_line_error(
        run("--db", db, "users", "add", "cees", "--role", "teamleider", "--area", "XX",
            "--password-stdin", stdin="lang-genoeg-ww\n"), 1)
    assert "te kort" in _one_line_error(
        run("--db", db, "users", "add", "cees", "--role", "teamleider", "--password-stdin",
            stdin="kort\n"), 1)
    run("--db", db, "users", "add", "dirk", "--role", "teamleider", "--password-stdin",
        stdin="lang-genoeg-ww\n")
    assert "already exists" in _one_line_error(
        run("--db", db, "users", "add", "dirk", "--role", "teamleider", "--password-stdin",
            stdin="lang-genoeg-ww\n"), 1)
    assert "invalid username" in _one_line_error(
        run("--db", db, "users", "add", "Dirk Jan", "--role", "teamleider", "--password-stdin",
            stdin="lang-genoeg-ww\n"), 1)


def test_users_passwd_disable_enable(db_path):
    db = str(db_path)
    run("--db", db, "users", "add", "fenna", "--role", "teamleider", "--password-stdin",
        stdin="eerste-lange-zin\n")
    r = run("--db", db, "users", "passwd", "fenna", stdin="tweede-lange-zin\n")
    assert r.returncode == 0, r.stderr
    r = run("--db", db, "users", "passwd", "fenna", "--password-stdin", stdin="derde-lange-zin\n")
    assert r.returncode == 0, r.stderr
    assert "voorspelbaar" in _one_line_error(
        run("--db", db, "users", "passwd", "fenna", stdin="Welkom2026!!\n"), 1)
    assert "geen wachtwoord" in _one_line_error(run("--db", db, "users", "passwd", "fenna"), 1)
    assert "bestaat niet" in _one_line_error(run("--db", db, "users", "disable", "niemand"), 1)
    assert run("--db", db, "users", "disable", "fenna").returncode == 0
    assert "fenna\tteamleider\t-\tgeblokkeerd" in run("--db", db, "users", "list").stdout
    assert run("--db", db, "users", "enable", "fenna").returncode == 0
    assert "fenna\tteamleider\t-\n" in run("--db", db, "users", "list").stdout
    conn = open_database(Settings(db_path=db_path)).db
    row = conn.query_one("SELECT token_generation, active FROM users WHERE username = 'fenna'")
    assert tuple(row) == (3, 1)  # two new passwords and one disable each ended the sessions
    actions = [r["action"] for r in conn.query(
        "SELECT action FROM audit_log WHERE object = 'fenna' AND action LIKE 'user_%' ORDER BY id")]
    assert actions == ["user_password", "user_password", "user_disable", "user_enable"]


def test_bad_usage_is_one_line_exit_2(db_path):
    db = str(db_path)
    _one_line_error(run("--db", db, "users", "add", "eva", "--role", "koning", "--password-stdin"), 2)
    _one_line_error(run("--db", db, "areas", "locate", "noord", "5"), 2)
    _one_line_error(run("--db", db, "nonsense"), 2)
    _one_line_error(run("--db", db, "users", "add", "eva", "--role", "teamleider"), 2)


def test_help_documents_every_command():
    r = run("--help")
    assert r.returncode == 0
    for command in ("serve", "users", "areas", "init"):
        assert command in r.stdout
    assert "GEBIEDSRADAR_DB" in r.stdout
