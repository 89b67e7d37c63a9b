# SiCooperative pipeline. `make run` runs the job end to end; `make test` runs every test tier.
SHELL := /bin/bash
# uv at the Dockerfile's version: scripts/bootstrap.sh puts it in .local/bin when PATH has no such uv.
export PATH := $(CURDIR)/.local/bin:$(PATH)
UV := uv run --frozen
PYTEST := $(UV) pytest

.PHONY: help install docs-assets services services-down browser run test test-unit test-integration test-e2e lint typecheck check bench clean \
	dashboard \
	server pools automations deploy worker-process worker-docker watch watch-s3 purge-rejected podman image docker-api

# Deployment (README "Deploy"): a self-hosted Prefect server, two work pools, the deployments, workers, watchers.
# Each defaults to the local server and folders unless already set in the environment.
# Prefect clients: an already-set PREFECT_API_URL wins (with the environment's own PREFECT_API_AUTH_STRING, if
# any); otherwise the local server's URL and auth string from .local/prefect.env (scripts/services/
# start_prefect.sh), sourced so the secret never appears on a command line; otherwise http://127.0.0.1:4200/api.
LOCAL_PREFECT_ENV := if [ -z "$${PREFECT_API_URL:-}" ] && [ -f .local/prefect.env ]; then \
	set -a; . ./.local/prefect.env; set +a; fi;
API := $(LOCAL_PREFECT_ENV) export PREFECT_API_URL="$${PREFECT_API_URL:-http://127.0.0.1:4200/api}";
PREFECT := $(UV) prefect --no-prompt
SICOOP_PROJECT_DIR ?= $(CURDIR)
SICOOP_LANDING_VOLUME ?= $(CURDIR)/data/landing
SICOOP_OUTPUT_VOLUME ?= $(CURDIR)/data/output
LANDING ?= data/landing
LANDING_S3 ?= s3://sicooperative/landing
SICOOP_S3_LANDING ?= $(LANDING_S3)

help:
	@echo "make run          install, start local services, run the pipeline end to end (100,000 movimentos)"
	@echo "make test         install, start local services, run unit + integration + e2e tests"
	@echo "make test-unit | test-integration | test-e2e   one tier"
	@echo "make dashboard    the dashboard over SICOOP_OUTPUT_DIR on http://127.0.0.1:8501 (SICOOP_DASHBOARD_PORT)"
	@echo "make lint typecheck bench services services-down browser docs-assets clean"
	@echo "make server pools deploy worker-process worker-docker watch watch-s3   deploy and trigger (README)"
	@echo "make automations   alerts: failed run, failed gate, no batch for SICOOP_FRESHNESS_WINDOW_SECONDS (26 h)"
	@echo "make purge-rejected [DAYS=30] [ARGS=--dry-run]   delete rejected batches older than DAYS days"
	@echo "make podman image docker-api   container image and Docker API with podman (no Docker engine)"

install:
	@bash scripts/bootstrap.sh
	@$(UV) python -m tasks.quality.fetch_docs_assets

# The data docs' CSS, JS and fonts (GX links them on CDNs): pinned npm files into .cache/docs-assets, checked
# against their pins (tasks/quality/docs_assets.py, docs_assets.sha256); the gate copies them into the site.
docs-assets:
	@$(UV) python -m tasks.quality.fetch_docs_assets

services:
	@bash scripts/services/up.sh

services-down:
	@bash scripts/services/down.sh

# The run goes to the local Prefect server that `services` started (UI at http://127.0.0.1:4200), unless
# PREFECT_API_URL is set (that server) or SICOOP_LOCAL_PREFECT=0 (a temporary server for this run).
run: install services
	if [ "$${SICOOP_LOCAL_PREFECT:-1}" != 0 ]; then $(LOCAL_PREFECT_ENV) fi; $(UV) python -m flows.main $(ARGS)

