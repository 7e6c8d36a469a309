"""/openapi.json: a valid OpenAPI 3 document, generated from the schemas, describing every operation, precisely
enough for a generated client to work with its defaults: every field always present is required, the headers are
described, and every example works as sent."""

from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from openapi_spec_validator import validate

from project.tests.base import BaseTestCase

OPERATIONS = {
    "/ping": {"get": {"200"}},
    "/ready": {"get": {"200", "503"}},
    "/health": {"get": {"200", "503"}},
    "/users": {"get": {"200", "400"}, "post": {"201", "400", "413", "415", "503"}},
    "/users/{user_id}": {
        "get": {"200", "400", "404"},
        "put": {"200", "400", "401", "403", "404", "413", "415", "503"},
        "patch": {"200", "400", "401", "403", "404", "413", "415", "429", "503"},
        "delete": {"204", "400", "401", "403", "404", "503"},
    },
    "/auth/login": {"post": {"200", "400", "401", "403", "413", "415", "429", "503"}},
    "/auth/forgot-password": {"post": {"202", "400", "413", "415", "429", "503"}},
    "/auth/reset-password": {"post": {"200", "400", "413", "415", "429", "503"}},
    "/auth/verify": {"post": {"200", "400", "413", "415", "429", "503"}},
    "/auth/request-verify-token": {"post": {"202", "400", "413", "415", "429", "503"}},
    "/auth/me": {"get": {"200", "401", "503"}},
    "/auth/logout": {"post": {"204", "401", "503"}},
    "/auth/refresh": {"post": {"200", "400", "401", "413", "415", "503"}},
    "/auth/sessions": {"get": {"200", "401", "503"}, "delete": {"204", "401", "503"}},
    "/auth/sessions/{session_id}": {"delete": {"204", "401", "404", "503"}},
    "/auth/events": {"get": {"200", "400", "401", "503"}},
    "/users/{user_id}/events": {"get": {"200", "400", "401", "403", "404", "503"}},
}
SECURED = {("/users/{user_id}", "put"), ("/users/{user_id}", "patch"), ("/users/{user_id}", "delete")}
SECURED |= {("/auth/me", "get"), ("/auth/logout", "post"), ("/auth/sessions", "get"), ("/auth/sessions", "delete")}
SECURED |= {("/auth/sessions/{session_id}", "delete"), ("/auth/events", "get"), ("/users/{user_id}/events", "get")}


PASSWORD = {"type": "string", "format": "password", "writeOnly": True, "minLength": 8, "maxLength": 256}
# The headers sent with every answer of an operation and status, as the document must describe them.
HEADERS = {"401": {"WWW-Authenticate"}, "429": {"Retry-After"}, "503": {"Retry-After"}}
OPERATION_HEADERS = {
    ("/users", "post", "201"): {"Location"},
    ("/users", "get", "200"): {"Link"},
    ("/auth/events", "get", "200"): {"Link"},
    ("/users/{user_id}/events", "get", "200"): {"Link"},
}
OPTIONAL = {("Error", "errors")}  # the fields an answer may leave out: all others are always there


def operations(spec: dict):
    """Every operation of the document: its path, method and description."""
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method != "parameters":
                yield path, method, operation


def resolved(spec: dict, item: dict) -> dict:
    """The item itself where the document refers to it."""
    while "$ref" in item:
        *_, kind, name = item["$ref"].split("/")
        item = spec["components"][kind][name]
    return item


