"""The service connects as its own MySQL user, whose rights cover the service's databases and nothing else."""

import pymysql
import pytest

FORBIDDEN = [
    "SELECT user FROM mysql.user",
    "CREATE DATABASE users_elsewhere",
    "CREATE USER 'intruder'@'%'",
    "GRANT ALL ON *.* TO 'users'@'%'",
    "SELECT * FROM test.anything",
    "SET GLOBAL max_connections = 1",
    "SHUTDOWN",
]


@pytest.fixture
def service_connection(stack):
    connection = pymysql.connect(
        host="127.0.0.1", port=3306, user="users", password=stack.service_password(), database=stack.database
    )
    with connection:
        yield connection


def test_the_service_user_sees_only_its_databases(service_connection):
    with service_connection.cursor() as cursor:
        cursor.execute("SHOW DATABASES")
        databases = {row[0] for row in cursor.fetchall()}
    assert databases == {"information_schema", "users_dev", "users_prod", "users_test"}


def test_the_service_user_may_do_nothing_else(service_connection):
    for statement in FORBIDDEN:
        with service_connection.cursor() as cursor, pytest.raises(pymysql.err.MySQLError) as refused:
            cursor.execute(statement)
        assert refused.value.args[0] in (1044, 1045, 1142, 1227, 1410), (statement, refused.value)
