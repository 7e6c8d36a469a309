"""The index page: the list, the form, its errors, CSRF and escaping."""

from flask import Flask

from project import config, create_app
from project.extensions import db
from project.tests.base import BaseTestCase
from project.users.models import User
from project.web.sessions import HTTPS_NEEDED


class TestIndexPage(BaseTestCase):
    def test_no_users(self):
        response = self.client.get("/")
        page = response.get_data(as_text=True)
        self.assertEqual((response.status_code, response.content_type), (200, "text/html; charset=utf-8"))
        self.assertIn("<title>All Users</title>", page)
        self.assertIn("<h1>All Users</h1>", page)
        self.assertIn('<p class="empty">No users!</p>', page)
        self.assertIn('name="username"', page)
        self.assertIn('name="email"', page)
        self.assertTemplateUsed("index.html")

    def test_users_newest_first(self):
        self.add_user("michael", "michael@realpython.com")
        self.add_user("fletcher", "fletcher@realpython.com")
        page = self.client.get("/").get_data(as_text=True)
        self.assertNotIn("No users!", page)
        self.assertLess(page.index("<td>fletcher@realpython.com</td>"), page.index("<td>michael@realpython.com</td>"))
        self.assertEqual([user.username for user in self.get_context_variable("page").users], ["fletcher", "michael"])

    def test_user_text_is_escaped(self):
        self.add_user("<script>alert('x')</script>", "x@example.com")
        page = self.client.get("/").get_data(as_text=True)
        self.assertNotIn("<script>alert", page)
        self.assertIn("<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>", page)

    def test_stylesheet_is_served_by_the_app(self):
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn('<link rel="stylesheet" href="/static/style.css">', page)
        response = self.client.get("/static/style.css")
        self.assertEqual((response.status_code, response.mimetype), (200, "text/css"))
        self.assertIn(".users", response.get_data(as_text=True))
        response.close()
        self.assertNotRegex(page, r'(src|href|action)="(https?:)?//')


class TestIndexForm(BaseTestCase):
    def submit(self, **fields):
        return self.client.post("/", data={"csrf_token": self.csrf_token(), **fields})

    def test_add_user_redirects_back_to_the_page(self):
        response = self.submit(username=" michael ", email="Michael@RealPython.com")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response.headers["Location"], "/")
        user = db.session.scalars(db.select(User)).one()
        self.assertEqual((user.username, user.email), ("michael", "michael@realpython.com"))
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn('<p class="notice" role="status">michael@realpython.com was added!</p>', page)
        self.assertIn("<td>michael</td>", page)

    def test_invalid_input_reshows_the_form_with_errors(self):
        cases = [
            ({"username": "", "email": "m@example.com"}, ["Length must be between 1 and 128."]),
            ({"username": "m", "email": "not-an-email"}, ["Not a valid email address."]),
            ({"username": "x" * 129, "email": "m@example.com"}, ["Length must be between 1 and 128."]),
            ({"email": "m@example.com"}, ["Field may not be null."]),
        ]
        for fields, messages in cases:
            with self.subTest(fields=fields):
                response = self.submit(**fields)
                page = response.get_data(as_text=True)
                self.assertEqual(response.status_code, 400)
                self.assertIn("<h1>All Users</h1>", page)
                for message in messages:
                    self.assertIn(f"<li>{message}</li>", page)
                self.assertIn('aria-invalid="true"', page)
        self.assertEqual(self.user_count(), 0)

    def test_entered_values_are_kept_and_escaped(self):
        response = self.submit(username='"><b>bold</b>', email="not-an-email")
        page = response.get_data(as_text=True)
        self.assertIn('value="&#34;&gt;&lt;b&gt;bold&lt;/b&gt;"', page)
        self.assertNotIn("<b>bold</b>", page)

    def test_duplicate_email(self):
        self.add_user("michael", "michael@realpython.com")
        response = self.submit(username="other", email="MICHAEL@realpython.com")
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 400)
        self.assertIn("<li>Sorry. That email already exists.</li>", page)
        self.assertEqual(self.user_count(), 1)


