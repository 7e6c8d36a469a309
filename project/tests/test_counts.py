"""The running totals equal what the users table holds, whoever writes it: the service, or plain SQL."""

from sqlalchemy import func, select, text

from project.extensions import db
from project.tests.base import BaseTestCase, counted
from project.users.models import User

PLAIN_INSERT = "INSERT INTO users (username, email, active, created_at) VALUES (:name, :email, :active, :now)"


class TestRunningTotals(BaseTestCase):
    def assertTotalsMatchTheTable(self) -> None:
        db.session.remove()
        actual = dict(db.session.execute(select(User.active, func.count()).group_by(User.active)).all())
        self.assertEqual(
            (counted(), counted(active=True), counted(active=False)),
            (sum(actual.values()), actual.get(True, 0), actual.get(False, 0)),
        )

    def sql(self, statement: str, **parameters) -> None:
        """Write with plain SQL, as an operator at a console would."""
        with db.engine.begin() as connection:
            connection.execute(text(statement), parameters)

    def test_the_services_writes(self):
        self.act_as(self.add_admin())
        ids = [
            self.client.post("/users", json={"username": "u", "email": f"{n}@example.com"}).get_json()["data"]["id"]
            for n in range(5)
        ]
        statuses = [
            self.client.patch(f"/users/{ids[0]}", json={"active": False}).status_code,
            self.client.patch(f"/users/{ids[1]}", json={"active": True}).status_code,  # no change
            self.client.put(f"/users/{ids[1]}", json={"username": "v", "email": "v@example.com"}).status_code,
            self.client.delete(f"/users/{ids[2]}").status_code,
            self.client.delete(f"/users/{ids[0]}").status_code,
        ]
        self.assertEqual(statuses, [200, 200, 200, 204, 204])
        self.assertTotalsMatchTheTable()
        self.assertEqual((counted(), counted(active=False)), (4, 0))  # the admin and three of the five

    def test_plain_sql(self):
        for n in range(40):
            self.sql(PLAIN_INSERT, name="u", email=f"{n}@example.com", active=n % 3 == 0, now="2024-01-01 00:00:00")
        self.assertTotalsMatchTheTable()
        self.sql("UPDATE users SET active = 0 WHERE email LIKE '1%'")
        self.assertTotalsMatchTheTable()
        self.sql("UPDATE users SET active = 1 WHERE email LIKE '2%'")
        self.sql("UPDATE users SET username = 'renamed'")
        self.assertTotalsMatchTheTable()
        self.sql("DELETE FROM users WHERE email LIKE '3%' OR active = 0")
        self.assertTotalsMatchTheTable()
        self.sql("UPDATE users SET id = id + 1000 WHERE email LIKE '2%'")  # into other shards
        self.assertTotalsMatchTheTable()
        response = self.client.get("/users?per_page=7").get_json()["data"]["pagination"]
        self.assertEqual((response["total"], response["pages"]), (counted(), -(-counted() // 7)))

    def test_a_refused_write_changes_no_total(self):
        self.add_user("a", "same@example.com")
        response = self.client.post("/users", json={"username": "b", "email": "same@example.com"})
        self.assertEqual(response.status_code, 400)
        self.assertTotalsMatchTheTable()
        self.assertEqual(counted(), 1)

    def test_bulk_seeding(self):
        result = self.app.test_cli_runner().invoke(args=["seed_db", "--count", "30"])
        self.assertEqual(result.exit_code, 0)
        self.assertTotalsMatchTheTable()
        self.assertEqual(counted(), 32)
