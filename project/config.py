"""Configuration classes, chosen by APP_SETTINGS; every value that varies comes from the environment."""

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from argon2 import profiles
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from werkzeug.utils import import_string

MIB = 1024 * 1024
MYSQL_FAMILY = ("mysql", "mariadb")  # SQLAlchemy names MariaDB URLs (mariadb+pymysql://) apart
LOOPBACK_NAMES = ("localhost", "127.0.0.1")
DRIVERS = ("mysql+pymysql", "mariadb+pymysql", "sqlite", "sqlite+pysqlite")  # the ones it installs
REPLICA = "replica"  # the read replica's bind key
FLAGS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
URL_FORMS = "mysql+pymysql://USER:PASSWORD@HOST:3306/DATABASE?charset=utf8mb4 or sqlite:///FILE.db"


def mysql_table_options(**options: str) -> dict[str, str]:
    """Table options (engine, charset, collate) for MySQL and MariaDB alike: SQLAlchemy's MariaDB dialect
    reads only mariadb_-prefixed options, its MySQL dialect only mysql_ ones."""
    return {f"{prefix}_{name}": value for prefix in MYSQL_FAMILY for name, value in options.items()}


class ConfigError(RuntimeError):
    """A setting the chosen configuration needs is missing or wrong."""


def worker_threads() -> int:
    """Threads per gunicorn worker; each holds at most one database connection, so it is also the pool's size."""
    return int(os.environ.get("GUNICORN_THREADS") or 4)


def database_connections() -> int:
    """The most database connections one instance of the service may open (DATABASE_MAX_CONNECTIONS): by
    default three instances stay under MySQL's default max_connections (151), with room for the operator."""
    return int(os.environ.get("DATABASE_MAX_CONNECTIONS") or 48)


def metrics_bind() -> str | None:
    """Where the metrics are served (METRICS_BIND, host:port: a port of its own, which nginx never passes on), by
    gunicorn's master and by `manage.py deliver_mail`; nowhere when unset."""
    return os.environ.get("METRICS_BIND") or None


def setting(name: str) -> str | None:
    """A setting from the environment: NAME's value, else the contents of the file NAME_FILE names (a Docker or
    Kubernetes secret, mounted as a file), without its final newline; None when neither is set."""
    if value := os.environ.get(name):
        return value
    if not (path := os.environ.get(f"{name}_FILE")):
        return None
    try:
        return Path(path).read_text().rstrip("\n") or None
    except OSError as error:
        raise ConfigError(f"{name}_FILE names {path}, which cannot be read: {error.strerror}") from None


def flag(name: str, default: bool) -> bool:
    """A yes-or-no setting: 1, true, yes or on; 0, false, no or off (in any case); `default` when unset."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in FLAGS:
        raise ConfigError(f"{name}={value} is not one of {', '.join(FLAGS)}")
    return FLAGS[value]


def public_url(value: str) -> str:
    """PUBLIC_URL as links are made of it: http(s)://host[:port][/path], with no final slash."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_URL={value} is not a URL the service's pages are reached at: write https://HOST")
    return value.rstrip("/")


def host_names(value: str) -> list[str]:
    """The host names in a TRUSTED_HOSTS value (separated by spaces or commas), loopback's always among them:
    the service's own healthchecks call it by those."""
    names = value.replace(",", " ").split()
    return [*names, *(name for name in LOOPBACK_NAMES if name not in names)]


def trusted_proxies() -> list[str]:
    """The proxies' addresses or networks (TRUSTED_PROXIES, separated by commas) whose X-Forwarded-* headers are
    believed, by the app and by gunicorn alike; loopback's by default (nginx on the same machine)."""
    value = os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1")
    proxies = [proxy.strip() for proxy in value.split(",") if proxy.strip()]
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy)  # strict, as gunicorn's forwarded_allow_ips: 10.0.0.1/24 is a mistake
        except ValueError as error:
            raise ConfigError(f"TRUSTED_PROXIES: {error}") from None
    return proxies


