"""Three instances on a swarm under a steady load of reads and writes through nginx, on kept-alive connections:
a rolling update, a killed instance, scaling out and in, Redis stopped for a minute; the instances share sign-in,
the secrets are Docker secrets, the mail worker delivers a reset mail whose link works, and Prometheus finds every
task by the swarm's DNS."""

import json
import time
import urllib.parse
import uuid

import requests

from project.tests.contract import GOOD_PASSWORD, READY, STORE_UNAVAILABLE
from tests.containers.mailcatcher import reset_password_by_mail
from tests.e2e.live import wait_until
from tests.swarm.conftest import (
    BASE_URL,
    CATCHER,
    PUBLIC_URL,
    SERVICE,
    STACK,
    KeepAliveClients,
    Load,
    docker,
    healthy,
    instances,
    nginx_failures,
    served_by,
    wait_for_instances,
)


def test_the_secrets_are_docker_secrets_not_environment_variables():
    spec = docker("service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec}}", SERVICE)
    assert '"SecretName":"users_secret_key"' in spec and '"SecretName":"users_mysql_password"' in spec
    environment = docker("inspect", "--format", "{{json .Config.Env}}", instances()[0])
    assert "SECRET_KEY_FILE=/run/secrets/users_secret_key" in environment
    assert "SECRET_KEY=" not in environment.replace("SECRET_KEY_FILE=", "")
    assert "DATABASE_URL=mysql+pymysql://users@users-db:3306/users_prod?charset=utf8mb4" in environment


def test_the_relays_password_is_a_docker_secret_of_the_mail_workers():
    spec = docker("service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec}}", f"{STACK}_mail-worker")
    assert '"SecretName":"users_mail_password"' in spec
    assert '"MAIL_PASSWORD_FILE=/run/secrets/users_mail_password"' in spec and '"MAIL_PASSWORD=' not in spec


def test_a_reset_mail_goes_through_the_worker_to_the_catcher_and_its_link_resets_the_password():
    reset_password_by_mail(BASE_URL, CATCHER, PUBLIC_URL)


def test_every_instance_honours_a_token_until_it_is_signed_out():
    wait_for_instances(3)
    email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
    added = requests.post(f"{BASE_URL}/users", json={"username": "shared", "email": email, "password": GOOD_PASSWORD})
    assert added.status_code == 201
    token = requests.post(f"{BASE_URL}/auth/login", json={"email": email, "password": GOOD_PASSWORD}).json()["data"][
        "token"
    ]
    auth = {"Authorization": f"Bearer {token}"}
    ids = [f"shared-{uuid.uuid4().hex}" for _ in range(60)]
    answers = [requests.get(f"{BASE_URL}/auth/me", headers={**auth, "X-Request-ID": id_}) for id_ in ids]
    assert {(answer.status_code, answer.json()["data"]["email"]) for answer in answers} == {(200, email)}
    served = served_by(ids)
    assert len(served) == 3 and all(served.values()), served
    assert requests.post(f"{BASE_URL}/auth/logout", headers=auth).status_code == 204
    assert {requests.get(f"{BASE_URL}/auth/me", headers=auth).status_code for _ in range(30)} == {401}


def test_a_rolling_update_fails_no_request_and_loses_no_write(load, capsys):
    before = set(instances())
    docker("service", "update", "--force", "--detach=false", SERVICE)
    wait_for_instances(3)
    load.wait_for_more()
    failed = load.stop()
    with capsys.disabled():
        print(f"\n  rolling update: {load.report()}, failed: {dict(failed)}")
    assert not before & set(instances())  # every instance was replaced
    assert failed == {}
    assert load.all_stored()


def test_a_killed_instance_is_replaced(load, capsys):
    before, killed_at = instances(), docker("info", "--format", "{{.SystemTime}}").strip()
    docker("kill", before[0])
    wait_until(lambda: before[0] not in instances(), 30, what="the killed instance gone")
    wait_for_instances(3)
    assert len(set(instances()) - set(before)) == 1
    load.wait_for_more()
    failed = load.stop()
    with capsys.disabled():
        print(f"\n  instance killed: {load.report()}, failed: {dict(failed)}")
        print("\n".join(f"    nginx: {line}" for line in nginx_failures(killed_at)))
    # Only requests in flight on the instance when it was killed may fail, one a client connection at most. A
    # read it had not begun to answer is retried on another instance; a write is never retried: it fails (502),
    # and was not made. An answer it had begun to send is cut short (ChunkedEncodingError; for wrk, a socket
    # error): nginx cannot take back what it has passed on, and the client sees the break. Once in some ten
    # runs one of wrk's reads came back as an error answer instead (a status of 400 or more; wrk does not say
    # which): counted as cut, and nginx's log lines printed above say which and why.
    cut = {("GET", "ChunkedEncodingError"), ("POST", "ChunkedEncodingError"), ("wrk", "read"), ("wrk", "status")}
    assert set(failed) <= {("POST", 502), *cut}
    assert sum(failed.values()) <= Load.READERS + Load.WRITERS + KeepAliveClients.CONNECTIONS
    assert load.all_stored()


