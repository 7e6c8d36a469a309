"""Config classes: APP_SETTINGS, database URLs, production's refusal to start without secrets."""

import os
import unittest
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from flask import request
from sqlalchemy.engine import make_url

from project import config, create_app
from project.config import ConfigError, DevelopmentConfig, ProductionConfig
from project.extensions import db
from project.proxies import ForwardedFromProxies

MYSQL_URL = "mysql+pymysql://users:secret@db:3306/users_prod?charset=utf8mb4"
SERVICE_VARIABLES = (
    "APP_SETTINGS",
    "DATABASE_URL",
    "DATABASE_TEST_URL",
    "SECRET_KEY",
    "REDIS_URL",
    "REDIS_TEST_URL",
    "TOKEN_TTL",
    "TRUSTED_HOSTS",
    "ADMIN_PASSWORD",
    "SECRET_KEY_FILE",
    "DATABASE_URL_FILE",
    "DATABASE_PASSWORD",
    "DATABASE_PASSWORD_FILE",
    "DATABASE_READ_URL",
    "DATABASE_READ_TEST_URL",
    "READ_YOUR_WRITES_SECONDS",
    "PUBLIC_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_PASSWORD_FILE",
    "MAIL_DEFAULT_SENDER",
    "REQUIRE_VERIFIED_EMAIL",
    "RESET_TOKEN_TTL",
)
# Where production's links point and its mail goes: it needs both, besides its secrets.
DELIVERY = {"PUBLIC_URL": "https://users.example.com", "MAIL_SERVER": "smtp.example.com"}


def environment(**values: str) -> mock._patch:
    """Run with exactly these of the service's variables set (the others unset)."""
    kept = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    return mock.patch.dict(os.environ, {**kept, **values}, clear=True)


