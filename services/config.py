"""Settings from the environment, falling back to `.streamlit/secrets.toml`.

The portal refuses to start outside demo mode without a real cookie key: a
guessable key lets anyone forge a login cookie.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from services import kid

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
SENDGRID_DEFAULT_HOST = "https://api.sendgrid.com"
MIN_COOKIE_KEY_LENGTH = 32
# Words of keys copied from documentation or examples: never acceptable as a whole word of the
# key, and the long ones not even inside a word (a random key holds one of those by chance
# about once in a billion).
PLACEHOLDER_WORDS = {
    "your",
    "here",
    "goes",
    "cookie",
    "test",
    "demo",
    "todo",
    "fixme",
    "dummy",
    "secret",
    "password",
    "passord",
    "nokkel",
    "change",
    "changeme",
    "example",
    "sample",
    "default",
    "placeholder",
    "replace",
    "insert",
    "xxxx",
    "abcd",
    "1234",
    "qwerty",
}
PLACEHOLDER_MARKERS = tuple(word for word in PLACEHOLDER_WORDS if len(word) >= 6) + ("some_key",)
# A random key carries far more than 128 bits; Shannon entropy of its characters estimates it.
MIN_BITS_PER_CHARACTER = 3.0
MIN_KEY_BITS = 128


class ConfigError(Exception):
    """The configuration cannot run a portal; the message says why."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    # Secrets are left out of the repr: a traceback or a log line never shows them.
    cookie_key: str = field(repr=False)
    demo: bool
    base_url: str
    mail_from: str
    sendgrid_api_key: str | None = field(repr=False)
    sendgrid_api_host: str
    sidecar_in_process: bool = True
    union_name: str = "Industri Energi"
    # The account employers pay the deducted dues to, shown with the KID (issue 27); empty: not shown.
    union_account: str = ""
    union_address: str = ""
    # An image file for the page header; without one the union's name is drawn as the logo.
    union_logo: str = ""
    union_signature: str = "Med vennlig hilsen\nMedlemsavdelingen"
    mail_timeout_seconds: float = 10.0
    # PORTAL_DATABASE_URL: a PostgreSQL server instead of the DuckDB file.
    database_url: str | None = None
    # PORTAL_FILE_STORE: "folder" (files under the data dir, the default) or "database".
    file_store: str = "folder"
    # PORTAL_SECRET_KEY: keys the hashes of one-time codes and encrypts second-factor secrets.
    # Never in the store, so a copy of the database gives no code and no second factor.
    secret_key: str = field(default="", repr=False)
    # PORTAL_TRUSTED_PROXIES: addresses of the proxies whose X-Forwarded-For names the client.
    trusted_proxies: tuple[str, ...] = ()
    # Backups (issue 22). PORTAL_BACKUP_DIR: where the nightly backup goes (best on another disk or
    # a mounted share); PORTAL_BACKUP_RECIPIENT: the union's age public key ("age1…"). The private
    # key that opens a backup is never on the portal's machine.
    backup_dir: Path | None = None
    backup_recipient: str = ""
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    # The hour (Norwegian time) from which the nightly backup is taken.
    backup_hour: int = 2
    # Health thresholds: `python -m services.cli health` and «Drift» on «Administrasjon».
    backup_max_age_hours: int = 26
    sidecar_stale_minutes: int = 30
    mail_stuck_minutes: int = 60
    min_free_disk_mb: int = 1024
    # bcrypt's cost for passwords: bcrypt's own 12. The test suite sets 4, which only makes hashing
    # faster, never weaker for the hashes a real portal stores.
    bcrypt_rounds: int = 12
    # PostgreSQL connections per process (PORTAL_DB_POOL_SIZE), and how long a request waits for one
    # (PORTAL_DB_POOL_WAIT_SECONDS) before trying once more, then telling the user to try again.
    db_pool_size: int = 10
    db_pool_wait_seconds: float = 10.0
    # PORTAL_LOG_FORMAT: "text" for people, "json" (one object per line) for a log collector.
    log_format: str = "text"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "portal.duckdb"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on", "ja"}


def _read_secrets_file(path: Path) -> dict:
    if not path.exists():
        return {}
    # Imported here, as `secrets` below: the parser's command line loads this module for its limits alone.
    import tomllib

    with path.open("rb") as fh:
        return tomllib.load(fh)


