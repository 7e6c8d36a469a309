"""The production stack's edge (docker-compose-prod.yml): HTTPS at nginx alone, with TLS 1.2 and 1.3, HSTS and a
certificate clients can check by its logged fingerprint; plain HTTP sent there; and X-Forwarded-* headers
believed from nginx alone, so that a client reaching gunicorn's port some other way is throttled by its own
address whatever it claims."""

import re
import socket
import ssl
import uuid
import warnings
from datetime import UTC, datetime, timedelta

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID

from tests.containers.conftest import HTTP_PORT, PORT, docker
from tests.e2e.live import wait_until

BASE_URL = f"https://127.0.0.1:{PORT}"
HSTS = "max-age=63072000"
GIVEN_PORT = PORT + 4  # nginx's image alone, with a certificate given


def fingerprint(pem: bytes) -> str:
    """A certificate's SHA-256 fingerprint, as openssl prints it (AB:CD:...)."""
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex(":").upper()


def served_at(port: int) -> bytes | None:
    """The certificate served on this port, once it is served."""
    try:
        return ssl.get_server_certificate(("127.0.0.1", port), timeout=5).encode()
    except OSError:  # ssl.SSLError among them: nginx not listening yet behind the published port
        return None


def handshake(version: ssl.TLSVersion) -> str:
    """The protocol nginx agrees to when the client offers this version alone (or why it would not)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the protocol is what is looked at
    context.set_ciphers("ALL:@SECLEVEL=0")  # let the client offer the old versions nginx must refuse
    with warnings.catch_warnings():  # Python deprecates the old versions: here they are what is tried
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = context.maximum_version = version
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=5) as raw, context.wrap_socket(raw) as tls:
            return tls.version()
    except ssl.SSLError as error:
        return error.reason


def test_plain_http_is_sent_to_https_with_its_method_kept(prod):
    for method in ("GET", "POST"):
        response = requests.request(method, f"http://127.0.0.1:{HTTP_PORT}/users?per_page=1", allow_redirects=False)
        assert (response.status_code, response.headers["Location"]) == (308, f"{BASE_URL}/users?per_page=1")
        assert "Strict-Transport-Security" not in response.headers  # browsers ignore it over HTTP
    assert requests.get(f"http://127.0.0.1:{HTTP_PORT}/ping").json()["message"] == "pong!"  # followed, checked
    refused = requests.get(f"http://127.0.0.1:{HTTP_PORT}/", headers={"Host": "evil.example"})
    assert (refused.status_code, refused.json()["message"]) == (400, "Bad Request")
    too_large = requests.post(f"http://127.0.0.1:{HTTP_PORT}/users", data=b"x" * (2 * 1024 * 1024))  # not sent on
    assert (too_large.status_code, too_large.json()) == (413, {"status": "fail", "message": "Request Entity Too Large"})
    assert too_large.headers["Cache-Control"] == "no-store"


def test_tls_1_2_and_1_3_alone(prod):
    assert handshake(ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    assert handshake(ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    assert handshake(ssl.TLSVersion.TLSv1_1) == "TLSV1_ALERT_PROTOCOL_VERSION"
    assert handshake(ssl.TLSVersion.TLSv1) == "TLSV1_ALERT_PROTOCOL_VERSION"


def test_https_answers_carry_hsts_nginx_s_own_errors_too(prod):
    assert requests.get(f"{BASE_URL}/ping").headers["Strict-Transport-Security"] == HSTS
    for response in (
        requests.get(f"{BASE_URL}/users?per_page=1", headers={"Host": "evil.example"}),  # nginx's default server
        requests.get(f"{BASE_URL}/users?q={'x' * 9000}"),  # nginx's 414
        requests.get(f"{BASE_URL}/users/999999999"),  # the service's 404
    ):
        assert response.status_code in (400, 404, 414)
        assert response.headers["Strict-Transport-Security"] == HSTS, response.status_code


def test_the_self_signed_certificate_is_checked_by_its_logged_fingerprint(prod):
    """The stack checks out against the certificate's file (REQUESTS_CA_BUNDLE), which is the one nginx
    logged the fingerprint of, for loopback's names; a client with nothing to check it by refuses it."""
    served = served_at(PORT)
    logged = re.findall(r"SHA-256 fingerprint ([0-9A-F:]+)", prod("logs", "nginx").stdout)
    assert logged and logged[-1] == fingerprint(served) == fingerprint(prod.certificate.read_bytes())
    assert requests.get(f"https://localhost:{PORT}/ping").ok  # checked, by name as by address
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{BASE_URL}/ping", verify=requests.certs.where())  # the usual CAs, not the file


