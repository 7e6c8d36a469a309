"""Prometheus in the production stack, asked through its HTTP API: every instance of the service a target of the job
users-service (three with --scale users-service=3) and the mail worker one of its own; the requests sent over the
three instances counted exactly, across instances and gunicorn workers, in a histogram with its buckets; a killed
worker's counts kept; Prometheus published on this machine's loopback alone."""

import time
import uuid

import requests

from project.metrics import DURATION_BUCKETS
from tests.containers.conftest import PROMETHEUS_PORT, docker
from tests.containers.test_production import BASE_URL, RESOLVER_VALID_SECONDS
from tests.e2e.live import wait_until

PROMETHEUS = f"http://127.0.0.1:{PROMETHEUS_PORT}"
ROUTE = "/users/<user_id:user_id>"
LABELS = f'job="users-service", http_route="{ROUTE}", http_request_method="GET"'
COUNTED = f"http_server_request_duration_seconds_count{{{LABELS}}}"
SCRAPE_WAIT = 60  # seconds: a new container is found within 10 s (dns_sd's refresh) and scraped every 10 s


def query(promql: str) -> list[dict]:
    """The result of an instant query: one {"metric": labels, "value": [time, "value"]} per series."""
    answer = requests.get(f"{PROMETHEUS}/api/v1/query", params={"query": promql}, timeout=10).json()
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def value(promql: str) -> float:
    """A query's one value, 0 for none."""
    found = query(promql)
    return float(found[0]["value"][1]) if found else 0.0


def by_instance(promql: str) -> dict[str, float]:
    return {series["metric"]["instance"]: float(series["value"][1]) for series in query(promql)}


def settled(promql: str) -> float:
    """A query's value once a scrape no longer changes it (what earlier tests sent is all counted)."""
    found = [value(promql)]

    def unchanged() -> bool:
        time.sleep(11)  # a scrape at least
        found.append(value(promql))
        return found[-1] == found[-2]

    wait_until(unchanged, SCRAPE_WAIT, what=f"{promql} settling")
    return found[-1]


def workers(container: str) -> list[str]:
    """The gunicorn workers of an instance: the children of its master (the container's first process)."""
    return docker("exec", container, "cat", "/proc/1/task/1/children").stdout.split()


def test_prometheus_scrapes_three_instances_and_counts_every_request_once(prod):
    prod("up", "-d", "--wait", "--no-recreate", "--scale", "users-service=3")
    try:
        wait_until(lambda: value('count(up{job="users-service"} == 1)') == 3, SCRAPE_WAIT, what="three targets up")
        assert value('count(up{job="users-mail-worker"} == 1)') == 1
        user = requests.post(
            f"{BASE_URL}/users",
            json={"username": "counted", "email": f"counted-{uuid.uuid4().hex[:8]}@example.com"},
            timeout=10,
        )
        path = f"{BASE_URL}/users/{user.json()['data']['id']}"
        before, sent = settled(f"sum({COUNTED})"), 0

        def spread() -> bool:  # until nginx has found the new instances (its resolver's `valid`) and each served
            nonlocal sent
            for _ in range(30):
                assert requests.get(path, timeout=10).status_code == 200
            sent += 30
            counted = by_instance(f"sum by (instance) ({COUNTED})")
            print(f"sent {sent}, counted by instance: {counted}")
            return len(counted) == 3

        wait_until(spread, SCRAPE_WAIT + RESOLVER_VALID_SECONDS, what="each instance serving requests")
        wait_until(lambda: value(f"sum({COUNTED})") == before + sent, SCRAPE_WAIT, what=f"{sent} requests counted")
        print(f"\n  requests counted by instance: {by_instance(f'sum by (instance) ({COUNTED})')}")
        time.sleep(11)  # another scrape: still exactly what was sent
        assert value(f"sum({COUNTED})") == before + sent

        buckets = query(f"sum by (le) (http_server_request_duration_seconds_bucket{{{LABELS}}})")
        assert sorted(float(series["metric"]["le"]) for series in buckets) == [*DURATION_BUCKETS, float("inf")]
        assert max(float(series["value"][1]) for series in buckets) == before + sent  # +Inf holds them all

        # A worker killed: its counts stay in the sum of its instance.
        container = prod.containers("users-service")[0]
        instance = (
            f"{prod.inspect(container)['NetworkSettings']['Networks'][f'{prod.project}_metrics']['IPAddress']}:9200"
        )
        counted_there = by_instance(f"sum by (instance) ({COUNTED})")[instance]
        running, killed_at = workers(container), time.time()
        docker("exec", container, "python", "-c", f"import os, signal; os.kill({running[0]}, signal.SIGKILL)")
        wait_until(
            lambda: running[0] not in (now := workers(container)) and len(now) == len(running),
            30,
            what="gunicorn replacing the killed worker",
        )
        wait_until(
            lambda: value(f'timestamp(up{{job="users-service", instance="{instance}"}})') > killed_at,
            SCRAPE_WAIT,
            what="a scrape after the kill",
        )
        assert by_instance(f"sum by (instance) ({COUNTED})")[instance] == counted_there
        assert value(f"sum({COUNTED})") == before + sent
    finally:
        prod("up", "-d", "--wait", "--no-recreate", "--scale", "users-service=1")
        time.sleep(RESOLVER_VALID_SECONDS + 1)  # nginx forgets the removed instances (test_production says why)


def test_prometheus_is_published_on_loopback_alone(prod):
    bindings = prod.inspect(prod.container("prometheus"))["HostConfig"]["PortBindings"]["9090/tcp"]
    assert [(binding["HostIp"], binding["HostPort"]) for binding in bindings] == [("127.0.0.1", str(PROMETHEUS_PORT))]
    assert requests.get(f"{PROMETHEUS}/-/ready", timeout=10).status_code == 200