class TestIndexPages(BaseTestCase):
    def add_users(self, count: int) -> None:
        for n in range(count):
            self.add_user(f"user {n:02d}", f"user{n:02d}@example.com")

    def test_twenty_users_a_page_newest_first_with_page_links(self):
        self.add_users(45)
        first = self.client.get("/").get_data(as_text=True)
        self.assertIn('<span class="count">45</span>', first)
        self.assertIn("<td>user 44</td>", first)
        self.assertIn("<td>user 25</td>", first)
        self.assertNotIn("<td>user 24</td>", first)
        self.assertIn('<span class="current">Page 1 of 3</span>', first)
        self.assertIn('<a href="/?page=2" rel="next">Older</a>', first)
        self.assertIn('<a href="/?page=3" rel="last">Last</a>', first)
        self.assertNotIn('rel="prev"', first)
        last = self.client.get("/?page=3").get_data(as_text=True)
        self.assertEqual(last.count("<tr>") - 1, 5)
        self.assertIn("<td>user 00</td>", last)
        self.assertIn('<a href="/?page=2" rel="prev">Newer</a>', last)
        self.assertNotIn('rel="next"', last)

    def test_odd_page_numbers_show_the_first_page(self):
        self.add_users(3)
        for page in ("0", "-4", "abc"):
            with self.subTest(page=page):
                response = self.client.get(f"/?page={page}")
                self.assertEqual(response.status_code, 200)
        self.assertIn("<td>user 02</td>", self.client.get("/?page=abc").get_data(as_text=True))

    def test_a_page_past_the_end_goes_to_the_last_one(self):
        self.add_users(45)
        for page in ("4", "99999999999999999999999"):
            with self.subTest(page=page):
                response = self.client.get(f"/?page={page}")
                self.assertEqual((response.status_code, response.headers["Location"]), (302, "/?page=3"))

    def test_with_no_users_a_later_page_goes_to_the_first(self):
        response = self.client.get("/?page=2")
        self.assertEqual((response.status_code, response.headers["Location"]), (302, "/"))

    def test_no_page_links_for_a_single_page(self):
        self.add_users(20)
        self.assertNotIn('class="pager"', self.client.get("/").get_data(as_text=True))


class TestDeleteButton(BaseTestCase):
    """Deleting from the index page, signed in as an admin (who may delete whom: test_sign_in_pages.py)."""

    def test_delete_redirects_back_to_the_same_page(self):
        user = self.add_user("michael", "michael@realpython.com")
        self.sign_in_page(self.add_admin())
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn(f'action="/delete/{user.id}"', page)
        asked = self.client.get(f"/delete/{user.id}?page=1").get_data(as_text=True)
        self.assertIn("Delete <strong>michael</strong> (michael@realpython.com) for good?</p>", asked)
        self.assertIn(f'action="/delete/{user.id}?page=1"', asked)
        self.assertIn('<a href="/?page=1">Cancel</a>', asked)
        self.assertEqual(self.user_count(), 2)
        response = self.client.post(f"/delete/{user.id}?page=1", data={"csrf_token": self.csrf_token()})
        self.assertEqual((response.status_code, response.headers["Location"]), (303, "/?page=1"))
        self.assertEqual(self.user_count(), 1)
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn('<p class="notice" role="status">michael@realpython.com was deleted.</p>', page)
        self.assertNotIn("michael", page.replace("michael@realpython.com was deleted.", ""))

    def test_deleting_the_last_user_of_the_last_page_goes_to_the_page_before(self):
        users = [self.add_user(f"user {n:02d}", f"user{n:02d}@example.com") for n in range(20)]
        self.sign_in_page(self.add_admin())  # the newest, on page 1
        self.assertIn(f'action="/delete/{users[0].id}"', self.client.get("/?page=2").get_data(as_text=True))
        asked = self.client.get(f"/delete/{users[0].id}?page=2").get_data(as_text=True)
        self.assertIn(f'action="/delete/{users[0].id}?page=2"', asked)
        response = self.client.post(f"/delete/{users[0].id}?page=2", data={"csrf_token": self.csrf_token()})
        self.assertEqual(response.headers["Location"], "/?page=2")
        page = self.client.get("/?page=2", follow_redirects=True).get_data(as_text=True)
        self.assertIn("user00@example.com was deleted.", page)
        self.assertIn("<td>user 19</td>", page)

    def test_deleting_an_unknown_user(self):
        self.sign_in_page(self.add_admin())
        asked = self.client.get("/delete/999", headers={"Accept": "text/html"})
        response = self.client.post(
            "/delete/999", data={"csrf_token": self.csrf_token()}, headers={"Accept": "text/html"}
        )
        for answer in (asked, response):
            self.assertEqual(answer.status_code, 404)
            self.assertIn("User does not exist", answer.get_data(as_text=True))

    def test_deleting_asks_first_and_says_who_is_deleting_itself(self):
        user = self.sign_in_page(self.add_user())
        asked = self.client.get(f"/delete/{user.id}")
        self.assertEqual(asked.status_code, 200)
        self.assertIn("for good? You are deleting yourself: you will be signed out.</p>", asked.get_data(as_text=True))
        self.assertEqual(self.user_count(), 1)
        unknown = self.client.get("/delete/999", headers={"Accept": "text/html"})
        self.assertEqual(unknown.status_code, 403)  # not an admin: anyone else is forbidden, unknown or not


