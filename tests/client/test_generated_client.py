"""A client generated from /openapi.json by openapi-python-client works with its defaults: it walks the API
(sign up, sign in, whose token, ask for a reset link, list by page and by cursor, change, delete, sign out) and
hears its errors, each answer parsed into the model the document names and held to its exact status and body."""

import importlib
import json
from contextlib import ExitStack
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import pytest
from requests.utils import parse_header_links

from project.tests.contract import (
    FORBIDDEN,
    INVALID_CREDENTIALS,
    INVALID_LINK,
    INVALID_REFRESH_TOKEN,
    NOT_FOUND,
    NOT_SIGNED_IN,
    RESET_LINK_SENT,
)

PASSWORD = "fletcher keeps a pet lizard"


@pytest.fixture(scope="module")
def api(generated: ModuleType):
    """The generated package's operations, by tag and operation id (api.users.add_user), and its models."""

    class Operations:
        def __init__(self, tag: str) -> None:
            self.tag = tag

        def __getattr__(self, operation: str) -> ModuleType:
            return importlib.import_module(f"{generated.__name__}.api.{self.tag}.{operation}")

    class Api:
        users = Operations("users")
        auth = Operations("auth")
        recovery = Operations("recovery")
        account = Operations("account")
        models = importlib.import_module(f"{generated.__name__}.models")

    return Api


@pytest.fixture
def connect(generated: ModuleType, base_url: str):
    """Make a client, with a bearer token or without, closed after the test; an undocumented status raises."""
    with ExitStack() as clients:

        def connect(token: str | None = None):
            if token is None:
                made = generated.Client(base_url=base_url, raise_on_unexpected_status=True)
            else:
                made = generated.AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
            return clients.enter_context(made)

        yield connect


def body(response) -> dict:
    """The answer's JSON as sent."""
    return json.loads(response.content)


def links(response) -> dict[str, dict[str, list[str]]]:
    """The Link header's relations, each with its URL's query parameters."""
    return {
        link["rel"]: parse_qs(urlsplit(link["url"]).query, keep_blank_values=True)
        for link in parse_header_links(response.headers["Link"])
    }


