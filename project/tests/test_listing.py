"""GET /users: pages, sorting, filters, the Link header, and bad parameters."""

from datetime import UTC, datetime, timedelta

from project.extensions import db
from project.tests.base import BaseTestCase, user_json
from project.users.models import User

START = datetime(2026, 1, 1, tzinfo=UTC)


class ListingTestCase(BaseTestCase):
    def add_users(self, count: int, **fields) -> list[User]:
        """`count` users created a second apart (the first is the oldest)."""
        users = [
            User(
                username=fields.get("username", f"user {n:02d}"),
                email=f"user{n:02d}@example.com",
                active=fields.get("active", True),
                created_at=START + timedelta(seconds=n),
            )
            for n in range(count)
        ]
        db.session.add_all(users)
        db.session.commit()
        return users

    def listed(self, query: str = "") -> list[int]:
        """The ids GET /users?query answers with, in order."""
        response = self.client.get(f"/users?{query}")
        self.assertEqual(response.status_code, 200, response.get_json())
        return [user["id"] for user in response.get_json()["data"]["users"]]


class TestPages(ListingTestCase):
    def test_pages_of_twenty_newest_first(self):
        users = self.add_users(45)
        newest_first = [user.id for user in reversed(users)]
        response = self.client.get("/users?page=2")
        body = response.get_json()
        self.assertEqual(body["data"]["pagination"], {"page": 2, "per_page": 20, "total": 45, "pages": 3})
        self.assertEqual([user["id"] for user in body["data"]["users"]], newest_first[20:40])
        self.assertEqual(body["data"]["users"][0], user_json(users[24]))
        self.assertEqual(self.listed("page=3"), newest_first[40:])

    def test_per_page(self):
        users = self.add_users(12)
        self.assertEqual(self.listed("per_page=5&page=3"), [user.id for user in reversed(users)][10:])
        self.assertEqual(len(self.listed("per_page=100")), 12)
        self.assertEqual(len(self.listed("per_page=1")), 1)

    def test_a_page_past_the_end_is_empty(self):
        self.add_users(3)
        response = self.client.get("/users?page=7")
        body = response.get_json()
        self.assertEqual(body["data"], {"users": [], "pagination": {"page": 7, "per_page": 20, "total": 3, "pages": 1}})
        url = "http://localhost/users?page={}"
        self.assertEqual(
            response.headers["Link"],
            f'<{url.format(1)}>; rel="first", <{url.format(1)}>; rel="prev", <{url.format(1)}>; rel="last"',
        )

    def test_an_empty_list_has_a_first_page(self):
        response = self.client.get("/users?active=false")
        self.assertEqual(response.get_json()["data"]["pagination"], {"page": 1, "per_page": 20, "total": 0, "pages": 0})
        url = "http://localhost/users?active=false&page=1"
        self.assertEqual(response.headers["Link"], f'<{url}>; rel="first", <{url}>; rel="last"')

    def test_link_header(self):
        self.add_users(25)
        link = self.client.get("/users?per_page=10&page=2&sort=username&active=true").headers["Link"]
        url = "http://localhost/users?per_page=10&page={}&sort=username&active=true"
        expected = ", ".join(
            f'<{url.format(page)}>; rel="{relation}"'
            for relation, page in (("first", 1), ("prev", 1), ("next", 3), ("last", 3))
        )
        self.assertEqual(link, expected)
        first = self.client.get("/users?per_page=10").headers["Link"]
        self.assertNotIn('rel="prev"', first)
        last = self.client.get("/users?per_page=10&page=3").headers["Link"]
        self.assertNotIn('rel="next"', last)

    def test_link_header_follows_the_forwarded_host_behind_the_proxy(self):
        self.add_users(1)
        headers = {"Host": "localhost:8443"}
        self.assertIn(
            "<http://localhost:8443/users?page=1>", self.client.get("/users", headers=headers).headers["Link"]
        )


