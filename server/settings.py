"""All configuration, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

API_VERSION = "0.1.0"
API_PREFIX = "/api/v1"
REPO_ROOT = Path(__file__).resolve().parents[1]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def _positive(name: str) -> float:
    raw = os.environ[name]
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ValueError(f"{name} must be a positive number, got {raw!r}")
    return value


def _months(name: str) -> int:
    """A retention term: a whole number of months, at least 1 ("0.5" is no half month but 0:
    everything closed would be due at once)."""
    value = _int(name, 0)
    if value < 1:
        raise ValueError(f"{name} must be a whole number of months (at least 1),"
                         f" got {os.environ[name]!r}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings; `from_env()` is the only place that reads the environment."""

    db_path: Path = Path("data/gebiedsradar.db")
    #: HS256 key for access tokens. Empty: generated once into `<db>.key` (mode 600).
    secret_key: str = ""
    token_ttl_seconds: int = 12 * 3600
    pwa_dist: Path = field(default_factory=lambda: REPO_ROOT / "pwa" / "dist")
    #: Password verifications (argon2, ~0.15 s of CPU each) at once; one leaves the other
    #: core to everything else on a two-core machine.
    login_hashing: int = 1
    #: Log-ins that may wait for a verification; more at once are refused at once (429).
    login_waiting: int = 4
    #: Seconds after new signals before early-warning detection runs (one run per burst).
    alert_debounce_seconds: float = 30.0
    #: Run early-warning detection after signals change (off only for benchmarks of ingest).
    detect_after_changes: bool = True
    #: Early warning: false alarms per kern per year the statistical methods aim at.
    false_alarms_per_area_year: float = 1.0
    #: Where photos are stored; default: `attachments/` next to the database.
    attachments_root: Path | None = None
    #: Retention (server/retention.py), in months after a signal was closed (afgesloten):
    #: its content (selection list for meldingen: 5 years), its personal data when marked
    #: (12 months, unless in an open kwestie); tombstones after deletion; the audit log.
    retain_signal_months: int = 60
    retain_personal_months: int = 12
    retain_tombstone_months: int = 12
    retain_audit_months: int = 60
    #: Hours between retention runs inside the server; 0: only `gebiedsradar retention run`.
    retention_interval_hours: float = 24.0
    #: ZGW hand-off (server/zgw): run the outbox worker and the progress poller in the server
    #: (off: tests drive them; `gebiedsradar export zgw poll` still works).
    zgw_worker: bool = True
    #: Minutes between polls of the open zaken.
    zgw_poll_minutes: float = 15.0
    #: Seconds one call to the case system may take before it counts as failed (and retried).
    zgw_timeout_seconds: float = 10.0

    @property
    def attachments_dir(self) -> Path:
        return self.attachments_root or self.db_path.parent / "attachments"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Build settings from `GEBIEDSRADAR_*` variables; keyword overrides win."""
        values: dict[str, object] = {
            "db_path": Path(os.environ.get("GEBIEDSRADAR_DB") or "data/gebiedsradar.db"),
            "secret_key": os.environ.get("GEBIEDSRADAR_SECRET_KEY", ""),
            "token_ttl_seconds": _int("GEBIEDSRADAR_TOKEN_TTL", 12 * 3600),
        }
        if os.environ.get("GEBIEDSRADAR_DETECT") == "0":
            values["detect_after_changes"] = False
        if os.environ.get("GEBIEDSRADAR_ALERT_DEBOUNCE"):
            values["alert_debounce_seconds"] = float(os.environ["GEBIEDSRADAR_ALERT_DEBOUNCE"])
        if os.environ.get("GEBIEDSRADAR_FALSE_ALARMS"):
            values["false_alarms_per_area_year"] = _positive("GEBIEDSRADAR_FALSE_ALARMS")
        if os.environ.get("GEBIEDSRADAR_ATTACHMENTS"):
            values["attachments_root"] = Path(os.environ["GEBIEDSRADAR_ATTACHMENTS"])
        if os.environ.get("GEBIEDSRADAR_PWA_DIST"):
            values["pwa_dist"] = Path(os.environ["GEBIEDSRADAR_PWA_DIST"])
        for name, key in (("GEBIEDSRADAR_RETAIN_SIGNAL_MONTHS", "retain_signal_months"),
                          ("GEBIEDSRADAR_RETAIN_PERSONAL_MONTHS", "retain_personal_months"),
                          ("GEBIEDSRADAR_RETAIN_TOMBSTONE_MONTHS", "retain_tombstone_months"),
                          ("GEBIEDSRADAR_RETAIN_AUDIT_MONTHS", "retain_audit_months")):
            if os.environ.get(name):
                values[key] = _months(name)
        if os.environ.get("GEBIEDSRADAR_RETENTION_INTERVAL_HOURS"):
            values["retention_interval_hours"] = float(
                os.environ["GEBIEDSRADAR_RETENTION_INTERVAL_HOURS"])
        if os.environ.get("GEBIEDSRADAR_ZGW_WORKER") == "0":
            values["zgw_worker"] = False
        if os.environ.get("GEBIEDSRADAR_ZGW_POLL_MINUTES"):
            values["zgw_poll_minutes"] = float(os.environ["GEBIEDSRADAR_ZGW_POLL_MINUTES"])
        if os.environ.get("GEBIEDSRADAR_ZGW_TIMEOUT"):
            values["zgw_timeout_seconds"] = _positive("GEBIEDSRADAR_ZGW_TIMEOUT")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
