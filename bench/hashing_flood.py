"""`make hashing-flood`: one client address floods what hashes passwords (sign-ups with a password, and sign-ins
with unknown emails, which check a dummy hash) as fast as it can, through nginx with its deployed limits, on a
native stack of the command's own; meanwhile another client signs in again and again, and a third pings. Prints,
and writes to .artifacts/bench/hashing-flood.json, the flood's answers by status and the other clients' p50 and
p95 beside the targets (another client's sign-in p95 under 1 s, /ping's under 100 ms), and the same without the
flood, just before: measured, not asserted, on a shared machine. Each flooding thread waits as long as a refusal
tells it to: sixteen of them still ask far more often than nginx lets through, and the load measured is the
service's, not the load generator's own. Fails only on a wrong answer: a 5xx other than a 503, a refusal
without Retry-After, a flood nginx never refused, or another client refused more often than served.

    .venv/bin/python -m bench.hashing_flood BASE_URL
"""

import json
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from project.tests.contract import GOOD_PASSWORD
from tests.faults.conftest import client

OUT = Path(__file__).resolve().parents[1] / ".artifacts" / "bench" / "hashing-flood.json"
WARM_UP_SECONDS = 2
MEASURED_SECONDS = 20
SIGN_IN_EVERY = 1.5  # seconds: the other client stays within nginx's hashing limit (1r/s)
FLOODERS = 16  # the flooding client's requests in flight at once
REFUSALS = {429, 503}  # nginx's limit, and the service's hashing slots: each says when to try again
TARGETS_MS = {"other_sign_in": 1000, "ping": 100}  # p95


def percentiles(durations: list[float]) -> dict[str, float]:
    """p50 and p95 of some durations, in milliseconds, and how many there were."""
    cuts = statistics.quantiles(durations, n=20, method="inclusive")
    return {"p50_ms": round(cuts[9] * 1000, 1), "p95_ms": round(cuts[18] * 1000, 1), "count": len(durations)}


def flood(url: str, number: int, stop: threading.Event, answers: Counter, untimed: list[str]) -> None:
    """Post sign-ups with a password (even numbers) or sign-ins with unknown emails (odd) until told to stop."""
    with client("127.0.4.1") as http:
        while not stop.is_set():
            email = f"flood-{uuid.uuid4().hex}@example.com"
            if number % 2:
                answer = http.post(f"{url}/auth/login", json={"email": email, "password": GOOD_PASSWORD}, timeout=60)
            else:
                body = {"username": "flood", "email": email, "password": GOOD_PASSWORD}
                answer = http.post(f"{url}/users", json=body, timeout=60)
            answers[answer.status_code] += 1
            if answer.status_code in REFUSALS:
                if "Retry-After" not in answer.headers:
                    untimed.append(f"{answer.status_code} {answer.text}")
                time.sleep(float(answer.headers.get("Retry-After", 1)))  # as told: the load stays the service's


def others(url: str, email: str, seconds: float) -> tuple[list[tuple[float, int]], list[float]]:
    """For `seconds`: another client's sign-ins (how long each took, and its status) and a third's pings."""
    sign_ins: list[tuple[float, int]] = []
    pings: list[float] = []
    with client("127.0.4.2") as other, client("127.0.4.3") as pinger:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            answer = other.post(f"{url}/auth/login", json={"email": email, "password": GOOD_PASSWORD}, timeout=60)
            sign_ins.append((time.perf_counter() - started, answer.status_code))
            next_sign_in = started + SIGN_IN_EVERY
            while (now := time.perf_counter()) < next_sign_in:  # a person signs in now and then, within the limit
                assert pinger.get(f"{url}/ping", timeout=60).status_code == 200
                pings.append(time.perf_counter() - now)
                time.sleep(0.05)
    return sign_ins, pings


def served(sign_ins: list[tuple[float, int]]) -> list[float]:
    """How long the sign-ins that succeeded took."""
    return [took for took, status in sign_ins if status == 200]


def measure(url: str) -> dict:
    """The other clients' figures alone, then while the flood goes on, and the flood's answers."""
    email = f"other-{uuid.uuid4().hex}@example.com"
    added = requests.post(f"{url}/users", json={"username": "other", "email": email, "password": GOOD_PASSWORD})
    assert added.status_code == 201, added.text
    quiet_sign_ins, quiet_pings = others(url, email, MEASURED_SECONDS / 2)
    stop, answers, untimed = threading.Event(), Counter(), []
    with ThreadPoolExecutor(FLOODERS) as pool:
        for number in range(FLOODERS):
            pool.submit(flood, url, number, stop, answers, untimed)
        time.sleep(WARM_UP_SECONDS)
        sign_ins, pings = others(url, email, MEASURED_SECONDS)
        stop.set()
    figures = {
        "flood": {str(status): count for status, count in sorted(answers.items())},
        "other_sign_in": {**percentiles(served(sign_ins)), "answers": dict(Counter(str(s) for _, s in sign_ins))},
        "ping": percentiles(pings),
        "without_flood": {"other_sign_in": percentiles(served(quiet_sign_ins)), "ping": percentiles(quiet_pings)},
    }
    problems = [
        *(f"flood answered {status}" for status in answers if status not in {201, 401, *REFUSALS}),
        *untimed[:3],
        *(["nginx never refused the flood"] if not answers[429] else []),
        *(f"the other client got {status}" for status in {status for _, status in sign_ins} - {200, 503}),
        *(["the other client was refused more often than served"] if len(served(sign_ins)) * 2 < len(sign_ins) else []),
    ]
    return {"figures": figures, "problems": problems}


def main() -> int:
    result = measure(sys.argv[1])
    figures = result["figures"]
    for name, target in TARGETS_MS.items():
        verdict = "met" if figures[name]["p95_ms"] < target else "missed"
        figures[name]["target"] = f"p95 under {target} ms: {verdict}"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
