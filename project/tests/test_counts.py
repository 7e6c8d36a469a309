"""The running totals always equal what the table holds, whichever way users are written."""

from sqlalchemy import func, select

from project.api.counts import SHARDS, UserCount, count_users
from project.api.models import User, delete, save
from project.database import reading
from project.extensions import db
from project.tests.base import BaseTestCase


def counted(active: bool | None = None) -> int:
    """The running total, as the users list reads it."""
    with reading() as connection:
        return count_users(connection, active)


class TestRunningCounts(BaseTestCase):
    def assertCountsMatchTheTable(self) -> None:
        db.session.expire_all()
        actual = dict(db.session.execute(select(User.active, func.count()).group_by(User.active)).all())
        self.assertEqual(
            (counted(), counted(active=True), counted(active=False)),
            (sum(actual.values()), actual.get(True, 0), actual.get(False, 0)),
        )

    def test_a_new_table_has_every_shard_at_zero(self):
        rows = db.session.execute(select(UserCount.active, UserCount.shard, UserCount.users)).all()
        self.assertEqual(len(rows), 2 * SHARDS)
        self.assertEqual({users for _, _, users in rows}, {0})

    def test_every_write_keeps_the_counts(self):
        users = [self.add_user(f"u{n}", f"u{n}@example.com") for n in range(6)]
        self.assertCountsMatchTheTable()
        users[0].active = False
        users[1].active = False
        save(users[0])
        self.assertCountsMatchTheTable()
        users[1].username = "renamed"  # active was changed too, both go in one flush
        save(users[1])
        self.assertCountsMatchTheTable()
        users[0].active = False  # no change
        save(users[0])
        self.assertCountsMatchTheTable()
        users[0].active = True
        save(users[0])
        delete(users[2])
        delete(users[1])
        self.assertCountsMatchTheTable()
        save(User(username="inactive", email="inactive@example.com", active=False))
        self.assertCountsMatchTheTable()

    def test_a_failed_write_changes_no_count(self):
        self.add_user("a", "same@example.com")
        response = self.client.post("/users", json={"username": "b", "email": "same@example.com"})
        self.assertEqual(response.status_code, 400)
        self.assertCountsMatchTheTable()
        self.assertEqual(counted(), 1)

    def test_the_api_keeps_the_counts(self):
        ids = [
            self.client.post("/users", json={"username": "u", "email": f"{n}@example.com"}).get_json()["data"]["id"]
            for n in range(5)
        ]
        self.client.patch(f"/users/{ids[0]}", json={"active": False})
        self.client.put(f"/users/{ids[1]}", json={"username": "v", "email": "v@example.com"})
        self.client.delete(f"/users/{ids[2]}")
        self.client.delete(f"/users/{ids[0]}")
        self.assertCountsMatchTheTable()
        self.assertEqual(counted(), 3)

    def test_bulk_seeding_keeps_the_counts(self):
        result = self.app.test_cli_runner().invoke(args=["seed_db", "--count", "30"])
        self.assertEqual(result.exit_code, 0)
        self.assertCountsMatchTheTable()
        self.assertEqual(counted(), 32)