def database_url(variable: str, url: str) -> URL:
    """The URL in `variable`, parsed, when it names a database the service has a driver for."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"{variable} is not a database URL: write {URL_FORMS}") from None
    if parsed.drivername not in DRIVERS:
        raise ConfigError(
            f"{variable} begins {parsed.drivername}://, but the service reaches databases only through PyMySQL"
            f" or SQLite: write {URL_FORMS}"
        )
    return parsed


def with_password(url: URL) -> URL:
    """The URL, with DATABASE_PASSWORD's password when it has none of its own: the password can then come from
    a secret of its own, the one the database's image reads too (MYSQL_PASSWORD_FILE)."""
    if url.password is None and (password := setting("DATABASE_PASSWORD")):
        return url.set(password=password)
    return url


def engine_options(url: URL) -> dict[str, Any]:
    """SQLAlchemy engine options suited to the database the URL names."""
    if url.get_backend_name() not in MYSQL_FAMILY:
        # SQLite lets one writer at a time in; the others wait for the lock this long (Python's default, 5 s,
        # is short for a dozen concurrent writers on a busy machine), then answer 503.
        return {"connect_args": {"timeout": 20}}
    return {
        "pool_size": worker_threads(),  # a worker opens at most this many: workers x threads is the budget
        "max_overflow": 0,
        "pool_pre_ping": True,  # a connection the server closed (a restart, a KILL, its idle timeout) is replaced
        "pool_recycle": 1800,  # well below MySQL's default wait_timeout of 28800 s
        # Every piece of work is a transaction, as on SQLite: a write's statements are committed together or not
        # at all. READ COMMITTED: each statement reads what is committed when it runs, and takes no gap locks.
        "isolation_level": "READ COMMITTED",
        # A server that is down is noticed within seconds: requests then answer 503, not hang.
        "connect_args": {"charset": "utf8mb4", "connect_timeout": 3, "read_timeout": 10, "write_timeout": 10},
    }


