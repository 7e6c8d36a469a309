"""nginx limits each client address's writes (the index page's forms included), and more strictly the requests
that may hash a password, with a JSON 429 and Retry-After."""

import pytest

from tests.faults.conftest import check_nginx_answer, client

BURST = 20  # WRITE_RATE_BURST's default
NO_SUCH_USER = "/users/2147483647"
# The limit refills one write every 100 ms (WRITE_RATE_LIMIT's default, 10r/s), so a slow machine may
# let a few more through: a client keeps writing until refused, and is refused long before this.
ATTEMPTS = BURST * 10


# Writes that hash no password: the write limit alone.
WRITES = {
    "delete": lambda http, url: http.delete(f"{url}{NO_SUCH_USER}"),
    "sign-out": lambda http, url: http.post(f"{url}/auth/logout"),
    "delete form": lambda http, url: http.post(f"{url}/delete/2147483647", data={}),
    "sign-out form": lambda http, url: http.post(f"{url}/sign-out", data={}),
}
# The routes that may hash a password, each asked in a way the app refuses before hashing (nginx counts the
# route, not the work): the stricter limit.
HASHING = {
    "sign-in": lambda http, url: http.post(f"{url}/auth/login", json={}),
    "sign-up": lambda http, url: http.post(f"{url}/users", json={}),
    "put": lambda http, url: http.put(f"{url}{NO_SUCH_USER}", json={"username": "r", "email": "r@example.com"}),
    "patch": lambda http, url: http.patch(f"{url}{NO_SUCH_USER}", json={"password": "a new password"}),
    "sign-in form": lambda http, url: http.post(f"{url}/sign-in", data={"email": "a@example.com", "password": "x"}),
    "add-user form": lambda http, url: http.post(f"{url}/", data={"username": "form", "email": "form@example.com"}),
    "sign-in, its slash escaped": lambda http, url: http.post(f"{url}/auth%2Flogin", json={}),  # the app routes it
}


def first_refusal(write, http, url):
    """Writes until nginx refuses one; returns how many it let through and the refusal."""
    for attempt in range(ATTEMPTS):
        answer = write(http, url)
        if answer.status_code == 429:
            return attempt, answer
        assert answer.status_code < 500, answer.text
    pytest.fail(f"{ATTEMPTS} writes in a row were all let through")


@pytest.mark.parametrize("kind", list(WRITES))
def test_writes_over_the_limit_are_refused(stack, app_headers, kind):
    address = f"127.0.3.{10 + list(WRITES).index(kind)}"  # a client of its own: a full bucket
    with client(address) as http:
        accepted, refused = first_refusal(WRITES[kind], http, stack.url)
        assert accepted > BURST
        check_nginx_answer(refused.headers, refused.content, "Too Many Requests", app_headers, retry_after="1")
        assert http.get(f"{stack.url}/users?per_page=1").status_code == 200  # reads are not limited


@pytest.mark.parametrize("kind", list(HASHING))
def test_requests_that_may_hash_a_password_are_limited_more_strictly(stack, app_headers, kind):
    address = f"127.0.3.{40 + list(HASHING).index(kind)}"
    with client(address) as http:
        accepted, refused = first_refusal(HASHING[kind], http, stack.url)
        # Past the hashing burst, and refused by it, long before the write limit's.
        assert stack.hash_burst < accepted < BURST
        check_nginx_answer(refused.headers, refused.content, "Too Many Requests", app_headers, retry_after="1")
        assert http.delete(f"{stack.url}{NO_SUCH_USER}").status_code == 401  # other writes still go through


def test_another_client_is_not_affected(stack, tag):
    with client("127.0.3.30") as http:
        first_refusal(WRITES["delete"], http, stack.url)
    with client("127.0.3.31") as other:
        answer = other.post(f"{stack.url}/users", json={"username": "rate", "email": f"rate-{tag}-other@example.com"})
        assert answer.status_code == 201
