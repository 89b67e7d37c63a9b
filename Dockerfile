# Image of the SiCooperative pipeline: Python 3.11, Java 17 for Spark, the locked environment (uv.lock, no dev
# group), and the Spark/Delta/JDBC/MongoDB-connector jars resolved at build time: the container needs no network
# to run. Runs as the non-root uid 10001; /data/landing and /data/output are its default folders.
#
#   docker build -t sicooperative-pipeline .                 (BuildKit; official python:3.11-slim-bookworm base)
#   bash scripts/container/build_image.sh                     (podman, local Debian base; see that script)
#
# BASE_IMAGE may be any Debian 12 image with Python 3.11 as `python3`: the official python image (/usr/local) or
# plain Debian with its python3 package (/usr/bin/python3, pip externally managed: uv needs neither).
# Extra CA certificates (a corporate or TLS-inspecting proxy): put PEM files named *.crt in
# scripts/container/ca-certificates/ (git-ignored). They are trusted by the system store, Python, uv, pip and
# Java (ca-certificates-java), at build time and at run time. With none there, nothing changes.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS base
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN --mount=type=bind,source=scripts/container/ca-certificates,target=/tmp/extra-ca \
    if ls /tmp/extra-ca/*.crt >/dev/null 2>&1; then \
        cp /tmp/extra-ca/*.crt /usr/local/share/ca-certificates/ && update-ca-certificates; \
    fi

# uv, from PyPI with whichever pip the base has (Debian's python3 has none: python3-pip stays in this stage).
FROM base AS uv
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# scripts/bootstrap.sh reads this line: the host's uv is the same version.
ARG UV_VERSION=0.13.9
RUN if ! python3 -m pip --version >/dev/null 2>&1; then \
        apt-get update && apt-get install -y --no-install-recommends python3-pip; \
    fi \
    && PIP_CERT=/etc/ssl/certs/ca-certificates.crt python3 -m pip install --no-cache-dir --disable-pip-version-check \
        --target /opt/uv "uv==${UV_VERSION}" \
    && /opt/uv/bin/uv --version

FROM base
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
LABEL org.opencontainers.image.title="sicooperative-pipeline" \
      org.opencontainers.image.description="SiCooperative card-movement pipeline (Prefect 3, Spark 4.2, Delta)"

# Java 17 for Spark. ca-certificates-java builds Java's trust store from the system one (extra CAs included).
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log

# uv is copied (38 MB), not bind-mounted from its stage: podman < 4.4 cannot mount a cached stage (podman#16281).
COPY --from=uv /opt/uv/bin/uv /usr/local/bin/uv
# Build-time settings of uv (ARGs: not kept in the image). UV_CACHE_DIR may point at a volume holding a warm uv
# cache (`podman build --volume ...`); otherwise a build cache mount keeps downloads out of the layers.
ARG UV_CACHE_DIR=/root/.cache/uv
ARG UV_COMPILE_BYTECODE=1
ARG UV_LINK_MODE=copy
ARG UV_SYSTEM_CERTS=1
ARG UV_PYTHON_DOWNLOADS=never
ENV UV_PROJECT_ENVIRONMENT=/app/.venv \
    SICOOP_JARS_DIR=/app/.cache/jars \
    PATH=/app/.venv/bin:$PATH
WORKDIR /app

# Dependencies first (a layer that changes only with uv.lock), then the project. The test suites bundled in
# pandas, numpy, scipy and pyarrow (about 90 MB, never imported at run time) are left out.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project \
    && find /app/.venv/lib -type d -name tests \( -path '*-packages/pandas/*' -o -path '*-packages/numpy/*' \
        -o -path '*-packages/scipy/*' -o -path '*-packages/pyarrow/*' \) -prune -exec rm -rf {} +
COPY flows ./flows
COPY tasks ./tasks
COPY expectations ./expectations
COPY sql ./sql
# The dashboard (`python -m dashboard`, SICOOP_DASHBOARD_ADDRESS=0.0.0.0 to publish its port): its packages are
# already among the dependencies.
COPY dashboard ./dashboard
# The project (editable: its modules find expectations/ and sql/ next to them), then the jars: Spark's Ivy
# resolves them from Maven Central into a build cache (a rebuild after a code change downloads nothing); only the
# ones tasks.spark_session lists (and prints) are copied into the image.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=cache,target=/root/.cache/sicoop-jars \
    uv sync --frozen --no-dev \
    && mkdir -p "$SICOOP_JARS_DIR/jars" \
    && SICOOP_JARS_DIR=/root/.cache/sicoop-jars python -m tasks.spark_session | grep -E '^/.*\.jar$' \
        | xargs cp -t "$SICOOP_JARS_DIR/jars/" \
    && python -c 'from tasks.settings import get_settings; from tasks.spark_session import cached_jars; assert cached_jars(get_settings().jars_dir)' \
    && rm -rf /tmp/* spark-warehouse metastore_db derby.log \
    && useradd --no-log-init --create-home --uid 10001 --user-group sicoop \
    && install -d -o 10001 -g 10001 /data /data/landing /data/output \
    && chown 10001:10001 /app

# The data docs' CSS, JS and fonts (GX links them on CDNs): the pinned npm files, checked against their pins;
# the gate copies them into each data docs site (tasks/quality/offline_docs.py), so pages need no internet.
ENV SICOOP_DOCS_ASSETS_DIR=/app/.cache/docs-assets
RUN python -m tasks.quality.fetch_docs_assets

# Only /app itself (Spark and GX scratch files), /data and the home folder are writable by the run-time user.
USER 10001
ENV SICOOP_LANDING_DIR=/data/landing \
    SICOOP_OUTPUT_DIR=/data/output
CMD ["python", "-m", "flows.main"]