class BaseConfig:
    """Settings shared by every environment; what the environment sets is read when the app is created."""

    DEBUG = False
    TESTING = False
    SECRET_KEY: str | None = "dev-only-secret-key"
    DATABASE_URL_VARIABLE = "DATABASE_URL"
    DEFAULT_DATABASE_URL: str | None = "sqlite:///users_dev.db"  # relative: lands in the instance folder
    READ_URL_VARIABLE = "DATABASE_READ_URL"  # a replica for reads that may lag; unset: every read on the primary
    READ_YOUR_WRITES_SECONDS = 5.0  # a client that wrote reads from the primary for this long
    REPLICA_RETRY_SECONDS = 10.0  # a replica that failed is left alone for this long, reads going to the primary
    REPLICA_MAX_LAG_SECONDS = 30.0  # a replica further behind is left alone until it catches up
    REPLICA_LAG_CHECK_SECONDS = 5.0  # how often a process asks the replica how far behind it is
    REDIS_URL_VARIABLE = "REDIS_URL"  # where tokens and sign-in failures are kept; unset: in the database
    TRUSTED_PROXY_HOPS = 0  # X-Forwarded-* headers are believed from this many proxies in front (TRUSTED_PROXIES)
    SESSION_COOKIE_SAMESITE = "Lax"  # the index page's session (HttpOnly by Flask's default)
    WTF_CSRF_CHECK_DEFAULT = False  # the pages' blueprint checks CSRF tokens (project.web.views), the API never
    TOKEN_TTL = 3600  # seconds a bearer token lives
    # Sessions: a sign-in's refresh token lives REFRESH_TOKEN_TTL seconds, renewed with each refresh; a spent one
    # presented again within REFRESH_REUSE_GRACE seconds (two tabs refreshing at once) is refused, after it ends its
    # session. A session's last use is written at most once every SESSION_TOUCH_SECONDS, not on every request.
    REFRESH_TOKEN_TTL = 30 * 24 * 3600
    REFRESH_REUSE_GRACE = 5.0
    SESSION_TOUCH_SECONDS = 60
    EVENTS_RETENTION_DAYS = 90  # an account's activity is kept this long
    # Argon2id's cost (argon2-cffi's defaults, RFC 9106's low-memory profile); a stored hash made with
    # other parameters is made again at the next sign-in.
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 65536  # KiB
    PASSWORD_PARALLELISM = 4
    # Argon2id hashes or checks one process runs at once (each takes PASSWORD_MEMORY_COST and, with its lanes,
    # the CPUs); past them, sign-up and sign-in answer 503 with Retry-After at once.
    PASSWORD_HASHING_SLOTS = 1
    # Failed sign-ins counted in a sliding window, for one email and for one client address; past the
    # limit, sign-in answers 429 until the oldest failures leave the window.
    SIGN_IN_WINDOW = 15 * 60
    SIGN_IN_FAILURES_PER_EMAIL = 10
    SIGN_IN_FAILURES_PER_ADDRESS = 100  # many clients may share one address (a NAT)
    # Account recovery: links mailed to a user, made from PUBLIC_URL alone (never from a request's Host), live this
    # many seconds; each kind of mail goes at most MAILS_PER_EMAIL times per MAIL_WINDOW to one address, and one
    # client address may ask RECOVERY_REQUESTS_PER_MINUTE times (then 429).
    PUBLIC_URL: str | None = "http://127.0.0.1:5000"
    RESET_TOKEN_TTL = 3600
    VERIFY_TOKEN_TTL = 7 * 24 * 3600
    REQUIRE_VERIFIED_EMAIL = False  # on: an unverified user's sign-in answers 403
    MAILS_PER_EMAIL = 3
    MAIL_WINDOW = 15 * 60
    RECOVERY_REQUESTS_PER_MINUTE = 20
    # Flask-Mailman's settings (read by `manage.py deliver_mail`); no MAIL_SERVER: mails are written to the log.
    MAIL_BACKEND = "smtp"
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_TIMEOUT = 10  # seconds an SMTP server may take to answer before delivery is tried again later
    MAIL_DEFAULT_SENDER = "Users service <no-reply@localhost>"
    MAX_CONTENT_LENGTH = MIB
    MAX_FORM_MEMORY_SIZE = MIB
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    API_TITLE = "Users service"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"

    def __init__(self) -> None:
        url = setting(self.DATABASE_URL_VARIABLE) or self.DEFAULT_DATABASE_URL
        parsed = with_password(database_url(self.DATABASE_URL_VARIABLE, url)) if url else None
        self.SQLALCHEMY_DATABASE_URI = parsed.render_as_string(hide_password=False) if parsed else None
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(parsed) if parsed else {}
        # A replica of the database for reads that may lag (project.replica); its engine is a bind of its own.
        self.SQLALCHEMY_BINDS = {}
        if read_url := setting(self.READ_URL_VARIABLE):
            replica = with_password(database_url(self.READ_URL_VARIABLE, read_url))
            self.SQLALCHEMY_BINDS[REPLICA] = {"url": replica, **engine_options(replica)}
        self.READ_YOUR_WRITES_SECONDS = float(
            os.environ.get("READ_YOUR_WRITES_SECONDS") or self.READ_YOUR_WRITES_SECONDS
        )
        self.REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS") or self.REPLICA_MAX_LAG_SECONDS)
        self.REDIS_URL = setting(self.REDIS_URL_VARIABLE)
        self.TOKEN_TTL = int(os.environ.get("TOKEN_TTL") or self.TOKEN_TTL)
        self.REFRESH_TOKEN_TTL = int(os.environ.get("REFRESH_TOKEN_TTL") or self.REFRESH_TOKEN_TTL)
        self.REFRESH_REUSE_GRACE = float(os.environ.get("REFRESH_REUSE_GRACE") or self.REFRESH_REUSE_GRACE)
        self.EVENTS_RETENTION_DAYS = int(os.environ.get("EVENTS_RETENTION_DAYS") or self.EVENTS_RETENTION_DAYS)
        if url := os.environ.get("PUBLIC_URL"):
            self.PUBLIC_URL = public_url(url)
        self.RESET_TOKEN_TTL = int(os.environ.get("RESET_TOKEN_TTL") or self.RESET_TOKEN_TTL)
        self.REQUIRE_VERIFIED_EMAIL = flag("REQUIRE_VERIFIED_EMAIL", self.REQUIRE_VERIFIED_EMAIL)
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER") or self.MAIL_SERVER
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT") or self.MAIL_PORT)
        self.MAIL_USE_TLS = flag("MAIL_USE_TLS", False)  # STARTTLS (port 587)
        self.MAIL_USE_SSL = flag("MAIL_USE_SSL", False)  # TLS from the start (port 465)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = setting("MAIL_PASSWORD")
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or self.MAIL_DEFAULT_SENDER
        self.PASSWORD_HASHING_SLOTS = int(os.environ.get("PASSWORD_HASHING_SLOTS") or self.PASSWORD_HASHING_SLOTS)
        # Host names the service answers for (Flask refuses others with 400): a client's Host header ends
        # up in the absolute URLs of Link headers.
        self.TRUSTED_HOSTS = host_names(os.environ.get("TRUSTED_HOSTS", ""))
        self.TRUSTED_PROXIES = [ipaddress.ip_network(proxy) for proxy in trusted_proxies()]