class TestSorting(ListingTestCase):
    def test_every_sort_key_both_ways(self):
        users = self.add_users(6)
        # Shuffle the values so that each column orders the users differently.
        for user, name, email in zip(users, "dfbeac", "cafbed", strict=True):
            user.username, user.email = f"{name} user", f"{email}@example.com"
        users[4].created_at = START - timedelta(days=1)
        db.session.commit()
        for key in ("id", "username", "email", "created_at"):
            ascending = [user.id for user in sorted(users, key=lambda user: (getattr(user, key), user.id))]
            with self.subTest(sort=key):
                self.assertEqual(self.listed(f"sort={key}"), ascending)
            with self.subTest(sort=f"-{key}"):
                self.assertEqual(self.listed(f"sort=-{key}"), list(reversed(ascending)))

    def test_ties_are_broken_by_id(self):
        users = self.add_users(4, username="same")
        ids = [user.id for user in users]
        self.assertEqual(self.listed("sort=username"), ids)
        self.assertEqual(self.listed("sort=-username"), list(reversed(ids)))


class TestFilters(ListingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ann = self.add_user("Ann Ärger", "ann@example.com")
        self.bob = self.add_user("bob", "bob.smith@example.org")
        self.ann2 = self.add_user("Ann Ärger", "second.ann@example.com")
        self.bob.active = False
        db.session.commit()

    def total(self, query: str) -> int:
        return self.client.get(f"/users?{query}").get_json()["data"]["pagination"]["total"]

    def test_filters(self):
        cases = [
            ("username=Ann%20%C3%84rger", [self.ann2, self.ann]),
            ("username=ann%20%C3%A4rger", []),
            ("email=BOB.SMITH@example.org", [self.bob]),
            ("email=nobody@example.com", []),
            ("active=false", [self.bob]),
            ("active=true", [self.ann2, self.ann]),
            ("q=%C3%A4RGER", [self.ann2, self.ann]),
            ("q=smith", [self.bob]),
            ("q=.ORG", [self.bob]),
            ("q=second", [self.ann2]),
            ("q=example&active=true", [self.ann2, self.ann]),
            ("q=ann&username=bob", []),
            ("q=%25", []),
            ("q=_", []),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                self.assertEqual(self.listed(query), [user.id for user in expected])
                self.assertEqual(self.total(query), len(expected))

    def test_totals_without_filters_come_from_the_running_counts(self):
        self.assertEqual((self.total(""), self.total("active=true"), self.total("active=false")), (3, 2, 1))


class TestBadParameters(ListingTestCase):
    def test_bad_parameters_are_refused(self):
        cases = [
            ("page=abc", {"page": ["Not a valid integer."]}),
            ("page=0", {"page": ["Must be greater than or equal to 1 and less than or equal to 2147483647."]}),
            ("page=-1", {"page": ["Must be greater than or equal to 1 and less than or equal to 2147483647."]}),
            (
                "page=99999999999",
                {"page": ["Must be greater than or equal to 1 and less than or equal to 2147483647."]},
            ),
            ("per_page=0", {"per_page": ["Must be greater than or equal to 1 and less than or equal to 100."]}),
            ("per_page=101", {"per_page": ["Must be greater than or equal to 1 and less than or equal to 100."]}),
            ("per_page=1.5", {"per_page": ["Not a valid integer."]}),
            ("per_page=%00", {"per_page": ["Not a valid integer."]}),
            ("page=1e3", {"page": ["Not a valid integer."]}),
            ("page=x&page=1", {"page": ["Not a valid integer."]}),  # the first of a repeated parameter
            ("sort=password", {"sort": [f"Must be one of: {', '.join(SORTS)}."]}),
            ("sort=", {"sort": [f"Must be one of: {', '.join(SORTS)}."]}),
            ("sort=id;DROP", {"sort": [f"Must be one of: {', '.join(SORTS)}."]}),
            ("active=yes", {"active": ["Not a valid boolean."]}),
            ("active=1", {"active": ["Not a valid boolean."]}),
            ("active=TRUE", {"active": ["Not a valid boolean."]}),
            ("email=nope", {"email": ["Not a valid email address."]}),
            ("email=%40", {"email": ["Not a valid email address."]}),
            ("q=", {"q": ["Length must be between 1 and 128."]}),
            ("q=" + "x" * 129, {"q": ["Length must be between 1 and 128."]}),
            ("username=%00", {"username": ["Must not contain control characters."]}),
            ("q=%00", {"q": ["Must not contain control characters."]}),
            ("limit=5", {"limit": ["Unknown field."]}),
        ]
        for query, errors in cases:
            with self.subTest(query=query):
                self.assertJson(
                    self.client.get(f"/users?{query}"),
                    400,
                    {"status": "fail", "message": "Invalid parameters.", "errors": errors},
                )


SORTS = ("id", "username", "email", "created_at", "-id", "-username", "-email", "-created_at")