def test_the_service_knows_it_is_on_https(prod):
    """Its links are https://, and the page's Secure session cookie comes back, so a form post works."""
    tag = uuid.uuid4().hex[:8]
    for number in range(2):
        body = {"username": f"edge {number}", "email": f"edge-{number}-{tag}@example.com"}
        assert requests.post(f"{BASE_URL}/users", json=body).status_code == 201
    assert requests.get(f"{BASE_URL}/users?per_page=1").headers["Link"].startswith(f"<{BASE_URL}/users?")
    with requests.Session() as browser:
        page = browser.get(f"{BASE_URL}/")
        assert [cookie.secure for cookie in browser.cookies] == [True]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        form = {"csrf_token": token, "username": "form", "email": f"form-{tag}@example.com"}
        # Over HTTPS, Flask-WTF also checks that the form came from this site (a browser's Referer).
        added = browser.post(f"{BASE_URL}/", data=form, headers={"Referer": f"{BASE_URL}/"}, allow_redirects=False)
    assert (added.status_code, added.headers["Location"]) == (303, "/")


def test_a_forged_x_forwarded_for_is_not_believed_from_beside_nginx(prod):
    """From a container on the database's network (not nginx's), failed sign-ins sent straight to gunicorn's
    port, each claiming another address: past SIGN_IN_FAILURES_PER_ADDRESS (100), the sender's own address is
    throttled (429), as nginx's X-Forwarded-For alone is believed."""
    image = prod.inspect(prod.container("users-service"))["Config"]["Image"]
    network = f"{prod.project}_data"
    assert network in prod.inspect(prod.container("users-service"))["NetworkSettings"]["Networks"]
    assert network not in prod.inspect(prod.container("nginx"))["NetworkSettings"]["Networks"]
    client = f"""
import json, urllib.error, urllib.request

def sign_in(n):
    email = "nobody-{uuid.uuid4().hex[:8]}-%d@example.com" % n
    body = json.dumps({{"email": email, "password": "wrong password"}}).encode()
    headers = {{"Content-Type": "application/json", "Host": "localhost",  # a name the service answers for
               "X-Forwarded-For": "203.0.113.%d" % (n % 250 + 1)}}
    request = urllib.request.Request("http://users-service:5000/auth/login", body, headers)
    try:
        return urllib.request.urlopen(request, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code

print(*map(sign_in, range(110)))  # one at a time: the service hashes a password at a time per process
"""
    statuses = docker("run", "--rm", "--network", network, image, "python", "-c", client, timeout=300).stdout.split()
    assert statuses == ["401"] * 100 + ["429"] * 10, statuses


def test_a_certificate_given_as_files_is_served_instead(prod, tmp_path):
    """nginx's image alone, with a pair where compose's TLS_CERT_FILE and TLS_KEY_FILE put it: served, its
    fingerprint logged, and nothing self-signed made."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "users.example.test")])
    now = datetime.now(UTC)
    given = (
        x509.CertificateBuilder(subject_name=name, issuer_name=name, public_key=key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
        .public_bytes(Encoding.PEM)
    )
    (tmp_path / "certificate.pem").write_bytes(given)
    (tmp_path / "key.pem").write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    image = prod.inspect(prod.container("nginx"))["Config"]["Image"]
    container = f"{prod.project}-given-certificate"
    docker(
        "run", "-d", "--name", container, "-p", f"127.0.0.1:{GIVEN_PORT}:443", "-e", "UPSTREAM_SERVER=127.0.0.1:9",
        "-v", f"{tmp_path / 'certificate.pem'}:/run/secrets/tls_certificate:ro",
        "-v", f"{tmp_path / 'key.pem'}:/run/secrets/tls_key:ro", image,
    )  # fmt: skip
    try:
        wait_until(lambda: served_at(GIVEN_PORT) is not None, 30, what="nginx serving HTTPS")
        assert fingerprint(served_at(GIVEN_PORT)) == fingerprint(given)
        logged = docker("logs", container).stdout
        assert f"given (/run/secrets/tls_certificate); SHA-256 fingerprint {fingerprint(given)}" in logged
        assert docker("exec", container, "ls", "/etc/nginx/self-signed").stdout == ""
    finally:
        docker("rm", "--force", container, check=False)