class TestOpenApi(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        response = self.client.get("/openapi.json")
        self.assertEqual((response.status_code, response.mimetype), (200, "application/json"))
        self.spec = response.get_json()

    def test_is_a_valid_openapi_3_document(self):
        validate(self.spec)
        self.assertEqual(self.spec["openapi"], "3.0.3")
        self.assertEqual(self.spec["info"], {"title": "Users service", "version": "1.0.0"})

    def test_every_operation_and_its_answers(self):
        documented = {
            path: {
                method: set(operation["responses"]) - {"default"}
                for method, operation in methods.items()
                if method != "parameters"
            }
            for path, methods in self.spec["paths"].items()
        }
        self.assertEqual(documented, OPERATIONS)

    def test_errors_are_documented_with_the_envelope(self):
        for path, method, operation in operations(self.spec):
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) or status == "default":
                    with self.subTest(path=path, method=method, status=status):
                        schema = resolved(self.spec, response)["content"]["application/json"]["schema"]
                        self.assertEqual(schema, {"$ref": "#/components/schemas/Error"})
        error = self.spec["components"]["schemas"]["Error"]
        self.assertEqual(error["required"], ["message", "status"])
        self.assertEqual(error["properties"]["status"], {"type": "string", "enum": ["fail"]})

    def test_request_bodies_come_from_the_schemas_and_refuse_other_fields(self):
        schemas = self.spec["components"]["schemas"]
        new_user = schemas["NewUser"]
        self.assertEqual(new_user["required"], ["email", "username"])
        self.assertFalse(new_user["additionalProperties"])
        self.assertEqual(new_user["properties"]["username"]["maxLength"], 128)
        self.assertEqual(new_user["properties"]["email"]["format"], "email")
        self.assertEqual(new_user["properties"]["password"], PASSWORD)
        patch = schemas["UserPatch"]["properties"]
        self.assertEqual(set(patch), {"username", "email", "active", "admin", "password", "current_password"})
        self.assertFalse(schemas["UserPatch"]["additionalProperties"])
        put = self.spec["paths"]["/users/{user_id}"]["put"]["requestBody"]["content"]["application/json"]["schema"]
        self.assertEqual(put, {"$ref": "#/components/schemas/Profile"})
        self.assertEqual(set(schemas["Profile"]["properties"]), {"username", "email"})
        login = schemas["Login"]
        self.assertEqual((login["required"], login["additionalProperties"]), (["email", "password"], False))

    def test_bearer_tokens_are_the_security_of_the_operations_that_change_users(self):
        scheme = {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /auth/login, sent as `Authorization: Bearer <token>`.",
        }
        self.assertEqual(self.spec["components"]["securitySchemes"], {"bearerAuth": scheme})
        secured = {
            (path, method)
            for path, methods in self.spec["paths"].items()
            for method, operation in methods.items()
            if method != "parameters" and operation.get("security") == [{"bearerAuth": []}]
        }
        self.assertEqual(secured, SECURED)

    def test_passwords_are_never_shown(self):
        schemas = self.spec["components"]["schemas"]
        for name in ("User", "Account"):
            self.assertNotIn("password", schemas[name]["properties"])
        self.assertEqual(schemas["Account"]["properties"]["admin"], {"type": "boolean", "readOnly": True})

    def test_user_fields_are_read_only_where_they_must_be(self):
        user = self.spec["components"]["schemas"]["User"]["properties"]
        for name in ("id", "active", "created_at"):
            self.assertTrue(user[name]["readOnly"], name)
        self.assertEqual(user["created_at"]["format"], "date-time")

    def test_path_ids_are_integers_and_lists_take_their_parameters(self):
        path = self.spec["paths"]["/users/{user_id}"]
        self.assertEqual(path["parameters"][0]["schema"], {"type": "integer"})
        names = [parameter["name"] for parameter in self.spec["paths"]["/users"]["get"]["parameters"]]
        self.assertEqual(names, ["page", "cursor", "per_page", "sort", "username", "email", "active", "q"])

    def test_headers_and_links_are_documented(self):
        post = self.spec["paths"]["/users"]["post"]["responses"]["201"]
        self.assertEqual(set(post["links"]), {"GetUser", "ReplaceUser", "UpdateUser", "DeleteUser"})
        link = self.spec["paths"]["/users"]["get"]["responses"]["200"]["headers"]["Link"]
        for relation in ('rel="first"', 'rel="prev"', 'rel="next"', 'rel="last"', "cursor"):
            self.assertIn(relation, link["description"])
        for path, method, operation in operations(self.spec):
            for status, response in operation["responses"].items():
                sent = HEADERS.get(status, set()) | OPERATION_HEADERS.get((path, method, status), set())
                with self.subTest(path=path, method=method, status=status):
                    headers = resolved(self.spec, response).get("headers", {})
                    self.assertEqual(set(headers), sent)
                    self.assertTrue(all(header["required"] for header in headers.values()))
        www_authenticate = self.spec["paths"]["/auth/me"]["get"]["responses"]["401"]["headers"]["WWW-Authenticate"]
        self.assertEqual(www_authenticate["schema"], {"type": "string", "enum": ["Bearer"]})
        retry_after = self.spec["paths"]["/auth/login"]["post"]["responses"]["429"]["headers"]["Retry-After"]
        self.assertEqual(retry_after["schema"], {"type": "integer", "minimum": 1})

    def test_no_parameter_default_goes_against_another_parameter(self):
        """A generated client sends every default: with them, and a cursor, the first cursor page answers 200."""
        parameters = self.spec["paths"]["/users"]["get"]["parameters"]
        defaults = {
            parameter["name"]: parameter["schema"]["default"]
            for parameter in parameters
            if "default" in parameter["schema"]
        }
        self.assertEqual(defaults, {"per_page": 20, "sort": "-created_at"})
        response = self.client.get("/users", query_string={**defaults, "cursor": ""})
        self.assertEqual(response.status_code, 200, response.get_json())
        self.assertEqual(response.get_json()["data"]["pagination"], {"per_page": 20, "total": 0})
        response = self.client.get("/users", query_string=defaults)
        self.assertEqual(response.get_json()["data"]["pagination"], {"page": 1, "per_page": 20, "total": 0, "pages": 0})

    def test_every_request_body_and_answer_has_an_example_that_fits_its_schema(self):
        """Swagger UI shows (and for a body, sends) these, instead of samples made from the schema."""
        for path, method, operation in operations(self.spec):
            contents = [("request", OAS30WriteValidator, operation.get("requestBody", {}).get("content", {}))]
            contents += [
                (status, OAS30ReadValidator, resolved(self.spec, response).get("content", {}))
                for status, response in operation["responses"].items()
            ]
            for where, validator, content in contents:
                for media in content.values():
                    examples = (
                        [media["example"]]
                        if "example" in media
                        else [e["value"] for e in media.get("examples", {}).values()]
                    )
                    with self.subTest(path=path, method=method, where=where):
                        self.assertTrue(examples)
                        schema = {**media["schema"], "components": self.spec["components"]}
                        for example in examples:
                            validator(schema).validate(example)

    def example(self, path: str, method: str) -> dict:
        """The example of an operation's request body."""
        return self.spec["paths"][path][method]["requestBody"]["content"]["application/json"]["example"]

    def test_every_request_body_example_works_as_sent(self):
        """Sent as they are, in order: sign up, sign in, replace, change (the user is the one the examples add)."""
        response = self.client.post("/users", json=self.example("/users", "post"))
        self.assertEqual(response.status_code, 201, response.get_json())
        location = response.headers["Location"]
        response = self.client.post("/auth/login", json=self.example("/auth/login", "post"))
        self.assertEqual(response.status_code, 200, response.get_json())
        token = {"Authorization": f"Bearer {response.get_json()['data']['token']}"}
        for method in ("put", "patch"):
            with self.subTest(method=method):
                example = self.example("/users/{user_id}", method)
                response = self.client.open(location, method=method.upper(), json=example, headers=token)
                self.assertEqual(response.status_code, 200, response.get_json())
                self.assertEqual(response.get_json()["data"] | example, response.get_json()["data"])

    def test_every_field_always_present_is_required(self):
        """Every field of every answer a client sees is required by its schema, but for the optional ones."""
        self.add_user("michael", "michael@realpython.com")
        answers = []

        def seen(path: str, method: str, response) -> None:
            schema = self.spec["paths"][path][method]["responses"][str(response.status_code)]
            answers.append(
                (f"{method} {path} {response.status_code}", response.get_json(), resolved(self.spec, schema))
            )

        seen("/ping", "get", self.client.get("/ping"))
        seen("/ready", "get", self.client.get("/ready"))
        seen("/health", "get", self.client.get("/health"))
        new_user = self.example("/users", "post")
        created = self.client.post("/users", json=new_user)
        seen("/users", "post", created)
        seen("/users", "post", self.client.post("/users", json={"username": "x"}))
        seen("/users", "post", self.client.post("/users", json=new_user))
        for query in ("", "?cursor=", "?page=1&cursor=", "?per_page=0"):
            seen("/users", "get", self.client.get(f"/users{query}"))
        seen("/users/{user_id}", "get", self.client.get(created.headers["Location"]))
        seen("/users/{user_id}", "get", self.client.get("/users/x"))
        seen("/users/{user_id}", "get", self.client.get("/users/999"))
        seen("/users/{user_id}", "patch", self.client.patch(created.headers["Location"], json={}))
        signed_in = self.client.post("/auth/login", json=self.example("/auth/login", "post"))
        seen("/auth/login", "post", signed_in)
        seen(
            "/auth/login", "post", self.client.post("/auth/login", json={"email": "x@realpython.com", "password": "y"})
        )
        token = {"Authorization": f"Bearer {signed_in.get_json()['data']['token']}"}
        seen("/auth/me", "get", self.client.get("/auth/me", headers=token))
        seen("/auth/sessions", "get", self.client.get("/auth/sessions", headers=token))
        seen("/auth/events", "get", self.client.get("/auth/events", headers=token))
        refresh = {"refresh_token": signed_in.get_json()["data"]["refresh_token"]}
        seen("/auth/refresh", "post", self.client.post("/auth/refresh", json=refresh))
        seen("/auth/refresh", "post", self.client.post("/auth/refresh", json=self.example("/auth/refresh", "post")))
        for path in ("/auth/forgot-password", "/auth/request-verify-token", "/auth/reset-password", "/auth/verify"):
            seen(path, "post", self.client.post(path, json=self.example(path, "post")))
        for name, answer, response in answers:
            with self.subTest(answer=name):
                schema = response["content"]["application/json"]["schema"]
                self.assertEqual(self.unrequired_fields(answer, schema), set())

    def unrequired_fields(self, value, schema: dict) -> set:
        """The fields of this answer (and of every object in it) that its schema does not require, less OPTIONAL."""
        if "oneOf" in schema:
            schema = next(one for one in schema["oneOf"] if set(value) == set(resolved(self.spec, one)["properties"]))
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            schema = resolved(self.spec, schema)
        else:
            name = None
        if isinstance(value, list):
            return set().union(*(self.unrequired_fields(item, schema["items"]) for item in value))
        if not isinstance(value, dict) or "properties" not in schema:
            return set()
        found = {(name, field) for field in value if field not in schema.get("required", [])} - OPTIONAL
        for field, inner in value.items():
            found |= self.unrequired_fields(inner, schema["properties"][field])
        return found
