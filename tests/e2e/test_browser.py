"""The index page and the docs page in a real, headless Chromium (Debian's chromium and chromium-driver).
Screenshots of every page visited land in .artifacts/screenshots/."""

import base64
import hashlib
import os
import uuid
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from project.tests.contract import GOOD_PASSWORD, PASSWORD_RESET, RESET_LINK_SENT
from project.tests.mailbox import link_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".artifacts" / "screenshots"
NEW_PASSWORD = "purple elephants juggle quietly"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
)


def trusted_key_flags() -> list[str]:
    """Chromium's flag that trusts the certificate E2E_TLS_CERTIFICATE names (a self-signed one) by its public
    key's SHA-256 digest, as requests trusts it by the file: no certificate error is ignored but its."""
    path = os.environ.get("E2E_TLS_CERTIFICATE")
    if not path:
        return []
    key = x509.load_pem_x509_certificate(Path(path).read_bytes()).public_key()
    digest = hashlib.sha256(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).digest()
    return [f"--ignore-certificate-errors-spki-list={base64.b64encode(digest).decode()}"]


def chromium(profile: Path) -> WebDriver:
    """A headless Chromium with a profile (cookies) of its own."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*CHROMIUM_FLAGS, *trusted_key_flags()):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.implicitly_wait(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


@pytest.fixture
def other_browser(tmp_path_factory):
    """A second browser, as on another device."""
    driver = chromium(tmp_path_factory.mktemp("chromium-other"))
    yield driver
    driver.quit()


def wait(driver: WebDriver, condition, timeout: float = 10):
    return WebDriverWait(driver, timeout).until(condition)


def screenshot(driver: WebDriver, name: str, expected_errors: tuple[str, ...] = ()) -> None:
    """Save the page as it looks, and check that the browser reported no error on it but those expected
    (a Content-Security-Policy violation would be one)."""
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert [error for error in errors if not error.endswith(expected_errors)] == [], errors


def rows(driver: WebDriver) -> list[str]:
    """The emails in the users table, top to bottom."""
    return [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "table.users tbody tr td:nth-child(2)")]


def submit_form(driver: WebDriver, base_url: str, username: str, email: str) -> None:
    driver.get(f"{base_url}/")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.CSS_SELECTOR, "form.user-form button[type=submit]").click()


def add_users(base_url: str, count: int, tag: str) -> list[str]:
    """Add users through the API, oldest first; their emails."""
    emails = [f"browser-{tag}-{n:02d}@example.com" for n in range(count)]
    for n, email in enumerate(emails):
        response = requests.post(f"{base_url}/users", json={"username": f"browser {n}", "email": email}, timeout=10)
        assert response.status_code == 201
    return emails


def test_add_a_user_through_the_form(browser, base_url):
    email = f"form-{uuid.uuid4().hex[:12]}@example.com"
    submit_form(browser, base_url, "Ada Lovelace", email)
    notice = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice")))
    assert notice.text == f"{email} was added!"
    assert browser.current_url == f"{base_url}/"
    assert rows(browser)[0] == email
    screenshot(browser, "index-added")


def test_a_duplicate_email_shows_the_error(browser, base_url):
    email = f"dup-{uuid.uuid4().hex[:12]}@example.com"
    assert requests.post(f"{base_url}/users", json={"username": "first", "email": email}, timeout=10).status_code == 201
    submit_form(browser, base_url, "second", email.upper())
    error = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "#email-errors li")))
    assert error.text == "Sorry. That email already exists."
    assert browser.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.ID, "username").get_attribute("value") == "second"
    # The page comes back with status 400, which Chromium reports as a failed load.
    screenshot(browser, "index-duplicate", ("the server responded with a status of 400 (BAD REQUEST)",))


def test_page_through_thirty_users(browser, base_url):
    emails = add_users(base_url, 30, uuid.uuid4().hex[:8])
    newest_first = list(reversed(emails))
    browser.get(f"{base_url}/")
    assert rows(browser) == newest_first[:20]
    assert browser.find_element(By.CSS_SELECTOR, ".pager .current").text.startswith("Page 1 of ")
    screenshot(browser, "index-page-1")
    browser.find_element(By.LINK_TEXT, "Older").click()
    wait(browser, expected_conditions.url_to_be(f"{base_url}/?page=2"))
    assert rows(browser)[:10] == newest_first[20:]
    assert browser.find_element(By.CSS_SELECTOR, ".pager .current").text.startswith("Page 2 of ")
    screenshot(browser, "index-page-2")
    browser.find_element(By.LINK_TEXT, "Newer").click()
    wait(browser, expected_conditions.url_to_be(f"{base_url}/?page=1"))
    assert rows(browser) == newest_first[:20]


def sign_in(driver: WebDriver, base_url: str, email: str, password: str = GOOD_PASSWORD) -> None:
    driver.get(f"{base_url}/sign-in")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.sign-in-form button[type=submit]").click()


def sign_out(driver: WebDriver, base_url: str) -> None:
    driver.get(f"{base_url}/")
    driver.find_element(By.CSS_SELECTOR, "form.inline-form button[type=submit]").click()
    wait(driver, expected_conditions.visibility_of_element_located((By.LINK_TEXT, "Sign in")))


def delete_buttons(driver: WebDriver) -> list[str]:
    """The emails of the users the page offers to delete."""
    buttons = driver.find_elements(By.CSS_SELECTOR, "button.danger")
    return [button.get_attribute("aria-label").removeprefix("Delete ") for button in buttons]


def test_sign_in_and_out(browser, base_url):
    email = f"signin-{uuid.uuid4().hex[:12]}@example.com"
    body = {"username": "Grace Hopper", "email": email, "password": GOOD_PASSWORD}
    assert requests.post(f"{base_url}/users", json=body, timeout=10).status_code == 201
    browser.get(f"{base_url}/")
    assert delete_buttons(browser) == []  # nobody signed in may delete anyone
    browser.find_element(By.LINK_TEXT, "Sign in").click()
    wait(browser, expected_conditions.url_to_be(f"{base_url}/sign-in"))
    screenshot(browser, "sign-in")
    sign_in(browser, base_url, email)
    notice = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice")))
    assert notice.text == f"Signed in as {email}."
    assert browser.find_element(By.CSS_SELECTOR, ".account span").text == "Signed in as Grace Hopper"
    assert delete_buttons(browser) == [email]  # its own row alone
    cookie = browser.get_cookie("session")
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Lax")
    screenshot(browser, "index-signed-in")
    sign_out(browser, base_url)
    assert delete_buttons(browser) == []


def test_a_wrong_password_shows_the_error(browser, base_url):
    sign_in(browser, base_url, f"nobody-{uuid.uuid4().hex[:12]}@example.com", "not the password")
    error = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice.error")))
    assert error.text == "Invalid email or password."
    assert browser.find_element(By.ID, "password").get_attribute("value") == ""
    screenshot(browser, "sign-in-refused", ("the server responded with a status of 401 (UNAUTHORIZED)",))


@pytest.mark.mail
def test_reset_a_forgotten_password_by_the_mailed_link(browser, base_url, public_url, inbox):
    email = f"forgot-{uuid.uuid4().hex[:12]}@example.com"
    body = {"username": "Ada Lovelace", "email": email, "password": GOOD_PASSWORD}
    assert requests.post(f"{base_url}/users", json=body, timeout=10).status_code == 201
    browser.get(f"{base_url}/sign-in")
    browser.find_element(By.LINK_TEXT, "Forgot your password?").click()
    wait(browser, expected_conditions.url_to_be(f"{base_url}/forgot-password"))
    browser.find_element(By.ID, "email").send_keys(email)
    screenshot(browser, "forgot-password")
    browser.find_element(By.CSS_SELECTOR, "form.forgot-password-form button[type=submit]").click()
    notice = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice")))
    assert notice.text == RESET_LINK_SENT["message"]
    browser.get(link_in(inbox(email, "Reset your password")))  # the link as the mail gives it
    browser.find_element(By.ID, "password").send_keys(NEW_PASSWORD)
    screenshot(browser, "reset-password")
    browser.find_element(By.CSS_SELECTOR, "form.reset-password-form button[type=submit]").click()
    notice = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice")))
    assert (browser.current_url, notice.text) == (f"{public_url}/sign-in", PASSWORD_RESET["message"])
    sign_in(browser, base_url, email, NEW_PASSWORD)
    notice = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice")))
    assert notice.text == f"Signed in as {email}."
    sign_out(browser, base_url)


def test_delete_oneself(browser, base_url):
    email = f"delete-{uuid.uuid4().hex[:12]}@example.com"
    body = {"username": "to be deleted", "email": email, "password": GOOD_PASSWORD}
    assert requests.post(f"{base_url}/users", json=body, timeout=10).status_code == 201
    sign_in(browser, base_url, email)
    wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice")))
    browser.find_element(By.CSS_SELECTOR, f'button[aria-label="Delete {email}"]').click()
    wait(browser, expected_conditions.title_is(f"Delete {email}"))  # asked first, on a page of its own
    screenshot(browser, "delete-confirm")
    browser.find_element(By.CSS_SELECTOR, f'button[aria-label="Delete {email}"]').click()
    # The page before it has a notice too ("Signed in as ..."): wait for the next page's.
    deleted = expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, "p.notice"), f"{email} was deleted.")
    wait(browser, deleted)
    assert browser.find_element(By.CSS_SELECTOR, "p.notice").text == f"{email} was deleted."
    assert email not in rows(browser)
    assert browser.find_element(By.LINK_TEXT, "Sign in")  # its session went with it
    screenshot(browser, "index-deleted")
    assert requests.get(f"{base_url}/users?email={email}", timeout=10).json()["data"]["users"] == []


def test_docs_page_renders_the_users_operations(browser, base_url):
    browser.get(f"{base_url}/docs")
    wait(browser, expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".opblock")), timeout=20)
    methods = {element.text for element in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-method")}
    paths = {
        element.text.replace("\u200b", "")
        for element in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    }
    assert {"/ping", "/users", "/users/{user_id}", "/auth/login", "/auth/me", "/auth/logout"} <= paths
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= methods
    assert browser.find_element(By.CSS_SELECTOR, ".info .title").text.startswith("Users service")
    screenshot(browser, "docs")


def test_docs_authorize_with_a_token_and_try_it(browser, base_url):
    """Swagger UI's Authorize button takes a token, which "Try it out" then sends: GET /auth/me answers 200."""
    email = f"docs-{uuid.uuid4().hex[:12]}@example.com"
    body = {"username": "docs", "email": email, "password": GOOD_PASSWORD}
    assert requests.post(f"{base_url}/users", json=body, timeout=10).status_code == 201
    login = requests.post(f"{base_url}/auth/login", json={"email": email, "password": GOOD_PASSWORD}, timeout=10)
    browser.get(f"{base_url}/docs")
    wait(browser, expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "button.authorize")), 20).click()
    field = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, ".auth-container input")))
    field.send_keys(login.json()["data"]["token"])
    browser.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper button.authorize").click()
    browser.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper button.btn-done").click()
    screenshot(browser, "docs-authorized")
    me = browser.find_element(By.ID, "operations-auth-me")
    me.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait(
        browser, expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "#operations-auth-me .try-out__btn"))
    ).click()
    wait(
        browser, expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "#operations-auth-me .execute"))
    ).click()
    status = wait(
        browser,
        expected_conditions.visibility_of_element_located(
            (By.CSS_SELECTOR, "#operations-auth-me .live-responses-table .response .response-col_status")
        ),
    )
    assert status.text == "200"
    answer = browser.find_element(By.CSS_SELECTOR, "#operations-auth-me .live-responses-table .microlight").text
    assert f'"email": "{email}"' in answer
    screenshot(browser, "docs-me")


