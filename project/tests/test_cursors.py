"""GET /users by cursor: every sort both ways, ties, filters, walks while users come and go, the Link header,
cursors that are not the service's, and how a cursor goes with the other parameters."""

import re
from datetime import timedelta

from itsdangerous import URLSafeSerializer

from project.api.cursors import SALT
from project.extensions import db
from project.tests.base import user_json
from project.tests.test_listing import START, ListingTestCase
from project.users import writes
from project.users.models import User

SORTS = ("id", "username", "email", "created_at", "-id", "-username", "-email", "-created_at")
LINK = re.compile(r'<([^>]*)>; rel="([a-z]+)"')
INVALID = {"cursor": ["Not a valid cursor."]}


def in_order(users: list[User], sort: str) -> list[int]:
    """The users' ids in the order `sort` names, ties broken by id."""
    name = sort.removeprefix("-")
    ids = [user.id for user in sorted(users, key=lambda user: (getattr(user, name), user.id))]
    return ids[::-1] if sort.startswith("-") else ids


class CursorTestCase(ListingTestCase):
    def page(self, url: str) -> tuple[list[int], dict[str, str]]:
        """The ids a URL of the list answers with, and its links by relation."""
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, response.get_json())
        links = {relation: target for target, relation in LINK.findall(response.headers["Link"])}
        return [user["id"] for user in response.get_json()["data"]["users"]], links

    def walk(self, url: str, relation: str = "next", between=None) -> tuple[list[int], str]:
        """Every id met following `relation` from a URL to the end (calling `between` after each page), and the
        URL of the last page."""
        seen: list[int] = []
        while True:
            ids, links = self.page(url)
            seen += ids if relation == "next" else ids[::-1]
            if between is not None:
                between()
            if relation not in links:
                return seen, url
            url = links[relation]

    def add_shuffled(self) -> list[User]:
        """Users whose columns each order them differently, with ties in username and in created_at."""
        users = self.add_users(9)
        for user, name, email, second in zip(users, "dfbeacdbf", "cafbedghi", (5, 3, 3, 8, 1, 5, 0, 3, 2), strict=True):
            user.username, user.email, user.created_at = (
                f"{name} user",
                f"{email}@example.com",
                START + timedelta(second),
            )
        db.session.commit()
        return users


