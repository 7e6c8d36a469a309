# The commands the README names. Each one sets up the virtualenv it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help run stack-up stack-down clean test lint format readme-test e2e browser-test stack-test schemathesis client-test test-faults replica-test screenshot check-containers alerts-test container-test container-up container-down swarm-up swarm-down scale-test k8s-validate bench bench-compare bench-writes profile instructions request-path hashing-flood capacity

help:  ## list the targets, by what they are for
	@awk -F ':.*## ' '/^##@ /{printf "\n%s\n", substr($$0, 5)} /^[a-z0-9-]+:.*## /{printf "  %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(READY): requirements.txt requirements-dev.txt
	@echo "Installing the pinned requirements into $(VENV): a minute or so, the first time only."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

##@ Run

run: $(READY)  ## serve on 127.0.0.1:5000, or HOST= PORT= (SQLite in instance/ unless DATABASE_URL is set)
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py seed_db
	$(BIN)/python manage.py run --debug --host $(HOST) --port $(PORT)

stack-up: $(READY)  ## the production shape without Docker: nginx (STACK_PORT, 8080) -> gunicorn -> MariaDB
	scripts/stack up

stack-down:  ## stop what stack-up started, letting requests in flight finish
	scripts/stack down

clean:  ## remove the virtualenv, caches and local databases
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis .test-reports .artifacts schemathesis-report cookies
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

##@ Test

test: $(READY)  ## run the test suite (on SQLite, or on DATABASE_TEST_URL)
	$(BIN)/python manage.py test

lint: $(READY)  ## ruff: lint and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(READY)  ## ruff: fix what it can, then format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

E2E_MARKERS ?= not shutdown

readme-test: $(READY)  ## the curl blocks of the README and docs/api.md, twice, against `make run` on a fresh SQLite database (on PORT)
	scripts/serve-fresh $(PORT) $(BIN)/python -m tests.e2e.readme http://127.0.0.1:$(PORT)

e2e: $(READY)  ## the end-to-end tests against a running service at BASE_URL
	$(BIN)/python -m pytest tests/e2e -m "$(E2E_MARKERS)"

browser-test: $(READY)  ## the browser tests in headless Chromium against BASE_URL (installs Chromium if missing)
	scripts/browser-ready
	$(BIN)/python -m pytest tests/e2e -m browser

stack-test: $(READY)  ## stack-up, the end-to-end and browser tests through nginx, then a graceful stack-down
	scripts/stack test

schemathesis: $(READY)  ## schemathesis, every check, against the OpenAPI document of a live service on MariaDB
	scripts/schemathesis

$(VENV)/.client: requirements-client.txt $(READY)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-client.txt
	touch $@

client-test: $(VENV)/.client  ## a client generated from the live OpenAPI document (openapi-python-client) walks the API, on gunicorn and SQLite
	$(BIN)/python -m pytest tests/client

test-faults: $(READY)  ## fault tests on a stack of their own (MariaDB stopped, workers killed, load, limits)
	scripts/test-faults

replica-test: $(READY)  ## a primary and a read replica of the tests' own (two MariaDB servers, GTID), lag injected: who reads where
	$(BIN)/python -m pytest tests/replication

screenshot: $(READY)  ## docs/index-page.png again, in headless Chromium (installs it if missing), from PORT
	scripts/screenshot $(PORT)

##@ Deploy

check-containers: $(READY)  ## compose files, .env.example, hadolint, nginx -t: no Docker engine needed
	scripts/check-containers

container-test: $(READY)  ## every image built and both compose files run for real (installs Docker if missing)
	scripts/container-test

alerts-test:  ## Prometheus' scrape configurations and alert rules checked, and the alerts' unit tests run (promtool; installs it if missing)
	scripts/debian-packages promtool prometheus
	cd deploy/prometheus && promtool check config prometheus.yml swarm.yml && promtool check rules alerts.yml \
		&& promtool test rules alerts.test.yml

container-up: $(READY)  ## the production compose stack on https://127.0.0.1:8443 (HTTPS_PORT; HTTP_PORT 8080 redirects), its mails in MailDev on http://127.0.0.1:1080 unless .env names a relay, Prometheus on http://127.0.0.1:9090 (PROMETHEUS_PORT); SCALE=3 runs three instances
	SCALE="$(SCALE)" PROMETHEUS_PORT="$(PROMETHEUS_PORT)" scripts/containers up

container-down:  ## remove what container-up started (its data volumes too: VOLUMES=keep keeps them)
	VOLUMES="$(VOLUMES)" scripts/containers down

swarm-up: $(READY)  ## the stack on a one-node Docker Swarm: 3 instances behind nginx on https://127.0.0.1:8443 (HTTPS_PORT; HTTP_PORT 8080)
	scripts/swarm up

swarm-down:  ## remove what swarm-up started (its volumes and secrets too: VOLUMES=keep keeps them)
	VOLUMES="$(VOLUMES)" scripts/swarm down

scale-test: $(READY)  ## swarm-up, then a rolling update, a killed instance, scaling 3 -> 5 -> 2 and a minute without Redis, under kept-alive load; swarm-down
	scripts/swarm test

k8s-validate: $(READY)  ## render deploy/k8s (kustomize) and validate it strictly against Kubernetes' schemas
	scripts/k8s-validate

##@ Measure

$(VENV)/.bench: requirements-bench.txt $(READY)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

bench: $(VENV)/.bench  ## the benchmark: the stack side by side with baseline apps (a few minutes)
	scripts/bench

bench-compare: $(VENV)/.bench  ## the stack at BASE (origin/main, else HEAD) side by side with this tree's, or HEAD_REV's
	BASE="$(BASE)" HEAD_REV="$(HEAD_REV)" scripts/bench-compare

bench-writes: $(VENV)/.bench  ## what bounds POST /users, on a MariaDB of its own: commit flushing, one connection, hashing
	scripts/bench-writes

profile: $(VENV)/.bench  ## py-spy flame graphs of the service's workers under load, a scenario each, in .artifacts/profiles
	scripts/debian-packages wrk wrk
	$(BIN)/python -m bench.profile

instructions: $(VENV)/.bench  ## instructions a request, counted by callgrind: the service's /ping beside minimal Flask's
	scripts/debian-packages valgrind valgrind
	scripts/mariadb-ready users_test
	$(BIN)/python -m bench.instructions $(PATHS)

hashing-flood: $(READY)  ## one address flooding sign-ups and sign-ins through nginx: others' sign-in and /ping p95, beside no flood
	scripts/hashing-flood

request-path: $(READY)  ## the functions and files of ours one request enters (GET, POST and PATCH of a user)
	$(BIN)/python -m bench.request_path $(if $(VERBOSE),-v)

capacity: $(READY)  ## swarm-up, requests/s with 1 instance on 1 core, then with 1, 2 and 3 instances (docs/scaling.md's capacity model); swarm-down
	scripts/swarm capacity
