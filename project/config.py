"""Configuration classes, chosen by APP_SETTINGS; every value that varies comes from the environment."""

import os
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from werkzeug.utils import import_string

MIB = 1024 * 1024
MYSQL_FAMILY = ("mysql", "mariadb")  # SQLAlchemy names MariaDB URLs (mariadb+pymysql://) apart
DRIVERS = ("mysql+pymysql", "mariadb+pymysql", "sqlite", "sqlite+pysqlite")  # the ones it installs
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


def engine_options(url: URL) -> dict[str, Any]:
    """SQLAlchemy engine options suited to the database the URL names."""
    if url.get_backend_name() not in MYSQL_FAMILY:
        return {}
    return {
        "pool_size": worker_threads(),  # a worker opens at most this many: workers x threads is the budget
        "max_overflow": 0,
        "pool_pre_ping": True,  # a connection the server closed (a restart, a KILL, its idle timeout) is replaced
        "pool_recycle": 1800,  # well below MySQL's default wait_timeout of 28800 s
        # MySQL commits each statement by itself: a read is one round trip, with no ROLLBACK after it, and each
        # write of the service is one statement (an insert, update or delete, with the triggers it fires).
        # Work of several statements asks for a transaction: project.database.transaction.
        "isolation_level": "AUTOCOMMIT",
        "skip_autocommit_rollback": True,
        # A server that is down is noticed within seconds: requests then answer 503, not hang.
        "connect_args": {"charset": "utf8mb4", "connect_timeout": 3, "read_timeout": 10, "write_timeout": 10},
    }


class BaseConfig:
    """Settings shared by every environment; database settings are read when the app is created."""

    DEBUG = False
    TESTING = False
    SECRET_KEY: str | None = "dev-only-secret-key"
    DATABASE_URL_VARIABLE = "DATABASE_URL"
    DEFAULT_DATABASE_URL: str | None = "sqlite:///users_dev.db"  # relative: lands in the instance folder
    TRUSTED_PROXY_HOPS = 0  # X-Forwarded-* headers are believed from this many proxies in front
    MAX_CONTENT_LENGTH = MIB
    MAX_FORM_MEMORY_SIZE = MIB
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    API_TITLE = "Users service"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"

    def __init__(self) -> None:
        url = os.environ.get(self.DATABASE_URL_VARIABLE) or self.DEFAULT_DATABASE_URL
        self.SQLALCHEMY_DATABASE_URI = url
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(database_url(self.DATABASE_URL_VARIABLE, url)) if url else {}


class DevelopmentConfig(BaseConfig):
    """Local development: DATABASE_URL, or a SQLite file in the instance folder."""


class TestingConfig(BaseConfig):
    """The test suite: DATABASE_TEST_URL, or a SQLite file in the instance folder."""

    TESTING = True
    DATABASE_URL_VARIABLE = "DATABASE_TEST_URL"
    DEFAULT_DATABASE_URL = "sqlite:///users_test.db"


class ProductionConfig(BaseConfig):
    """Production: refuses to start unless SECRET_KEY and DATABASE_URL come from the environment."""

    SECRET_KEY = None
    DEFAULT_DATABASE_URL = None
    TRUSTED_PROXY_HOPS = 1  # nginx

    def __init__(self) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise ConfigError(f"ProductionConfig needs {' and '.join(missing)} set in the environment")
        super().__init__()
        self.SECRET_KEY = os.environ["SECRET_KEY"]


def config_class(name: str) -> type[BaseConfig]:
    """The config class APP_SETTINGS names by its import path."""
    found = import_string(name, silent=True)
    if not (isinstance(found, type) and issubclass(found, BaseConfig)):
        known = ", ".join(f"{known.__module__}.{known.__name__}" for known in BaseConfig.__subclasses__())
        raise ConfigError(f"APP_SETTINGS={name} is not a config class: use one of {known}")
    return found