def cookie_key_problem(key: str | None, *, name: str = "PORTAL_COOKIE_KEY") -> str | None:
    """Why `key` is unfit as a server secret (the cookie key, the secret key), or None when it is fit."""
    if not key:
        return f"{name} er ikke satt."
    if len(key) < MIN_COOKIE_KEY_LENGTH:
        return f"{name} må ha minst {MIN_COOKIE_KEY_LENGTH} tegn (har {len(key)})."
    lowered = key.lower()
    words = set(re.split(r"[^0-9a-zæøå]+", lowered))
    if words & PLACEHOLDER_WORDS or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return f"{name} ser ut som en eksempelverdi; lag en tilfeldig nøkkel."
    bits = _bits_per_character(key)
    if len(set(key)) < 12 or bits < MIN_BITS_PER_CHARACTER or bits * len(key) < MIN_KEY_BITS or _has_run(key):
        return f"{name} er for ensformig til å være tilfeldig."
    return None


def _bits_per_character(key: str) -> float:
    counts = [key.count(ch) for ch in set(key)]
    return -sum(c / len(key) * math.log2(c / len(key)) for c in counts)


def _has_run(key: str, length: int = 8) -> bool:
    """Eight or more characters in a row repeated or counting up or down ('aaaaaaaa', '23456789')."""
    for start in range(len(key) - length + 1):
        steps = {
            ord(b) - ord(a) for a, b in zip(key[start : start + length], key[start + 1 : start + length], strict=False)
        }
        if len(steps) == 1 and steps.pop() in (-1, 0, 1):
            return True
    return False


