"""The base test case: a fresh app on the testing config, and empty tables for every test."""

from flask_testing import TestCase

from project import create_app
from project.api.models import User, save
from project.config import TestingConfig
from project.database import drop_schema
from project.extensions import db
from project.tests.contract import CSRF_FIELD


def invalid(errors: dict) -> dict:
    """The 400 envelope naming the fields that failed."""
    return {"status": "fail", "message": "Invalid payload.", "errors": errors}


class BaseTestCase(TestCase):
    """Creates the tables before each test and drops them after, on the database DATABASE_TEST_URL names."""

    def create_app(self):
        return create_app(TestingConfig)

    def setUp(self) -> None:
        drop_schema()  # whatever an interrupted run left behind
        db.create_all()

    def tearDown(self) -> None:
        db.session.remove()
        drop_schema()
        db.engine.dispose()

    def add_user(self, username: str = "michael", email: str = "michael@realpython.com") -> User:
        """Store a user directly, as the service itself does."""
        return save(User(username=username, email=email))

    def user_count(self) -> int:
        """How many users the database holds, asked through a fresh session."""
        db.session.expire_all()
        return db.session.scalar(db.select(db.func.count()).select_from(User))

    def assertJson(self, response, status: int, body: dict) -> None:
        """The response has exactly this status code and this JSON body."""
        self.assertEqual((response.status_code, response.content_type), (status, "application/json"))
        self.assertEqual(response.get_json(), body)

    def csrf_token(self) -> str:
        """The CSRF token the index page's form carries."""
        return CSRF_FIELD.search(self.client.get("/").get_data(as_text=True)).group(1)


def user_json(user: User) -> dict:
    """A stored user as the API must show it."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "active": user.active,
        "created_at": user.created_at.isoformat(),
    }
