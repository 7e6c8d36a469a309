"""The store's recent writers (kept for a read replica), in the database or in Redis as the suite runs."""

import time

from project.auth.stores import store
from project.e2e.live import wait_until
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
        wait_until(lambda: not store().wrote_recently(["address"], time.time()), what="the writer forgotten")

    def test_writing_again_moves_the_time_on(self):
        now = time.time()
        store().add_writers(["address"], now + 0.2, now)
        store().add_writers(["address", "token"], now + 60, now)
        time.sleep(0.3)
        self.assertTrue(store().wrote_recently(["address"], time.time()))