def test_scaling_out_and_in_while_serving(load, capsys):
    docker("service", "scale", "--detach=false", f"{SERVICE}=5")
    wait_for_instances(5)
    ids: list[str] = []

    def each_serves() -> bool:
        ids.extend(f"scale-{uuid.uuid4().hex}" for _ in range(50))
        for id_ in ids[-50:]:
            assert requests.get(f"{BASE_URL}/ping", headers={"X-Request-ID": id_}).status_code == 200
        return all(served_by(ids).values())

    wait_until(each_serves, 60, what="each of 5 instances serving requests")
    docker("service", "scale", "--detach=false", f"{SERVICE}=2")
    wait_for_instances(2)
    load.wait_for_more()
    docker("service", "scale", "--detach=false", f"{SERVICE}=3")
    wait_for_instances(3)
    failed = load.stop()
    with capsys.disabled():
        print(f"\n  scaled 3 -> 5 -> 2 -> 3: {load.report()}, failed: {dict(failed)}")
    assert failed == {}
    assert load.all_stored()


def prometheus(promql: str) -> list[dict]:
    """An instant query's result, asked from Prometheus' own container (the swarm publishes no port of it)."""
    label = f"label=com.docker.swarm.service.name={STACK}_prometheus"
    container = docker("ps", "--quiet", "--filter", label, "--filter", "status=running").split()[0]
    url = "http://127.0.0.1:9090/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    return json.loads(docker("exec", container, "wget", "-qO-", url))["data"]["result"]


def test_prometheus_scrapes_every_task_as_the_service_scales():
    def targets_up(count: int) -> bool:
        found = prometheus('up{job="users-service"} == 1')
        return len(found) == count and len(instances()) == count

    wait_until(lambda: targets_up(3), 90, what="Prometheus scraping the 3 tasks")
    assert len(prometheus('up{job="users-mail-worker"} == 1')) == 1
    docker("service", "scale", "--detach=false", f"{SERVICE}=4")
    wait_for_instances(4)
    wait_until(lambda: targets_up(4), 90, what="Prometheus scraping the 4 tasks")
    docker("service", "scale", "--detach=false", f"{SERVICE}=3")
    wait_for_instances(3)


def test_a_redis_outage_takes_no_instance_out(load, capsys):
    """Redis stopped for a minute: no instance restarted or out of nginx's rotation, reads and sign-up answered,
    sign-in and token checks 503 in the envelope with Retry-After; Redis back, sign-in works with no restart."""
    email = f"outage-{uuid.uuid4().hex[:8]}@example.com"
    assert requests.post(f"{BASE_URL}/users", json={"username": "outage", "email": email, "password": GOOD_PASSWORD}).ok
    sign_in = {"email": email, "password": GOOD_PASSWORD}
    auth = {"Authorization": f"Bearer {requests.post(f'{BASE_URL}/auth/login', json=sign_in).json()['data']['token']}"}
    before = set(instances())
    docker("service", "scale", "--detach=false", f"{STACK}_users-redis=0")
    try:
        stopped = time.monotonic()
        while time.monotonic() - stopped < 60:
            signing_in = requests.post(f"{BASE_URL}/auth/login", json=sign_in)
            checking_a_token = requests.get(f"{BASE_URL}/auth/me", headers=auth)
            for answer in (signing_in, checking_a_token):
                assert (answer.status_code, answer.headers["Retry-After"]) == (503, "5")
                assert answer.json() == STORE_UNAVAILABLE
            new = {
                "username": "outage",
                "email": f"outage-{uuid.uuid4().hex[:8]}@example.com",
                "password": GOOD_PASSWORD,
            }
            assert requests.post(f"{BASE_URL}/users", json=new).status_code == 201
            assert requests.get(f"{BASE_URL}/ready").json() == READY
            assert healthy(3)
            time.sleep(5)
        health = requests.get(f"{BASE_URL}/health")
        assert (health.status_code, health.json()["message"]) == (503, STORE_UNAVAILABLE["message"])
    finally:
        docker("service", "scale", "--detach=false", f"{STACK}_users-redis=1")
    wait_until(lambda: requests.post(f"{BASE_URL}/auth/login", json=sign_in).status_code == 200, 60, what="sign-in")
    assert set(instances()) == before  # none restarted or replaced
    load.wait_for_more()
    failed = load.stop()
    with capsys.disabled():
        print(f"\n  Redis stopped for a minute: {load.report()}, failed: {dict(failed)}")
    assert failed == {}
    assert load.all_stored()