class TestConfigClasses(unittest.TestCase):
    def test_development_defaults_to_sqlite_in_the_instance_folder(self):
        with environment():
            app = create_app()
        self.assertEqual(app.config["SQLALCHEMY_DATABASE_URI"], "sqlite:///users_dev.db")
        with app.app_context():
            self.assertEqual(Path(db.engine.url.database), Path(app.instance_path) / "users_dev.db")
        self.assertFalse(app.debug)
        self.assertFalse(app.testing)
        self.assertEqual(app.config["SQLALCHEMY_ENGINE_OPTIONS"], {"connect_args": {"timeout": 20}})

    def test_app_settings_picks_the_class(self):
        for name, testing in (("project.config.DevelopmentConfig", False), ("project.config.TestingConfig", True)):
            with self.subTest(name=name), environment(APP_SETTINGS=name):
                self.assertEqual(create_app().testing, testing)

    def test_development_reads_database_url(self):
        with environment(DATABASE_URL=MYSQL_URL):
            config = DevelopmentConfig()
        self.assertEqual(config.SQLALCHEMY_DATABASE_URI, MYSQL_URL)

    def test_testing_reads_database_test_url_or_uses_sqlite(self):
        with environment(DATABASE_URL="mysql+pymysql://ignored/db", DATABASE_TEST_URL=MYSQL_URL):
            self.assertEqual(config.TestingConfig().SQLALCHEMY_DATABASE_URI, MYSQL_URL)
        with environment(DATABASE_URL="mysql+pymysql://ignored/db"):
            self.assertEqual(config.TestingConfig().SQLALCHEMY_DATABASE_URI, "sqlite:///users_test.db")

    def test_wrong_settings_are_named_with_what_to_write(self):
        forms = "mysql+pymysql://USER:PASSWORD@HOST:3306/DATABASE?charset=utf8mb4 or sqlite:///FILE.db"
        classes = "project.config.DevelopmentConfig, project.config.TestingConfig, project.config.ProductionConfig"
        cases = [
            (
                {"APP_SETTINGS": "project.config.Nope"},
                f"APP_SETTINGS=project.config.Nope is not a config class: use one of {classes}",
            ),
            (
                {"APP_SETTINGS": "project.config.MIB"},
                f"APP_SETTINGS=project.config.MIB is not a config class: use one of {classes}",
            ),
            ({"DATABASE_URL": "not a url"}, f"DATABASE_URL is not a database URL: write {forms}"),
            (
                {"DATABASE_URL": "mysql://users:secret@db/users_dev"},
                "DATABASE_URL begins mysql://, but the service reaches databases only through PyMySQL or SQLite:"
                f" write {forms}",
            ),
            (
                {"APP_SETTINGS": "project.config.TestingConfig", "DATABASE_TEST_URL": "postgresql://db/users_test"},
                "DATABASE_TEST_URL begins postgresql://, but the service reaches databases only through PyMySQL or"
                f" SQLite: write {forms}",
            ),
        ]
        for values, message in cases:
            with self.subTest(values=values), environment(**values):
                with self.assertRaises(ConfigError) as raised:
                    create_app()
                self.assertEqual(str(raised.exception), message)

    def test_mariadb_urls_are_tuned_as_mysql_ones(self):
        mariadb_url = MYSQL_URL.replace("mysql+pymysql", "mariadb+pymysql")
        with environment(DATABASE_URL=MYSQL_URL):
            mysql = DevelopmentConfig()
        with environment(DATABASE_URL=mariadb_url):
            mariadb = DevelopmentConfig()
        self.assertEqual(mariadb.SQLALCHEMY_ENGINE_OPTIONS, mysql.SQLALCHEMY_ENGINE_OPTIONS)
        self.assertIn("pool_size", mysql.SQLALCHEMY_ENGINE_OPTIONS)

    def test_a_read_replica_is_a_bind_of_its_own(self):
        replica_url = "mysql+pymysql://users@replica:3306/users_prod?charset=utf8mb4"
        with environment(DATABASE_URL=MYSQL_URL, DATABASE_READ_URL=replica_url, DATABASE_PASSWORD="p@ss"):
            settings = DevelopmentConfig()
        self.assertEqual(settings.SQLALCHEMY_BINDS.keys(), {"replica"})
        replica = settings.SQLALCHEMY_BINDS["replica"]
        self.assertEqual(
            replica["url"].render_as_string(hide_password=False), replica_url.replace("users@", "users:p%40ss@")
        )
        self.assertEqual({**replica, "url": None}, {**settings.SQLALCHEMY_ENGINE_OPTIONS, "url": None})
        self.assertEqual(settings.SQLALCHEMY_DATABASE_URI, MYSQL_URL)  # its own password wins

    def test_without_a_read_replica_every_read_is_on_the_database(self):
        with environment(DATABASE_URL=MYSQL_URL):
            self.assertEqual(DevelopmentConfig().SQLALCHEMY_BINDS, {})

    def test_a_wrong_read_replica_url_is_named(self):
        with environment(DATABASE_READ_URL="postgresql://replica/users"), self.assertRaises(ConfigError) as raised:
            DevelopmentConfig()
        self.assertTrue(str(raised.exception).startswith("DATABASE_READ_URL begins postgresql://"))