# Streamlit, headless and offline (no usage statistics), on SICOOP_DASHBOARD_ADDRESS:SICOOP_DASHBOARD_PORT
# (default 127.0.0.1:8501), reading the output that SICOOP_OUTPUT_DIR names (README "Dashboard").
dashboard: install
	$(UV) python -m dashboard

# The browser tests need Debian's headless Chromium (installed once).
browser:
	@bash scripts/test/install_chromium.sh

test: install services browser
	$(PYTEST) tests

test-unit: install
	$(PYTEST) tests/unit

test-integration: install services
	$(PYTEST) tests/integration

test-e2e: install services browser
	$(PYTEST) tests/e2e

lint: install
	$(UV) ruff check flows tasks tests bench dashboard
	$(UV) ruff format --check flows tasks tests bench dashboard
	$(UV) hadolint --failure-threshold error Dockerfile

typecheck: install
	$(UV) mypy

check: lint typecheck test

bench: install services
	if [ "$${SICOOP_LOCAL_PREFECT:-1}" != 0 ]; then $(LOCAL_PREFECT_ENV) fi; $(UV) python -m bench.pipeline $(ARGS)

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache spark-warehouse

server: install
	@bash scripts/services/start_prefect.sh
	@echo "Prefect UI: http://127.0.0.1:$${SICOOP_LOCAL_PREFECT_PORT:-4200} (log in with the auth string in .local/prefect.auth);" \
		"clients: set -a; . .local/prefect.env; set +a"

pools: install
	$(API) $(PREFECT) work-pool create sicooperative-process --type process --overwrite
	$(API) $(PREFECT) work-pool create sicooperative-docker --type docker --overwrite
	# One run at a time per pool (one Spark per worker machine), and one writer at a time across both pools:
	# the global concurrency limits of deploy/concurrency_limits.yaml (SICOOP_WRITER_LIMIT), created or updated.
	$(API) $(PREFECT) work-pool set-concurrency-limit sicooperative-process 1
	$(API) $(PREFECT) work-pool set-concurrency-limit sicooperative-docker 1
	$(API) $(UV) python -m flows.ops.limits deploy/concurrency_limits.yaml

# The automations of deploy/automations.yaml, created or updated by name, and their notification block
# (SICOOP_ALERT_BLOCK; with SICOOP_ALERT_WEBHOOK_URL set in the environment, created or updated from it).
automations: install
	$(API) $(UV) python -m flows.ops.automations deploy/automations.yaml

deploy: install
	mkdir -p $(SICOOP_LANDING_VOLUME) $(SICOOP_OUTPUT_VOLUME)
	$(API) SICOOP_PROJECT_DIR=$(SICOOP_PROJECT_DIR) SICOOP_LANDING_VOLUME=$(SICOOP_LANDING_VOLUME) \
	SICOOP_OUTPUT_VOLUME=$(SICOOP_OUTPUT_VOLUME) SICOOP_S3_LANDING=$(SICOOP_S3_LANDING) $(PREFECT) deploy --all

worker-process: install
	$(API) $(PREFECT) worker start --pool sicooperative-process

worker-docker: install
	$(API) $(PREFECT) worker start --pool sicooperative-docker

watch: install
	$(API) $(UV) python -m flows.watch $(LANDING) --landing local

watch-s3: install
	$(API) $(UV) python -m flows.watch $(LANDING_S3) --landing local-s3

# Rejected batches (<landing>/_rejected/) older than DAYS days (default: SICOOP_REJECTED_RETENTION_DAYS, 30).
purge-rejected: install
	$(UV) python -m tasks.landing.purge $(if $(DAYS),--older-than-days $(DAYS)) $(ARGS)

podman:
	@bash scripts/container/setup_podman.sh

image: podman
	@bash scripts/container/build_base.sh
	@bash scripts/container/build_image.sh

docker-api: podman
	@bash scripts/container/start_docker_api.sh