def _demo_key(data_dir: Path, name: str = "demo-cookie-key") -> str:
    """A random key kept in the data dir, so demo logins (and codes, and second factors) survive a restart."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    import secrets

    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _secret_key(raw: str | None, data_dir: Path, *, demo: bool, web: bool) -> str:
    """The server secret for codes and second factors. The portal refuses to start without a fit
    one; the command line runs without it until it is asked for something that needs it."""
    problem = cookie_key_problem(raw, name="PORTAL_SECRET_KEY")
    if problem is None:
        return raw or ""
    if demo:
        return _demo_key(data_dir, "demo-secret-key")
    if not web:
        return ""
    raise ConfigError(
        problem + " Portalen starter ikke uten den: engangskoder og tofaktornøkler er bundet til den, så den "
        'skal aldri ligge i databasen. Lag en med: python -c "import secrets; print(secrets.token_urlsafe(48))"'
    )


@dataclass(frozen=True)
class ParseLimits:
    """Hard limits on the worker that reads an uploaded file (services.reading.sandbox)."""

    memory_bytes: int = 1024 * 1024 * 1024
    cpu_seconds: int = 30
    wall_seconds: int = 60
    # Files read at the same time; more wait their turn, so many uploads cannot exhaust the machine.
    workers: int = 2


# Where stored files' bytes live: a folder under the data dir, or the database.
FILE_STORES = ("folder", "database")


def _file_store(raw: str) -> str:
    value = raw.strip().lower()
    if value not in FILE_STORES:
        raise ConfigError("PORTAL_FILE_STORE må være «folder» eller «database».")
    return value


def _database_url(raw: str) -> str | None:
    if not raw.strip():
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        raise ConfigError("PORTAL_DATABASE_URL må begynne med postgresql://.")
    return raw.strip()


def _existing_file(name: str, raw: str) -> str:
    if raw and not Path(raw).is_file():
        raise ConfigError(f"{name} peker på en fil som ikke finnes.")
    return raw


def _union_account(raw: str | None) -> str:
    written = (raw or "").strip()
    if not written:
        return ""
    shown = kid.account_number(written)
    if shown is None:
        raise ConfigError(f"PORTAL_UNION_ACCOUNT må være et kontonummer med 11 sifre (er «{written}»).")
    return shown


def _bcrypt_rounds(raw: str | None) -> int:
    value = _positive_int("PORTAL_BCRYPT_ROUNDS", raw, Settings.bcrypt_rounds)
    if not 4 <= value <= 16:
        raise ConfigError(f"PORTAL_BCRYPT_ROUNDS må være fra 4 til 16 (er {value}).")
    return value


def _positive_int(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} må være et helt tall (er «{raw}»).") from None
    if value <= 0:
        raise ConfigError(f"{name} må være større enn 0 (er {value}).")
    return value


LOG_FORMATS = ("text", "json")


def _log_format(raw: str) -> str:
    value = raw.strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise ConfigError("PORTAL_LOG_FORMAT må være «text» eller «json».")
    return value


def _backup_recipient(raw: str) -> str:
    value = raw.strip()
    if value and not re.fullmatch(r"age1[02-9ac-hj-np-z]{58}", value):
        raise ConfigError(
            "PORTAL_BACKUP_RECIPIENT må være forbundets offentlige age-nøkkel (age1…). "
            "Lag et nøkkelpar med: python -m services.cli backup-keygen FIL"
        )
    return value


def _backup_hour(raw: str | None) -> int:
    text = (raw or "").strip() or "2"
    value = int(text) if text.isdigit() else -1
    if not 0 <= value <= 23:
        raise ConfigError(f"PORTAL_BACKUP_HOUR må være en time fra 0 til 23 (er {value}).")
    return value


def _pool_size(raw: str | None) -> int:
    size = _positive_int("PORTAL_DB_POOL_SIZE", raw, 10)
    if size < 2:
        # The first opening checks the schema under an advisory lock on one connection and reads on another.
        raise ConfigError("PORTAL_DB_POOL_SIZE må være minst 2.")
    return size


def load_parse_limits(env: dict[str, str] | None = None, secrets_file: Path = SECRETS_FILE) -> ParseLimits:
    """The worker's limits alone: the parser's command line needs them but no cookie key."""
    env = dict(os.environ if env is None else env)
    file_values = {k.upper(): str(v) for k, v in _read_secrets_file(secrets_file).items()}

    def get(name: str) -> str | None:
        return env.get(name) or file_values.get(name)

    default = ParseLimits()
    return ParseLimits(
        memory_bytes=_positive_int(
            "PORTAL_PARSE_MEMORY_MB", get("PORTAL_PARSE_MEMORY_MB"), default.memory_bytes // (1024 * 1024)
        )
        * 1024
        * 1024,
        cpu_seconds=_positive_int("PORTAL_PARSE_CPU_SECONDS", get("PORTAL_PARSE_CPU_SECONDS"), default.cpu_seconds),
        wall_seconds=_positive_int("PORTAL_PARSE_WALL_SECONDS", get("PORTAL_PARSE_WALL_SECONDS"), default.wall_seconds),
        workers=_positive_int("PORTAL_PARSE_WORKERS", get("PORTAL_PARSE_WORKERS"), default.workers),
    )


def load_settings(
    env: dict[str, str] | None = None, secrets_file: Path = SECRETS_FILE, *, web: bool = True
) -> Settings:
    """The settings; `web=False` for the command line and the sidecar, which set no login
    cookies and so need no cookie key."""
    env = dict(os.environ if env is None else env)
    file_values = {k.upper(): str(v) for k, v in _read_secrets_file(secrets_file).items()}

    def get(name: str, default: str | None = None) -> str | None:
        value = env.get(name)
        if value is None or value == "":
            value = file_values.get(name, default)
        return value

    data_dir = Path(get("PORTAL_DATA_DIR") or str(PROJECT_ROOT / "data"))
    if not data_dir.is_absolute():
        data_dir = PROJECT_ROOT / data_dir
    demo = _truthy(get("PORTAL_DEMO"))
    cookie_key = get("PORTAL_COOKIE_KEY")
    problem = cookie_key_problem(cookie_key)
    if problem and not web:
        cookie_key = ""
    elif problem:
        if not demo:
            raise ConfigError(
                problem + " Portalen starter ikke uten en tilfeldig nøkkel på minst "
                f"{MIN_COOKIE_KEY_LENGTH} tegn, for ellers kan hvem som helst forfalske en "
                'innlogging. Lag en med: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        cookie_key = _demo_key(data_dir)
    secret_key = _secret_key(get("PORTAL_SECRET_KEY"), data_dir, demo=demo, web=web)
    sendgrid_api_key = get("SENDGRID_API_KEY") or None
    if demo and sendgrid_api_key:
        raise ConfigError(
            "Demomodus (PORTAL_DEMO) sender ikke e-post til noen: fjern SENDGRID_API_KEY, eller slå av demomodus."
        )
    backup_dir_raw = (get("PORTAL_BACKUP_DIR", "") or "").strip()
    backup_recipient = _backup_recipient(get("PORTAL_BACKUP_RECIPIENT", "") or "")
    if demo and not backup_dir_raw:
        backup_dir_raw = str(data_dir / "backups")
    if demo and not backup_recipient:
        from services.backup_keys import demo_recipient

        backup_recipient = demo_recipient(data_dir)
    return Settings(
        data_dir=data_dir,
        cookie_key=cookie_key or "",
        demo=demo,
        base_url=(get("PORTAL_BASE_URL", "http://localhost:8501") or "").rstrip("/"),
        mail_from=get("PORTAL_MAIL_FROM", "trekkliste@forbundet.example") or "",
        sendgrid_api_key=sendgrid_api_key,
        sendgrid_api_host=get("SENDGRID_API_HOST", SENDGRID_DEFAULT_HOST) or SENDGRID_DEFAULT_HOST,
        sidecar_in_process=(get("PORTAL_SIDECAR", "1") or "1").strip().lower() not in {"0", "false", "off", "nei"},
        union_name=get("PORTAL_UNION_NAME", Settings.union_name) or Settings.union_name,
        union_account=_union_account(get("PORTAL_UNION_ACCOUNT")),
        union_address=get("PORTAL_UNION_ADDRESS", Settings.union_address) or "",
        database_url=_database_url(get("PORTAL_DATABASE_URL", "") or ""),
        file_store=_file_store(get("PORTAL_FILE_STORE", "folder") or "folder"),
        secret_key=secret_key,
        trusted_proxies=tuple(p.strip() for p in (get("PORTAL_TRUSTED_PROXIES", "") or "").split(",") if p.strip()),
        union_logo=_existing_file("PORTAL_UNION_LOGO", get("PORTAL_UNION_LOGO", "") or ""),
        mail_timeout_seconds=float(
            _positive_int("PORTAL_MAIL_TIMEOUT_SECONDS", get("PORTAL_MAIL_TIMEOUT_SECONDS"), 10)
        ),
        # "\n" in the setting starts a new line in the signature.
        union_signature=(get("PORTAL_UNION_SIGNATURE", Settings.union_signature) or "").replace("\\n", "\n"),
        backup_dir=Path(backup_dir_raw) if backup_dir_raw else None,
        backup_recipient=backup_recipient,
        backup_keep_daily=_positive_int("PORTAL_BACKUP_KEEP_DAILY", get("PORTAL_BACKUP_KEEP_DAILY"), 7),
        backup_keep_weekly=_positive_int("PORTAL_BACKUP_KEEP_WEEKLY", get("PORTAL_BACKUP_KEEP_WEEKLY"), 4),
        backup_hour=_backup_hour(get("PORTAL_BACKUP_HOUR")),
        backup_max_age_hours=_positive_int("PORTAL_BACKUP_MAX_AGE_HOURS", get("PORTAL_BACKUP_MAX_AGE_HOURS"), 26),
        sidecar_stale_minutes=_positive_int("PORTAL_SIDECAR_STALE_MINUTES", get("PORTAL_SIDECAR_STALE_MINUTES"), 30),
        mail_stuck_minutes=_positive_int("PORTAL_MAIL_STUCK_MINUTES", get("PORTAL_MAIL_STUCK_MINUTES"), 60),
        bcrypt_rounds=_bcrypt_rounds(get("PORTAL_BCRYPT_ROUNDS")),
        min_free_disk_mb=_positive_int("PORTAL_MIN_FREE_DISK_MB", get("PORTAL_MIN_FREE_DISK_MB"), 1024),
        log_format=_log_format(get("PORTAL_LOG_FORMAT", "") or ""),
        db_pool_size=_pool_size(get("PORTAL_DB_POOL_SIZE")),
        db_pool_wait_seconds=float(
            _positive_int("PORTAL_DB_POOL_WAIT_SECONDS", get("PORTAL_DB_POOL_WAIT_SECONDS"), 10)
        ),
    )
