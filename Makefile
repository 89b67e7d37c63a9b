# SiCooperative pipeline. `make run` runs the job end to end; `make test` runs every test tier.
SHELL := /bin/bash
UV := uv run --frozen
PYTEST := $(UV) pytest

.PHONY: help install services services-down run test test-unit test-integration test-e2e lint typecheck check bench clean

help:
	@echo "make run          install, start local services, run the pipeline end to end (100,000 movimentos)"
	@echo "make test         install, start local services, run unit + integration + e2e tests"
	@echo "make test-unit | test-integration | test-e2e   one tier"
	@echo "make lint typecheck bench services services-down clean"

install:
	@bash scripts/bootstrap.sh

services:
	@bash scripts/services/up.sh

services-down:
	@bash scripts/services/down.sh

run: install services
	$(UV) python -m flows.main $(ARGS)

test: install services
	$(PYTEST) tests

test-unit: install
	$(PYTEST) tests/unit

test-integration: install services
	$(PYTEST) tests/integration

test-e2e: install services
	$(PYTEST) tests/e2e

lint: install
	$(UV) ruff check flows tasks tests bench
	$(UV) ruff format --check flows tasks tests bench

typecheck: install
	$(UV) mypy

check: lint typecheck test

bench: install services
	$(UV) python -m bench.pipeline $(ARGS)

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache spark-warehouse
