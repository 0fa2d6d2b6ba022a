# syntax=docker/dockerfile:1
# The Tidings server image: `docker build -t tidings .` at the repository root.
#
#   docker run tidings            -> tidings-server serve (TIDINGS_* settings from the environment)
#   docker run tidings migrate    -> tidings-server migrate (the one-shot migration step)
#
# Two stages: `build` resolves the locked Python workspace (uv.lock) into a virtual environment;
# the final stage carries only that environment and the spec/ files the server reads at start-up,
# runs as an unprivileged user and has no compiler, uv or pip cache. Checked offline by
# `make test-deploy` (hadolint, tests/infra/test_container.py).

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/tidings/venv
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
# The workspace manifests first, so the dependency layer is cached across source edits.
COPY pyproject.toml uv.lock ./
COPY server/pyproject.toml server/
COPY sdks/python/pyproject.toml sdks/python/README.md sdks/python/
RUN uv sync --frozen --no-dev --no-install-workspace --package tidings-server
COPY server/ server/
COPY spec/openapi.yaml spec/asyncapi.yaml spec/errors.yaml spec/
COPY spec/schemas/ spec/schemas/
RUN uv sync --frozen --no-dev --no-editable --package tidings-server \
 && cp -r spec "$(/opt/tidings/venv/bin/python -c 'import pathlib, tidings_server; print(pathlib.Path(tidings_server.__file__).parent)')/spec"

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="tidings-server" \
      org.opencontainers.image.description="Tidings: a self-hostable, multi-tenant realtime event platform" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 tidings \
 && useradd --system --uid 10001 --gid tidings --home-dir /var/lib/tidings --create-home --shell /usr/sbin/nologin tidings
COPY --from=build /opt/tidings/venv /opt/tidings/venv
ENV PATH=/opt/tidings/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TIDINGS_HOST=0.0.0.0 \
    TIDINGS_PORT=8080 \
    TIDINGS_GATEWAY_PORT=8081 \
    TIDINGS_DATA_DIR=/var/lib/tidings
WORKDIR /var/lib/tidings
USER 10001:10001
# 8080: REST API, SSE and /metrics; 8081: the WebSocket gateway (/v1/projects/*/ws).
EXPOSE 8080 8081
# Liveness only (/healthz answers while the process serves); /readyz also checks NATS and PostgreSQL.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"]
# SIGTERM drains: every connection is told `going_away` and resumes on another node.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tidings-server"]
CMD ["serve"]