class TestCsrf(BaseTestCase):
    def test_every_form_needs_a_valid_csrf_token(self):
        forms = {
            rule.endpoint: rule.rule
            for rule in self.app.url_map.iter_rules()
            if "POST" in rule.methods
            and not rule.endpoint.startswith(("users.", "auth.", "account.", "recovery.", "api-docs."))
        }
        pages = {
            "index",
            "delete_user",
            "sign_in_page",
            "sign_out_page",
            "end_session_page",
            "end_every_session_page",
            "forgot_password_page",
            "reset_password_page",
            "request_verification_page",
        }
        self.assertEqual(set(forms), {f"pages.{page}" for page in pages})
        user = self.add_user()
        fields = {"username": "x", "email": "x@example.com"}
        forged = {**fields, "csrf_token": "forged-token"}
        paths = {endpoint: rule.replace("<user_id:user_id>", str(user.id)) for endpoint, rule in forms.items()}
        for endpoint, path in paths.items():
            with self.subTest(endpoint=endpoint, session=False):
                self.assertJson(self.client.post(path, data=fields), 400, refused("The CSRF token is missing."))
                self.assertJson(self.client.post(path, data=forged), 400, refused("The CSRF session token is missing."))
        self.csrf_token()  # the page gives the session a token
        for endpoint, path in paths.items():
            with self.subTest(endpoint=endpoint, session=True):
                self.assertJson(self.client.post(path, data=fields), 400, refused("The CSRF token is missing."))
                self.assertJson(self.client.post(path, data=forged), 400, refused("The CSRF token is invalid."))
        self.assertEqual(self.user_count(), 1)


def refused(message: str) -> dict:
    """The 400 envelope of a form posted without its CSRF token."""
    return {"status": "fail", "message": message}


class TestDocsPage(BaseTestCase):
    def test_docs_page_loads_swagger_ui_from_the_app(self):
        for path in ("/docs", "/docs/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                page = response.get_data(as_text=True)
                self.assertEqual((response.status_code, response.mimetype), (200, "text/html"))
                self.assertIn('data-spec-url="/openapi.json"', page)
                self.assertIn('<script src="/docs/assets/swagger-ui-bundle.js"></script>', page)
                self.assertIn('<link rel="stylesheet" href="/docs/assets/swagger-ui.css">', page)
                self.assertIn('<script src="/static/docs.js"></script>', page)
                self.assertNotRegex(page, r'(src|href)="(https?:)?//')
                self.assertNotIn("<script>", page)

    def test_the_index_page_links_to_it(self):
        self.assertIn('<a href="/docs">its documentation</a>', self.client.get("/").get_data(as_text=True))

    def test_swagger_ui_files_are_served(self):
        for name, mimetype in (("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css")):
            with self.subTest(name=name):
                response = self.client.get(f"/docs/assets/{name}")
                self.assertEqual((response.status_code, response.mimetype), (200, mimetype))
                self.assertGreater(len(response.get_data()), 100_000)
                response.close()

    def test_only_swagger_ui_files_are_served(self):
        for name in ("oauth2-redirect.html", "..%2F..%2Fconfig.py", "swagger-editor.js"):
            with self.subTest(name=name):
                self.assertEqual(
                    self.client.get(f"/docs/assets/{name}", headers={"Accept": "text/html"}).status_code, 404
                )


class SecureCookies(config.TestingConfig):
    """Production's Secure session cookie, served for a public host name too."""

    SESSION_COOKIE_SECURE = True

    def __init__(self) -> None:
        super().__init__()
        self.TRUSTED_HOSTS = [*self.TRUSTED_HOSTS, "users.example.com"]


class TestPagesNeedHttps(BaseTestCase):
    """Where the browser cannot send the Secure session cookie back (plain HTTP to a host that is not local), the
    pages say that they need HTTPS, and a form post says so instead of a CSRF error."""

    def create_app(self) -> Flask:
        return create_app(SecureCookies)

    def test_over_plain_http_the_page_says_it_needs_https(self):
        page = self.client.get("/", base_url="http://users.example.com")
        self.assertEqual(page.status_code, 200)
        self.assertIn(HTTPS_NEEDED, page.get_data(as_text=True))
        for path in ("/", "/sign-in"):
            with self.subTest(path=path):
                posted = self.client.post(path, base_url="http://users.example.com", data={"email": "a@example.com"})
                self.assertEqual(posted.status_code, 400)
                text = posted.get_data(as_text=True)
                self.assertEqual(text.count(HTTPS_NEEDED), 1)
                self.assertNotIn("CSRF", text)
        self.assertEqual(self.user_count(), 0)

    def test_over_https_or_on_a_local_host_nothing_is_said(self):
        for base_url in ("https://users.example.com", "http://localhost", "http://127.0.0.1:8080"):
            with self.subTest(base_url=base_url):
                self.assertNotIn(HTTPS_NEEDED, self.client.get("/", base_url=base_url).get_data(as_text=True))
                posted = self.client.post("/", base_url=base_url, data={"email": "a@example.com"})
                self.assertEqual(posted.status_code, 400)
                self.assertIn("The CSRF token is missing.", posted.get_data(as_text=True))
