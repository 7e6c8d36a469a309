# The users service. Wheels are built in one stage and installed into a slim runtime stage that runs
# as a non-root user; `production` (the last stage, the default) serves with gunicorn, `dev` adds the
# test tools and runs Flask's reloading server. PYTHON_IMAGE names the base: the official image, or
# a stand-in (scripts/stand-ins) where no registry can be reached.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS wheels
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements.txt requirements-dev.txt ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements-dev.txt

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin app
COPY requirements.txt /opt/
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels -r /opt/requirements.txt
WORKDIR /app
# The code belongs to root: the service can read it, not change it. It may write only the instance
# folder, where the embedded SQLite database lives when no DATABASE_URL is set.
RUN install -d -o 10001 -g 10001 /app/instance
COPY manage.py gunicorn.conf.py pyproject.toml ./
COPY scripts/start scripts/
COPY project/ project/
EXPOSE 5000

FROM runtime AS dev
# make: the suite checks the Makefile the README's commands run.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
COPY requirements-dev.txt /opt/
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels -r /opt/requirements-dev.txt
USER 10001:10001
CMD ["python", "manage.py", "run", "--host", "0.0.0.0", "--port", "5000", "--reload", "--no-debugger"]

FROM runtime AS production
# The metrics (every worker's, added up) on a port of their own, for Prometheus on the stack's network: nginx
# passes on port 5000 alone.
ENV APP_SETTINGS=project.config.ProductionConfig \
    GUNICORN_BIND=0.0.0.0:5000 \
    METRICS_BIND=0.0.0.0:9200
EXPOSE 5000 9200
USER 10001:10001
# Readiness (/ready: the database answers), which compose waits for before starting nginx; /ping is liveness.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/ready', timeout=2)"]
CMD ["scripts/start"]