class TestWalking(CursorTestCase):
    def test_every_sort_both_ways_with_ties(self):
        users = self.add_shuffled()
        for sort in SORTS:
            with self.subTest(sort=sort):
                forth, last_page = self.walk(f"/users?cursor=&per_page=2&sort={sort}")
                self.assertEqual(forth, in_order(users, sort))
                back, _ = self.walk(last_page, "prev")
                self.assertEqual(back, in_order(users, sort)[::-1])

    def test_ties_alone_go_by_id(self):
        users = self.add_users(5, username="same")
        for user in users:
            user.created_at = START
        db.session.commit()
        ids = [user.id for user in users]
        for sort, expected in (
            ("username", ids),
            ("-username", ids[::-1]),
            ("created_at", ids),
            ("-created_at", ids[::-1]),
        ):
            with self.subTest(sort=sort):
                self.assertEqual(self.walk(f"/users?cursor=&per_page=2&sort={sort}")[0], expected)

    def test_the_first_page_is_the_page_api_s_first_page(self):
        self.add_shuffled()
        for sort in SORTS:
            with self.subTest(sort=sort):
                self.assertEqual(
                    self.page(f"/users?cursor=&per_page=4&sort={sort}")[0], self.listed(f"per_page=4&sort={sort}")
                )

    def test_filters_and_their_totals(self):
        users = self.add_shuffled()
        for user in users[::3]:
            user.active = False
        db.session.commit()
        cases = [
            ("active=false", [user for user in users if not user.active]),
            ("active=true", [user for user in users if user.active]),
            ("q=B%20U", [user for user in users if "b user" in user.username]),
            ("username=d%20user&active=true", [user for user in users if user.username == "d user" and user.active]),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                self.assertEqual(
                    self.walk(f"/users?cursor=&per_page=2&sort=email&{query}")[0], in_order(expected, "email")
                )
                pagination = self.client.get(f"/users?cursor=&per_page=2&{query}").get_json()["data"]["pagination"]
                self.assertEqual(pagination, {"per_page": 2, "total": len(expected)})

    def test_users_added_and_deleted_meanwhile_neither_skip_nor_repeat_the_others(self):
        for sort in SORTS:
            with self.subTest(sort=sort):
                users = self.add_shuffled()
                doomed = users[1::3]  # deleted during the walk, some before it reaches them, some after
                throughout = [id_ for id_ in in_order(users, sort) if id_ not in {user.id for user in doomed}]
                try:
                    seen, _ = self.walk(f"/users?cursor=&per_page=2&sort={sort}", between=self.come_and_go(doomed))
                finally:
                    self.tearDown()
                self.assertEqual(len(seen), len(set(seen)), "a user was shown twice")
                self.assertEqual([id_ for id_ in seen if id_ in throughout], throughout)

    def come_and_go(self, doomed: list[User]):
        """What happens between two pages: one of the doomed users deleted, and (for the first four pages, since
        new ids always come last) two users added, one early in every other order and one late."""
        added = iter(range(8))

        def meanwhile() -> None:
            for n in (next(added, None), next(added, None)):
                if n is None:
                    break
                late = n % 2
                name, email = ("z new", "znew") if late else ("a new", "0new")
                created_at = START + timedelta(days=1 if late else -1, seconds=n)
                db.session.add(User(username=f"{name} {n}", email=f"{email}{n}@example.com", created_at=created_at))
            db.session.commit()
            if doomed:
                writes.delete_user(doomed.pop().id)

        return meanwhile

    def test_a_cursor_outlives_the_user_it_was_taken_from(self):
        users = self.add_users(5)
        _, links = self.page("/users?cursor=&per_page=2&sort=id")
        writes.delete_user(users[1].id)
        self.assertEqual(self.page(links["next"])[0], [users[2].id, users[3].id])

    def test_past_the_end_after_deletes_leads_to_the_start(self):
        users = self.add_users(5)
        _, first = self.page("/users?cursor=&per_page=2&sort=id")
        _, middle = self.page(first["next"])
        for user in users[2:]:
            writes.delete_user(user.id)
        self.assertEqual(self.page(middle["prev"])[0], [users[0].id, users[1].id])
        for url in (first["next"], middle["next"]):
            with self.subTest(url=url):
                ids, links = self.page(url)
                self.assertEqual((ids, list(links)), ([], ["first"]))


class TestLinks(CursorTestCase):
    def test_the_body_and_links_of_each_page(self):
        users = self.add_users(5)
        response = self.client.get("/users?per_page=2&sort=id&active=true&cursor=")
        self.assertEqual(
            response.get_json(),
            {
                "status": "success",
                "data": {
                    "users": [user_json(users[0]), user_json(users[1])],
                    "pagination": {"per_page": 2, "total": 5},
                },
            },
        )
        url = "http://localhost/users?per_page=2&sort=id&active=true&cursor={}"
        first = self.first_cursor_links(response.headers["Link"], url)
        self.assertEqual(set(first), {"first", "next"})
        _, middle = self.page(first["next"])
        self.assertEqual(set(middle), {"first", "prev", "next"})
        _, last = self.page(middle["next"])
        self.assertEqual(set(last), {"first", "prev"})
        self.assertEqual(self.page(last["prev"])[0], [users[2].id, users[3].id])

    def first_cursor_links(self, header: str, url: str) -> dict[str, str]:
        """The links of a header, checked to be the URL with only the cursor changed (empty for the first page)."""
        links = {relation: target for target, relation in LINK.findall(header)}
        self.assertEqual(links["first"], url.format(""))
        for target in links.values():
            self.assertRegex(target, "^" + re.escape(url).replace(r"\{\}", "[A-Za-z0-9_.-]*") + "$")
        return links

    def test_an_empty_list(self):
        response = self.client.get("/users?cursor=")
        self.assertJson(
            response, 200, {"status": "success", "data": {"users": [], "pagination": {"per_page": 20, "total": 0}}}
        )
        self.assertEqual(response.headers["Link"], '<http://localhost/users?cursor=>; rel="first"')


class TestBadCursors(CursorTestCase):
    def refused(self, query: str, errors: dict) -> None:
        self.assertJson(
            self.client.get(f"/users?{query}"),
            400,
            {"status": "fail", "message": "Invalid parameters.", "errors": errors},
        )

    def a_cursor(self, sort: str = "username") -> str:
        self.add_users(3)
        return self.page(f"/users?cursor=&per_page=1&sort={sort}")[1]["next"].split("cursor=")[1].split("&")[0]

    def test_malformed_and_altered_cursors(self):
        cursor = self.a_cursor()
        payload, signature = cursor.split(".")
        altered = [
            "abc",
            "%00",
            payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:],  # another signature
            ("X" if payload[0] != "X" else "Y") + payload[1:] + "." + signature,  # another payload
            payload,  # no signature
            URLSafeSerializer("another secret", salt=SALT).dumps(["username", "after", ["a user", 1]]),
            URLSafeSerializer(self.app.secret_key, salt="another salt").dumps(["username", "after", ["a user", 1]]),
        ]
        for text in altered:
            with self.subTest(cursor=text):
                self.refused(f"cursor={text}&sort=username", INVALID)

    def test_signed_but_not_a_place(self):
        sign = URLSafeSerializer(self.app.secret_key, salt=SALT).dumps
        for payload in (
            "not a list",
            ["username", "after"],
            ["password", "after", ["x", 1]],
            ["username", "sideways", ["x", 1]],
            ["username", "after", ["x"]],
            ["username", "after", ["x", 1, 2]],
            ["username", "after", [1, 1]],
            ["username", "after", ["x", "1"]],
            ["username", "after", ["x", True]],
            ["id", "after", [1.5]],
            ["created_at", "after", ["yesterday", 1]],
            ["created_at", "after", ["2026-01-01T00:00:00", 1]],  # no zone
            ["email", "after", []],
        ):
            with self.subTest(payload=payload):
                self.refused(f"cursor={sign(payload)}", INVALID)

    def test_a_cursor_keeps_to_its_sort(self):
        cursor = self.a_cursor("username")
        self.refused(f"cursor={cursor}", {"cursor": ["Made for sort=username, not sort=-created_at."]})
        self.refused(f"cursor={cursor}&sort=-username", {"cursor": ["Made for sort=username, not sort=-username."]})
        self.assertEqual(self.client.get(f"/users?cursor={cursor}&sort=username").status_code, 200)

    def test_a_cursor_is_not_sent_with_a_page(self):
        cursor = self.a_cursor()
        for query in (f"cursor={cursor}&sort=username&page=2", "cursor=&page=1", "page=3&cursor="):
            with self.subTest(query=query):
                self.refused(query, {"cursor": ["Not sent with page."]})

    def test_other_parameters_are_checked_as_ever(self):
        self.refused(
            "cursor=&per_page=0", {"per_page": ["Must be greater than or equal to 1 and less than or equal to 100."]}
        )
        self.refused("cursor=&sort=password", {"sort": [f"Must be one of: {', '.join(SORTS)}."]})


class TestDocumented(CursorTestCase):
    def test_the_parameter_and_the_pagination_without_page_numbers(self):
        spec = self.client.get("/openapi.json").get_json()
        parameters = {parameter["name"]: parameter for parameter in spec["paths"]["/users"]["get"]["parameters"]}
        cursor = parameters["cursor"]
        self.assertEqual((cursor["in"], cursor["required"], cursor["schema"]), ("query", False, {"type": "string"}))
        self.assertIn("Link header's next and prev", cursor["description"])
        self.assertIn("not sent with `cursor`", parameters["page"]["description"])
        schemas = spec["components"]["schemas"]
        self.assertEqual(schemas["CursorPagination"]["required"], ["per_page", "total"])
        self.assertEqual(schemas["PagePagination"]["required"], ["page", "pages", "per_page", "total"])
        either = [{"$ref": f"#/components/schemas/{name}"} for name in ("PagePagination", "CursorPagination")]
        self.assertEqual(schemas["UserPage"]["properties"]["pagination"], {"oneOf": either})