class DevelopmentConfig(BaseConfig):
    """Local development: DATABASE_URL, or a SQLite file in the instance folder."""


class TestingConfig(BaseConfig):
    """The test suite: DATABASE_TEST_URL, or a SQLite file in the instance folder; REDIS_TEST_URL, or no Redis; its
    mail to 127.0.0.1:MAIL_TEST_PORT."""

    TESTING = True
    DATABASE_URL_VARIABLE = "DATABASE_TEST_URL"
    READ_URL_VARIABLE = "DATABASE_READ_TEST_URL"
    DEFAULT_DATABASE_URL = "sqlite:///users_test.db"
    REDIS_URL_VARIABLE = "REDIS_TEST_URL"
    # argon2-cffi's own parameters for tests (its CHEAPEST profile) keep the suite fast; the tests of rehashing
    # change these.
    PASSWORD_TIME_COST = profiles.CHEAPEST.time_cost
    PASSWORD_MEMORY_COST = profiles.CHEAPEST.memory_cost
    PASSWORD_PARALLELISM = profiles.CHEAPEST.parallelism
    PASSWORD_HASHING_SLOTS = 32  # the tests of concurrency sign in from many threads at once; test_passwords sets 1

    def __init__(self) -> None:
        super().__init__()
        # The suite's own SMTP server (project/tests/mailbox.py, on MAIL_TEST_PORT) and links, whatever the
        # environment names for a running service (the development container's MAIL_SERVER and PUBLIC_URL).
        self.PUBLIC_URL = "http://localhost"
        self.MAIL_SERVER, self.MAIL_PORT = "127.0.0.1", int(os.environ.get("MAIL_TEST_PORT") or 25)
        self.MAIL_USE_TLS = self.MAIL_USE_SSL = False
        self.MAIL_USERNAME = self.MAIL_PASSWORD = None


class ProductionConfig(BaseConfig):
    """Production: refuses to start unless SECRET_KEY, DATABASE_URL, PUBLIC_URL and MAIL_SERVER come from the
    environment."""

    SECRET_KEY = None
    DEFAULT_DATABASE_URL = None
    PUBLIC_URL = None
    TRUSTED_PROXY_HOPS = 1  # nginx
    SESSION_COOKIE_SECURE = True  # browsers send it over HTTPS (and to localhost) only

    def __init__(self) -> None:
        # The secrets first, as always; then where links point and mail goes (named apart, in the same words).
        for needed in (("SECRET_KEY", "DATABASE_URL"), ("PUBLIC_URL", "MAIL_SERVER")):
            if missing := [name for name in needed if not setting(name)]:
                raise ConfigError(f"ProductionConfig needs {' and '.join(missing)} set in the environment")
        super().__init__()
        self.SECRET_KEY = setting("SECRET_KEY")


def config_class(name: str) -> type[BaseConfig]:
    """The config class APP_SETTINGS names by its import path."""
    found = import_string(name, silent=True)
    if not (isinstance(found, type) and issubclass(found, BaseConfig)):
        known = ", ".join(f"{known.__module__}.{known.__name__}" for known in BaseConfig.__subclasses__())
        raise ConfigError(f"APP_SETTINGS={name} is not a config class: use one of {known}")
    return found