def test_end_another_devices_session_from_the_account_page(browser, other_browser, base_url):
    """Signed in on two devices, the user ends the other's session from this one's account page: the other is
    signed out at its next page, this one stays signed in."""
    email = f"devices-{uuid.uuid4().hex[:12]}@example.com"
    body = {"username": "Katherine Johnson", "email": email, "password": GOOD_PASSWORD}
    assert requests.post(f"{base_url}/users", json=body, timeout=10).status_code == 201
    for driver in (other_browser, browser):
        sign_in(driver, base_url, email)
        wait(driver, expected_conditions.visibility_of_element_located((By.LINK_TEXT, "Your account")))
    browser.find_element(By.LINK_TEXT, "Your account").click()
    wait(browser, expected_conditions.url_to_be(f"{base_url}/account"))
    sessions = browser.find_elements(By.CSS_SELECTOR, "table.sessions tbody tr")
    assert len(sessions) == 2
    assert "(this browser)" in browser.find_element(By.CSS_SELECTOR, "table.sessions tr.current").text
    assert browser.find_elements(By.CSS_SELECTOR, "table.events tbody tr")[0].text.startswith("Signed in")
    screenshot(browser, "account")
    browser.find_element(By.CSS_SELECTOR, "table.sessions tbody tr:not(.current) button").click()
    notice = wait(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice")))
    assert notice.text == "Signed out of that session."
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.sessions tbody tr")) == 1
    screenshot(browser, "account-one-session-ended")
    other_browser.get(f"{base_url}/")
    wait(other_browser, expected_conditions.visibility_of_element_located((By.LINK_TEXT, "Sign in")))
    browser.get(f"{base_url}/")
    assert browser.find_element(By.CSS_SELECTOR, ".account span").text == "Signed in as Katherine Johnson"
    sign_out(browser, base_url)
