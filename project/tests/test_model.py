"""The User model and its table on the real database."""

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from project.extensions import db
from project.tests.base import BaseTestCase
from project.users import writes
from project.users.errors import EmailTaken
from project.users.models import User


class TestUserModel(BaseTestCase):
    def test_defaults(self):
        before = datetime.now(UTC)
        user = self.add_user()
        db.session.expire_all()
        user = db.session.get(User, user.id)
        self.assertIsInstance(user.id, int)
        self.assertIs(user.active, True)
        self.assertEqual(user.created_at.tzinfo, UTC)
        self.assertLessEqual(before - timedelta(seconds=1), user.created_at)
        self.assertLessEqual(user.created_at, datetime.now(UTC))

    def test_created_at_is_set_per_row_to_the_microsecond(self):
        first = self.add_user("a", "a@example.com")
        second = self.add_user("b", "b@example.com")
        db.session.expire_all()
        self.assertLess(db.session.get(User, first.id).created_at, db.session.get(User, second.id).created_at)

    def test_created_at_round_trips_as_utc(self):
        moment = datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=timezone(timedelta(hours=-5)))
        user = User(username="a", email="a@example.com", created_at=moment)
        db.session.add(user)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(User, user.id).created_at
        self.assertEqual(stored, moment)
        self.assertEqual(stored.isoformat(), "2024-03-01T04:59:58.123456+00:00")

    def test_naive_datetimes_are_refused(self):
        db.session.add(User(username="a", email="a@example.com", created_at=datetime(2024, 1, 1)))
        with self.assertRaises(StatementError):
            db.session.commit()
        db.session.rollback()

    def test_email_is_unique_in_the_database(self):
        self.add_user("a", "same@example.com")
        with self.assertRaises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO users (username, email, active, created_at) VALUES (:u, :e, 1, :c)"),
                {"u": "b", "e": "same@example.com", "c": datetime(2024, 1, 1)},
            )

    def test_a_duplicate_email_is_email_taken(self):
        self.add_user("a", "same@example.com")
        with self.assertRaises(EmailTaken):
            writes.add_user("b", "same@example.com")
        self.assertEqual(self.user_count(), 1)

    def test_other_integrity_errors_are_raised_as_they_are(self):
        with self.assertRaises(IntegrityError):
            writes.add_user(None, "a@example.com")
        self.assertEqual(self.user_count(), 0)

    def test_unicode_and_emoji_round_trip(self):
        username = "😀 Zoë 测试 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇩🇰"
        user = self.add_user(username, "zoë@例え.テスト")
        db.session.expire_all()
        row = db.session.execute(text("SELECT username, email FROM users WHERE id = :id"), {"id": user.id}).one()
        self.assertEqual(tuple(row), (username, "zoë@例え.テスト"))

    def test_email_comparisons_fold_neither_case_nor_accents(self):
        self.add_user("a", "zoe@example.com")
        for other in ("zoë@example.com", "ZOE@example.com", "zoé@example.com"):
            with self.subTest(other=other):
                self.assertIsNone(db.session.scalar(db.select(User).where(User.email == other)))

    def test_repr(self):
        user = self.add_user("a", "a@example.com")
        self.assertEqual(repr(user), f"<User {user.id} a@example.com>")
