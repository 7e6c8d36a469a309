"""The store's recent writers (kept for a read replica), in the database or in Redis as the suite runs, and what
the replica's routing logs when the store fails."""

import time
import unittest

import pymysql
from sqlalchemy.exc import OperationalError

from project.auth.errors import StoreUnavailable
from project.auth.stores import store
from project.replica import store_problem
from project.tests.base import BaseTestCase


class TestRecentWriters(BaseTestCase):
    def test_a_writer_is_known_by_any_of_its_keys_until_its_time(self):
        now = time.time()
        store().add_writers(["address", "token"], now + 60, now)
        self.assertEqual(
            [store().wrote_recently(keys, now) for keys in (["address"], ["token"], ["other", "token"], ["other"])],
            [True, True, True, False],
        )

    def test_a_writer_is_forgotten_when_its_time_passes(self):
        now = time.time()
        store().add_writers(["address"], now + 0.2, now)
        deadline = time.monotonic() + 30
        while store().wrote_recently(["address"], time.time()):
            self.assertLess(time.monotonic(), deadline, "the writer was not forgotten")
            time.sleep(0.05)

    def test_writing_again_moves_the_time_on(self):
        now = time.time()
        store().add_writers(["address"], now + 0.2, now)
        store().add_writers(["address", "token"], now + 60, now)
        time.sleep(0.3)
        self.assertTrue(store().wrote_recently(["address"], time.time()))


class TestStoreProblems(unittest.TestCase):
    def test_what_went_wrong_names_no_host(self):
        refused = OperationalError(
            "SELECT 1", {}, pymysql.err.OperationalError(2003, "Can't connect to MySQL server on 'db'")
        )
        self.assertEqual(
            [store_problem(StoreUnavailable("Error 111 connecting. Connection refused.")), store_problem(refused)],
            ["Error 111 connecting. Connection refused.", "Can't connect to MySQL server (2003)"],
        )