def test_a_walk_through_the_api(api, connect):
    models, users, auth, client = api.models, api.users, api.auth, connect()
    recovery = api.recovery

    # Sign up, with a password; two more users without one.
    new_user = models.NewUser(username="fletcher", email="fletcher@realpython.com", password=PASSWORD)
    created = users.add_user.sync_detailed(client=client, body=new_user)
    assert created.status_code == 201
    assert isinstance(created.parsed, models.UserCreated)
    user = body(created)["data"]
    assert body(created) == {"status": "success", "message": "fletcher@realpython.com was added!", "data": user}
    assert user == {
        "id": user["id"],
        "username": "fletcher",
        "email": "fletcher@realpython.com",
        "active": True,
        "created_at": user["created_at"],
    }
    assert created.headers["Location"] == f"/users/{user['id']}"
    assert created.parsed.data.id == user["id"]
    others = []
    for name in ("ada", "grace"):
        answer = users.add_user.sync_detailed(
            client=client, body=models.NewUser(username=name, email=f"{name}@realpython.com")
        )
        assert answer.status_code == 201
        others.append(body(answer)["data"])

    # Sign in, and ask whose the token is.
    signed_in = auth.login.sync_detailed(
        client=client, body=models.Login(email="fletcher@realpython.com", password=PASSWORD)
    )
    assert signed_in.status_code == 200
    token = signed_in.parsed.data.token
    refresh_token = signed_in.parsed.data.refresh_token
    assert body(signed_in) == {
        "status": "success",
        "message": "Successfully logged in.",
        "data": {
            "token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": refresh_token,
            "refresh_expires_in": 30 * 24 * 3600,
        },
    }

    # Trade the refresh token for a new pair (the old one is spent), and see the session.
    refreshed = auth.refresh.sync_detailed(client=client, body=models.Refresh(refresh_token=refresh_token))
    assert (refreshed.status_code, refreshed.parsed.message) == (200, "Successfully refreshed.")
    token = refreshed.parsed.data.token
    spent = auth.refresh.sync_detailed(client=client, body=models.Refresh(refresh_token=refresh_token))
    assert (spent.status_code, body(spent)) == (401, INVALID_REFRESH_TOKEN)
    authenticated = connect(token)
    sessions = api.account.list_sessions.sync_detailed(client=authenticated)
    assert [session.current for session in sessions.parsed.data.sessions] == [True]
    events = api.account.list_events.sync_detailed(client=authenticated)
    assert [event["type"] for event in body(events)["data"]["events"]] == ["signed_in"]
    assert events.parsed.data.pagination.total == 1
    me = auth.me.sync_detailed(client=authenticated)
    assert me.status_code == 200
    assert body(me) == {"status": "success", "data": {**user, "admin": False, "verified": False}}
    assert me.parsed.data.admin is False

    # Ask for a link to reset the password, and send a token that is no good.
    forgot = recovery.forgot_password.sync_detailed(client=client, body=models.Email(email="fletcher@realpython.com"))
    assert (forgot.status_code, body(forgot)) == (202, RESET_LINK_SENT)
    reset = recovery.reset_password.sync_detailed(
        client=client, body=models.ResetPassword(token="no good", password="another long passphrase")
    )
    assert (reset.status_code, body(reset)) == (400, INVALID_LINK)

    # List by page, with the client's defaults: page 1, newest first.
    newest_first = [others[1], others[0], user]
    listed = users.list_users.sync_detailed(client=client)
    assert listed.status_code == 200
    assert body(listed) == {
        "status": "success",
        "data": {"users": newest_first, "pagination": {"page": 1, "per_page": 20, "total": 3, "pages": 1}},
    }
    assert isinstance(listed.parsed.data.pagination, models.PagePagination)
    assert set(links(listed)) == {"first", "last"}
    second = users.list_users.sync_detailed(client=client, page=2, per_page=2)
    assert body(second)["data"] == {"users": [user], "pagination": {"page": 2, "per_page": 2, "total": 3, "pages": 2}}
    assert links(second)["prev"]["page"] == ["1"]

    # List by cursor: the first page with the client's defaults (it sends no page), then the next from the Link header.
    first = users.list_users.sync_detailed(client=client, cursor="")
    assert first.status_code == 200, first.content
    assert body(first)["data"] == {"users": newest_first, "pagination": {"per_page": 20, "total": 3}}
    assert isinstance(first.parsed.data.pagination, models.CursorPagination)
    assert set(links(first)) == {"first"}
    first = users.list_users.sync_detailed(client=client, cursor="", per_page=2)
    assert body(first)["data"] == {"users": newest_first[:2], "pagination": {"per_page": 2, "total": 3}}
    following = links(first)["next"]
    assert following["per_page"] == ["2"]
    last = users.list_users.sync_detailed(client=client, cursor=following["cursor"][0], per_page=2)
    assert last.status_code == 200, last.content
    assert body(last)["data"] == {"users": [user], "pagination": {"per_page": 2, "total": 3}}
    assert set(links(last)) == {"first", "prev"}
    by_name = users.list_users.sync_detailed(client=client, cursor="", per_page=2, sort=models.ListUsersSort.USERNAME)
    assert [found["username"] for found in body(by_name)["data"]["users"]] == ["ada", "fletcher"]
    following = links(by_name)["next"]
    assert following["sort"] == ["username"]
    sort = models.ListUsersSort(following["sort"][0])
    rest = users.list_users.sync_detailed(client=client, cursor=following["cursor"][0], per_page=2, sort=sort)
    assert body(rest)["data"] == {"users": [others[1]], "pagination": {"per_page": 2, "total": 3}}

    # Change the user (PATCH), then replace it (PUT).
    changed = users.update_user.sync_detailed(
        user["id"], client=authenticated, body=models.UserPatch(username="fletch")
    )
    assert changed.status_code == 200
    assert body(changed) == {"status": "success", "data": {**user, "username": "fletch"}}
    profile = models.Profile(username="fletcher", email="fletch@realpython.com")
    replaced = users.replace_user.sync_detailed(user["id"], client=authenticated, body=profile)
    assert body(replaced) == {"status": "success", "data": {**user, "email": "fletch@realpython.com"}}
    assert users.get_user.sync_detailed(user["id"], client=client).parsed.data.email == "fletch@realpython.com"

    # Sign out: the token stops working. Signed in again, the user may not delete another, and deletes itself.
    assert auth.logout.sync_detailed(client=authenticated).status_code == 204
    refused = auth.me.sync_detailed(client=authenticated)
    assert (refused.status_code, body(refused), refused.headers["WWW-Authenticate"]) == (401, NOT_SIGNED_IN, "Bearer")
    token = auth.login.sync_detailed(
        client=client, body=models.Login(email="fletch@realpython.com", password=PASSWORD)
    ).parsed.data.token
    authenticated = connect(token)
    forbidden = users.delete_user.sync_detailed(others[0]["id"], client=authenticated)
    assert (forbidden.status_code, body(forbidden)) == (403, FORBIDDEN)
    assert users.delete_user.sync_detailed(user["id"], client=authenticated).status_code == 204
    gone = users.get_user.sync_detailed(user["id"], client=client)
    assert (gone.status_code, body(gone)) == (404, NOT_FOUND)


def test_errors_come_as_the_document_says(api, connect):
    models, users, auth, client = api.models, api.users, api.auth, connect()

    missing = users.get_user.sync_detailed(999999, client=client)
    assert (missing.status_code, body(missing)) == (404, NOT_FOUND)
    assert isinstance(missing.parsed, models.Error)

    invalid = users.add_user.sync_detailed(client=client, body=models.NewUser(username="x", email="not-an-email"))
    assert (invalid.status_code, body(invalid)) == (
        400,
        {"status": "fail", "message": "Invalid payload.", "errors": {"email": ["Not a valid email address."]}},
    )
    assert invalid.parsed.errors.to_dict() == {"email": ["Not a valid email address."]}

    mixed = users.list_users.sync_detailed(client=client, page=1, cursor="")
    assert (mixed.status_code, body(mixed)) == (
        400,
        {"status": "fail", "message": "Invalid parameters.", "errors": {"cursor": ["Not sent with page."]}},
    )

    wrong = auth.login.sync_detailed(client=client, body=models.Login(email="nobody@realpython.com", password=PASSWORD))
    assert (wrong.status_code, body(wrong)) == (401, INVALID_CREDENTIALS)
    assert wrong.headers["WWW-Authenticate"] == "Bearer"

    stranger = connect("not-a-token")
    refused = users.update_user.sync_detailed(1, client=stranger, body=models.UserPatch(username="x"))
    assert (refused.status_code, body(refused), refused.headers["WWW-Authenticate"]) == (401, NOT_SIGNED_IN, "Bearer")