class TestProductionConfig(unittest.TestCase):
    def test_refuses_to_start_without_secrets(self):
        cases = [
            ({}, "ProductionConfig needs SECRET_KEY and DATABASE_URL set in the environment"),
            ({"SECRET_KEY": "s3cret"}, "ProductionConfig needs DATABASE_URL set in the environment"),
            ({"DATABASE_URL": MYSQL_URL}, "ProductionConfig needs SECRET_KEY set in the environment"),
            ({"SECRET_KEY": "", "DATABASE_URL": MYSQL_URL}, "ProductionConfig needs SECRET_KEY set in the environment"),
        ]
        cases += [
            (
                {"SECRET_KEY": "s3cret", "DATABASE_URL": MYSQL_URL},
                "ProductionConfig needs PUBLIC_URL and MAIL_SERVER set in the environment",
            ),
            (
                {"SECRET_KEY": "s3cret", "DATABASE_URL": MYSQL_URL, "PUBLIC_URL": "https://users.example.com"},
                "ProductionConfig needs MAIL_SERVER set in the environment",
            ),
            (
                {"SECRET_KEY": "s3cret", "DATABASE_URL": MYSQL_URL, "MAIL_SERVER": "smtp"},
                "ProductionConfig needs PUBLIC_URL set in the environment",
            ),
        ]
        for values, message in cases:
            with self.subTest(values=values), environment(APP_SETTINGS="project.config.ProductionConfig", **values):
                with self.assertRaises(ConfigError) as raised:
                    create_app()
                self.assertEqual(str(raised.exception), message)

    def test_starts_with_secrets_from_the_environment(self):
        with environment(**DELIVERY, SECRET_KEY="s3cret", DATABASE_URL=MYSQL_URL):
            app = create_app(ProductionConfig)
        self.assertEqual(app.config["SECRET_KEY"], "s3cret")
        self.assertEqual(app.config["SQLALCHEMY_DATABASE_URI"], MYSQL_URL)
        self.assertFalse(app.testing)

    def test_starts_with_secrets_from_files(self):
        folder = Path(self.enterContext(TemporaryDirectory()))
        (folder / "secret_key").write_text("s3cret\n")
        (folder / "mysql_password").write_text("p@ss:word/1\n")
        url = "mysql+pymysql://users@db:3306/users_prod?charset=utf8mb4"
        files = {
            "SECRET_KEY_FILE": str(folder / "secret_key"),
            "DATABASE_PASSWORD_FILE": str(folder / "mysql_password"),
        }
        with environment(**DELIVERY, DATABASE_URL=url, **files):
            app = create_app(ProductionConfig)
        self.assertEqual(app.config["SECRET_KEY"], "s3cret")
        self.assertEqual(
            app.config["SQLALCHEMY_DATABASE_URI"],
            "mysql+pymysql://users:p%40ss%3Aword%2F1@db:3306/users_prod?charset=utf8mb4",
        )
        self.assertEqual(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).password, "p@ss:word/1")

    def test_a_password_in_the_url_wins(self):
        with environment(**DELIVERY, SECRET_KEY="s3cret", DATABASE_URL=MYSQL_URL, DATABASE_PASSWORD="other"):
            app = create_app(ProductionConfig)
        self.assertEqual(app.config["SQLALCHEMY_DATABASE_URI"], MYSQL_URL)

    def test_an_unreadable_secret_file_is_named(self):
        with (
            environment(**DELIVERY, SECRET_KEY_FILE="/run/secrets/missing", DATABASE_URL=MYSQL_URL),
            self.assertRaises(ConfigError) as raised,
        ):
            create_app(ProductionConfig)
        self.assertEqual(
            str(raised.exception),
            "SECRET_KEY_FILE names /run/secrets/missing, which cannot be read: No such file or directory",
        )

    def test_debug_is_never_on(self):
        with environment(**DELIVERY, SECRET_KEY="s3cret", DATABASE_URL=MYSQL_URL, FLASK_DEBUG="1"):
            app = create_app(ProductionConfig)
        self.assertFalse(app.debug)

    def seen(self, peer: str, **settings: str) -> str:
        """What a production app makes of forwarded headers sent from the address peer."""
        with environment(
            **DELIVERY, SECRET_KEY="s3cret", DATABASE_URL=MYSQL_URL, TRUSTED_HOSTS="users.example.com", **settings
        ):
            app = create_app(ProductionConfig)
        app.add_url_rule("/seen", view_func=lambda: f"{request.remote_addr} {request.scheme} {request.host}")
        forwarded = {
            "X-Forwarded-For": "203.0.113.9, 198.51.100.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "users.example.com:8443",
            "X-Forwarded-Port": "1",  # nginx sends none: a client's own is not believed
        }
        response = app.test_client().get("/seen", headers=forwarded, environ_base={"REMOTE_ADDR": peer})
        return response.get_data(as_text=True)

    def test_trusts_exactly_one_proxy(self):
        self.assertEqual(self.seen("127.0.0.1"), "198.51.100.7 https users.example.com:8443")
        self.assertEqual(self.seen("::1"), "198.51.100.7 https users.example.com:8443")

    def test_trusts_the_proxies_networks(self):
        self.assertEqual(
            self.seen("10.0.0.2", TRUSTED_PROXIES="10.0.0.0/24"), "198.51.100.7 https users.example.com:8443"
        )

    def test_believes_no_one_else_forwarded_headers(self):
        self.assertEqual(self.seen("10.0.1.2", TRUSTED_PROXIES="10.0.0.0/24, 10.0.2.7"), "10.0.1.2 http localhost")
        self.assertEqual(self.seen("127.0.0.1", TRUSTED_PROXIES=""), "127.0.0.1 http localhost")

    def test_a_proxy_that_is_not_an_address_is_refused(self):
        for value, reason in (
            ("nginx", "'nginx' does not appear to be an IPv4 or IPv6 network"),
            ("10.0.0.1/24", "10.0.0.1/24 has host bits set"),
        ):
            with self.subTest(value=value), environment(TRUSTED_PROXIES=value):
                with self.assertRaises(ConfigError) as raised:
                    create_app(config.TestingConfig)
                self.assertEqual(str(raised.exception), f"TRUSTED_PROXIES: {reason}")

    def test_development_trusts_no_proxy(self):
        with environment():
            self.assertNotIsInstance(create_app().wsgi_app, ForwardedFromProxies)


