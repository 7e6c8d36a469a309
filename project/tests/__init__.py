"""The service's test suite: the same tests run on SQLite and on MariaDB (DATABASE_TEST_URL)."""
