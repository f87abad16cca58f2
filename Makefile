# kartomat — the commands the README promises. Everything bootstraps what it needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: test lint fmt typecheck services venv clean bench demo run reliability

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

## services: start what the tests talk to (PostgreSQL on 127.0.0.1:5432).
services:
	@bash scripts/ensure-services.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy domain services storage kartomat scheduler mailer bot

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## test: lint, type check and every test (PostgreSQL tests included, never skipped).
test: venv services lint typecheck
	KARTOMAT_REQUIRE_POSTGRES=1 $(BIN)/pytest -q

bench: venv services
	$(BIN)/python bench/collection.py
	$(BIN)/python bench/indicators.py
	$(BIN)/python bench/schedule.py
	$(BIN)/python bench/mail.py --backend sqlite
	$(BIN)/python bench/mail.py --backend postgres
	$(BIN)/python bench/bot.py --part a --managers 10
	$(BIN)/python bench/bot.py --part both --managers 40

## demo: the whole pipeline on embedded defaults (SQLite in ./demo/, everything on loopback).
demo: venv
	$(BIN)/python -m kartomat.demo.run demo

## reliability: the full fault-injection run (50 kill -9 of serve, 3 rounds of 10 s outages of
## the Bot API, SMTP, IMAP and PostgreSQL); figures in docs/reliability.md.
reliability: venv services
	KARTOMAT_RELIABILITY_KILLS=50 KARTOMAT_RELIABILITY_OUTAGE_SECONDS=10 \
	KARTOMAT_RELIABILITY_OUTAGE_ROUNDS=3 $(BIN)/pytest tests/reliability -q -s -p no:cacheprovider

## run: the service with the settings of .env (see .env.example).
run: venv
	$(BIN)/kartomat serve

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
