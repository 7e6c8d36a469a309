"""The service's Flask class: views and hooks run as Flask runs them, whether it asked about them before or not;
its responses send the headers hooks add to them, after their own."""

import unittest

from project.application import ServiceFlask, ServiceResponse


def plain() -> str:
    return "plain"


async def coroutine() -> str:
    return "coroutine"


class RecordingApp(ServiceFlask):
    """The service's Flask class, noting what it hands to async_to_sync (which needs Flask's async extra)."""

    def __init__(self) -> None:
        super().__init__(__name__)
        self.converted: list = []

    def async_to_sync(self, func):
        self.converted.append(func)
        return lambda: f"{func.__name__}, run to its end"


class TestEnsureSync(unittest.TestCase):
    def setUp(self) -> None:
        self.app = RecordingApp()

    def test_a_plain_function_runs_as_it_is_every_time(self):
        self.assertEqual([self.app.ensure_sync(plain)() for _ in range(3)], ["plain"] * 3)
        self.assertEqual(self.app.converted, [])

    def test_a_coroutine_function_goes_to_async_to_sync_every_time(self):
        self.assertEqual([self.app.ensure_sync(coroutine)() for _ in range(2)], ["coroutine, run to its end"] * 2)
        self.assertEqual(self.app.converted, [coroutine, coroutine])


def add_hook_header(response: ServiceResponse) -> ServiceResponse:
    response.sent_headers += (("X-Hook", "3"),)
    return response


class TestSentHeaders(unittest.TestCase):
    def test_they_follow_the_response_s_own_headers_once(self):
        app = ServiceFlask(__name__)

        @app.get("/")
        def view() -> ServiceResponse:
            response = ServiceResponse("hi", headers={"X-Own": "1"})
            response.sent_headers += (("X-Added", "2"),)
            return response

        app.after_request(add_hook_header)
        response = app.test_client().get("/")
        self.assertEqual(
            list(response.headers.items()),
            [
                ("X-Own", "1"),
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", "2"),
                ("X-Added", "2"),
                ("X-Hook", "3"),
            ],
        )
        self.assertEqual(ServiceResponse.sent_headers, ())  # each response's own: none left on the class