class TestTrustedHosts(unittest.TestCase):
    def app(self, trusted: str | None = None):
        with environment(**({"TRUSTED_HOSTS": trusted} if trusted is not None else {})):
            return create_app(config.TestingConfig).test_client()

    def test_loopback_names_are_served_out_of_the_box(self):
        client = self.app()
        for host in ("localhost", "localhost:5000", "127.0.0.1:5000"):
            with self.subTest(host=host):
                self.assertEqual(client.get("/ping", headers={"Host": host}).status_code, 200)

    def test_other_hosts_get_a_400_in_the_envelope_even_on_pages(self):
        client = self.app()
        for host in ("evil.example", "evil.example:5000", "localhost.evil.example", "127.0.0.2", ""):
            for path, accept in (("/users", "*/*"), ("/", "text/html")):
                with self.subTest(host=host, path=path):
                    response = client.get(path, headers={"Host": host, "Accept": accept})
                    self.assertEqual((response.status_code, response.mimetype), (400, "application/json"))
                    self.assertEqual(response.get_json(), {"status": "fail", "message": "Bad Request"})

    def test_trusted_hosts_names_the_others(self):
        client = self.app("users.example.com, .example.org")
        for host, status in (
            ("users.example.com", 200),
            ("users.example.com:8443", 200),
            ("api.example.org", 200),  # a leading dot: any subdomain
            ("localhost", 200),  # the service's own healthchecks
            ("example.com", 400),
        ):
            with self.subTest(host=host):
                self.assertEqual(client.get("/ping", headers={"Host": host}).status_code, status)


class TestMailSettings(unittest.TestCase):
    def test_links_and_mail_from_the_environment(self):
        values = {
            "PUBLIC_URL": "https://users.example.com/",
            "MAIL_SERVER": "smtp.example.com",
            "MAIL_PORT": "587",
            "MAIL_USE_TLS": "yes",
            "MAIL_USERNAME": "relay",
            "MAIL_PASSWORD": "p@ss",
            "MAIL_DEFAULT_SENDER": "Users <users@example.com>",
            "REQUIRE_VERIFIED_EMAIL": "On",
            "RESET_TOKEN_TTL": "600",
        }
        with environment(**values):
            settings = DevelopmentConfig()
        found = {name: getattr(settings, name) for name in values}
        expected = {**values, "PUBLIC_URL": "https://users.example.com", "MAIL_PORT": 587, "MAIL_USE_TLS": True}
        self.assertEqual(found, {**expected, "REQUIRE_VERIFIED_EMAIL": True, "RESET_TOKEN_TTL": 600})
        self.assertFalse(settings.MAIL_USE_SSL)

    def test_development_logs_mail_and_links_to_itself(self):
        with environment():
            settings = DevelopmentConfig()
        self.assertEqual((settings.MAIL_SERVER, settings.PUBLIC_URL), (None, "http://127.0.0.1:5000"))
        self.assertFalse(settings.REQUIRE_VERIFIED_EMAIL)

    def test_the_mail_password_from_a_file(self):
        path = Path(self.enterContext(TemporaryDirectory())) / "mail_password"
        path.write_text("from a secret\n")
        with environment(MAIL_PASSWORD_FILE=str(path)):
            self.assertEqual(DevelopmentConfig().MAIL_PASSWORD, "from a secret")

    def test_wrong_values_are_named(self):
        cases = {
            "PUBLIC_URL": ("users.example.com", "PUBLIC_URL=users.example.com is not a URL"),
            "MAIL_USE_TLS": ("maybe", "MAIL_USE_TLS=maybe is not one of 1, true, yes, on, 0, false, no, off"),
        }
        for name, (value, message) in cases.items():
            with self.subTest(name=name), environment(**{name: value}), self.assertRaises(ConfigError) as raised:
                DevelopmentConfig()
            self.assertTrue(str(raised.exception).startswith(message), str(raised.exception))
