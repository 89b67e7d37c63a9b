# Image of the SiCooperative pipeline: Python 3.11, Java 17 for Spark, the locked environment, and the
# Spark/Delta/JDBC/MongoDB-connector jars resolved at build time (the container needs no network to run).
# Build: docker build -t sicooperative-pipeline .   (or podman build)
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    SICOOP_JARS_DIR=/app/.cache/jars \
    PATH=/app/.venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9

# Dependencies first (cached layer), then the project.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY flows ./flows
COPY tasks ./tasks
COPY expectations ./expectations
COPY sql ./sql
RUN uv sync --frozen --no-dev \
    && python -m tasks.spark_session \
    && useradd --create-home --uid 10001 sicoop \
    && mkdir -p /data/landing /data/output \
    && chown -R sicoop /app /data

USER 10001
ENV SICOOP_LANDING_DIR=/data/landing \
    SICOOP_OUTPUT_DIR=/data/output
CMD ["python", "-m", "flows.main"]
