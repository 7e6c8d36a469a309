"""The seed's API contract and the index page, row by row, against the running service."""

from project.tests.contract import BAD_ID, CSRF_FIELD, EMAIL_TAKEN, NOT_FOUND, NOT_SIGNED_IN, PONG

JSON = "application/json"


def assert_json(response, status: int, body: dict) -> None:
    assert (response.status_code, response.headers["Content-Type"]) == (status, JSON)
    assert response.json() == body


def test_ping(http):
    assert_json(http.get("/ping"), 200, PONG)


def test_add_get_and_list_a_user(http, email):
    added = http.post("/users", json={"username": "e2e 😀", "email": email.upper()})
    assert added.status_code == 201
    user = added.json()["data"]
    assert added.json() == {"status": "success", "message": f"{email} was added!", "data": user}
    assert added.headers["Location"] == f"/users/{user['id']}"
    assert set(user) == {"id", "username", "email", "active", "created_at"}
    assert (user["username"], user["email"], user["active"]) == ("e2e 😀", email, True)
    assert_json(http.get(f"/users/{user['id']}"), 200, {"status": "success", "data": user})
    listed = http.get("/users")
    assert listed.status_code == 200
    assert user in listed.json()["data"]["users"]


def test_invalid_payloads(http, email):
    missing = "Missing data for required field."
    cases = [
        ({}, {"username": [missing], "email": [missing]}),
        ({"email": email}, {"username": [missing]}),
        ({"username": "e2e"}, {"email": [missing]}),
        ({"username": "e2e", "email": "not-an-email"}, {"email": ["Not a valid email address."]}),
        ({"username": 5, "email": email}, {"username": ["Not a valid string."]}),
    ]
    for payload, errors in cases:
        expected = {"status": "fail", "message": "Invalid payload.", "errors": errors}
        assert_json(http.post("/users", json=payload), 400, expected)


def test_duplicate_email(http, email):
    assert http.post("/users", json={"username": "e2e", "email": email}).status_code == 201
    duplicate = http.post("/users", json={"username": "e2e", "email": f" {email.title()} "})
    assert_json(duplicate, 400, EMAIL_TAKEN)


def test_user_ids(http):
    assert_json(http.get("/users/xxx"), 400, BAD_ID)
    assert_json(http.get("/users/-1"), 404, NOT_FOUND)
    assert_json(http.get("/users/99999999999999999999"), 404, NOT_FOUND)


def test_errors_are_json(http):
    assert_json(http.get("/nope"), 404, {"status": "fail", "message": "Not Found"})
    assert_json(http.delete("/ping"), 405, {"status": "fail", "message": "Method Not Allowed"})
    not_json = http.post("/users", data="username=e2e", headers={"Content-Type": "text/plain"})
    assert_json(not_json, 415, {"status": "fail", "message": "Content-Type must be application/json."})
    malformed = http.post("/users", data="{", headers={"Content-Type": JSON})
    expected = {"status": "fail", "message": "Invalid payload.", "errors": {"_schema": ["Invalid JSON body."]}}
    assert_json(malformed, 400, expected)


def test_index_page_form(http, email):
    page = http.get("/")
    assert (page.status_code, page.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "<title>All Users</title>" in page.text
    token = CSRF_FIELD.search(page.text).group(1)

    added = http.post("/", data={"csrf_token": token, "username": "<b>e2e</b>", "email": email})
    assert (added.status_code, added.headers["Location"]) == (303, "/")
    listed = http.get("/").text
    assert f"{email} was added!" in listed
    assert "<td>&lt;b&gt;e2e&lt;/b&gt;</td>" in listed

    duplicate = http.post("/", data={"csrf_token": token, "username": "e2e", "email": email})
    assert duplicate.status_code == 400
    assert "<li>Sorry. That email already exists.</li>" in duplicate.text

    forged = http.post("/", data={"username": "e2e", "email": f"x{email}"}, headers={"Accept": "text/html"})
    assert forged.status_code == 400
    assert "CSRF" in forged.text


def test_replace_update_and_delete_a_user(http, account):
    user, email, auth = http.get(f"/users/{account['id']}").json()["data"], account["email"], account["auth"]
    assert http.post("/users", json={"username": "e2e other", "email": f"other.{email}"}).status_code == 201
    assert_json(http.put(f"/users/{user['id']}", json={"username": "x", "email": email}), 401, NOT_SIGNED_IN)
    replaced = http.put(f"/users/{user['id']}", json={"username": "e2e two", "email": f"two.{email}"}, headers=auth)
    assert_json(replaced, 200, {"status": "success", "data": {**user, "username": "e2e two", "email": f"two.{email}"}})
    taken = http.patch(f"/users/{user['id']}", json={"email": f"OTHER.{email}"}, headers=auth)
    assert_json(taken, 400, EMAIL_TAKEN)
    read_only = http.patch(f"/users/{user['id']}", json={"id": 1}, headers=auth)
    assert_json(read_only, 400, {"status": "fail", "message": "Invalid payload.", "errors": {"id": ["Unknown field."]}})
    patched = http.patch(f"/users/{user['id']}", json={"username": "e2e three"}, headers=auth)
    expected = {**user, "username": "e2e three", "email": f"two.{email}"}
    assert_json(patched, 200, {"status": "success", "data": expected})
    deleted = http.delete(f"/users/{user['id']}", headers=auth)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert_json(http.get(f"/users/{user['id']}"), 404, NOT_FOUND)
    assert_json(http.get("/auth/me", headers=auth), 401, NOT_SIGNED_IN)  # its token went with it


def test_list_pages_and_links(http, base_url, email):
    for number in range(3):
        http.post("/users", json={"username": "e2e page", "email": f"{number}.{email}"})
    listed = http.get(f"/users?per_page=2&q={email}&sort=email")
    assert listed.status_code == 200
    body = listed.json()["data"]
    assert [user["email"] for user in body["users"]] == [f"0.{email}", f"1.{email}"]
    assert body["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    url = f"{base_url}/users?per_page=2&q={email}&sort=email&page="
    assert listed.headers["Link"] == f'<{url}1>; rel="first", <{url}2>; rel="next", <{url}2>; rel="last"'
    bad = http.get("/users?per_page=500")
    expected = {"status": "fail", "message": "Invalid parameters.", "errors": {"per_page": [PER_PAGE_RANGE]}}
    assert_json(bad, 400, expected)


def test_openapi_document_and_docs_page(http):
    spec = http.get("/openapi.json")
    assert (spec.status_code, spec.json()["openapi"]) == (200, "3.0.3")
    docs = http.get("/docs")
    assert (docs.status_code, docs.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert http.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


PER_PAGE_RANGE = "Must be greater than or equal to 1 and less than or equal to 100."
