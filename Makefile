# Every target bootstraps .venv on a fresh clone: nothing but python3 is needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPECTRAL_DIR := .cache/spectral
# openapi-typescript (and tsc for its output) for tests/integration/test_generated_clients.py, pinned
TYPESCRIPT_TOOLS := openapi-typescript@7.13.0 typescript@5.9.3
TYPESCRIPT_DIR   := .cache/openapi-typescript
TYPESCRIPT_STAMP := $(TYPESCRIPT_DIR)/.installed

.PHONY: test test-postgres test-granian test-gunicorn unit integration lint typing serve bench bench-smoke fuzz mutation equivalents \
        lint-openapi typescript-tools clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The mutant and equivalent zoos (a whole suite run per mutant or variant, each in its own process state) run on
# both cores: together they are most of the time CI spends.
# The unit and integration tests run on both cores too, with line coverage measured in every process they start
# ([tool.coverage] in pyproject.toml); each package must keep COVERAGE_FLOOR percent of its lines covered.
COVERAGE_FLOOR := 90
export COVERAGE_FILE := $(CURDIR)/.coverage

test: $(STAMP) typescript-tools lint typing
	rm -f .coverage .coverage.*
	$(BIN)/python -m pytest -q -n 2 tests --ignore=tests/mutants --ignore=tests/equivalents --cov --cov-report=
	@for package in crmspec mock_server conformance; do \
		printf "line coverage of %-12s " $$package; \
		$(BIN)/coverage report --include="$$package/*" --fail-under=$(COVERAGE_FLOOR) --format=total || \
			{ echo "  (below the floor of $(COVERAGE_FLOOR)%: coverage report --include='$$package/*' lists the misses)"; exit 1; }; \
	done
	$(BIN)/python -m pytest -q -n 2 tests/mutants tests/equivalents

# Without npm the generated-client test skips its TypeScript part (and fails under CI=true).
typescript-tools: $(TYPESCRIPT_STAMP)

$(TYPESCRIPT_STAMP): Makefile  # a changed pin installs again
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(TYPESCRIPT_DIR) $(TYPESCRIPT_TOOLS) && touch $@; \
	else echo "npm not found: the TypeScript client check will be skipped"; fi

# The mock's own suite once more with every state in PostgreSQL (CRM_MOCK_BACKEND=postgres): a throwaway server
# (tests/postgres.py), or CRM_TEST_POSTGRES_URL. Without one it stops with one line; under CI=true that fails.
MOCK_SUITE := $(wildcard tests/integration/test_mock_*.py tests/integration/test_behaviours_*.py \
                         tests/integration/test_hardening_*.py) tests/fuzz/test_fuzz_the_mock.py
test-postgres: $(STAMP)
	CRM_MOCK_BACKEND=postgres $(BIN)/python -m pytest -q $(MOCK_SUITE)

# The tests that start `crm-mock serve` (hardening, concurrency, kill -9, graceful stop, the CLI) once more under
# one HTTP server (CRM_MOCK_SERVER, tests/servers.py); `make test` runs them under the default, granian.
SERVE_SUITE := $(wildcard tests/integration/test_hardening_*.py tests/integration/test_serve*.py \
                          tests/integration/test_frontend_serving.py tests/integration/test_mock_credential_lifetime.py)
test-granian test-gunicorn: test-%: $(STAMP)
	CRM_MOCK_SERVER=$* $(BIN)/python -m pytest -q $(SERVE_SUITE)

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest -q tests/integration

lint: $(STAMP)
	$(BIN)/ruff check $(wildcard crmspec mock_server conformance tests benchmarks)

typing: $(STAMP)
	$(BIN)/mypy

# Schemathesis against every API at the large size: >= 5,000 seeded cases per API, every phase and check
# (`make test` runs the same tests at >= 500 cases per API). Takes many minutes. See tests/fuzz/harness.py.
fuzz: $(STAMP)
	CRM_FUZZ=full $(BIN)/python -m pytest -q -s tests/fuzz/test_fuzz_the_mock.py

# Every mutant of tests/mutants/zoo.py under every check family: reports/mutation.md; exit 1 if one survives.
mutation: $(STAMP)
	$(BIN)/python -m tests.mutants.run reports

# Every variant of tests/equivalents/zoo.py (behaviours the pages allow), alone and all of one API's at once,
# at --level standard: reports/equivalents.md; exit 1 if the suite refuses one (a false positive of a check).
equivalents: $(STAMP)
	$(BIN)/python -m tests.equivalents.run reports

# `make serve DIALECT=olympus PORT=4011 RECORDS=200 SEED=7`. Plain `=`: only the command line overrides these,
# not a PORT or SEED that happens to be in the shell's environment.
DIALECT = revorbit
PORT    = 4010
RECORDS = 50
SEED    = 42

serve: $(STAMP)
	$(BIN)/crm-mock serve --dialect $(DIALECT) --host 127.0.0.1 --port $(PORT) --records $(RECORDS) --seed $(SEED)

# The mock against bare Flask, Prism, json-server and Mockoon, growth to 100k deals, start-up and conformance runs
# -> reports/benchmarks.md (needs wrk; Prism when installed in .cache/prism). See benchmarks/run.py.
# json-server and the Mockoon CLI (pinned in benchmarks/peers.py) are installed into .cache/ first when npm is
# there; without npm, or offline, the run skips them with one line each.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.peers install
	$(BIN)/python -m benchmarks.run

# CI: the same harness, tiny and short (no wrk, Prism or network needed; no time is judged).
bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks.run --smoke

# The OpenAPI documents under Stoplight Spectral's spectral:oas ruleset (needs node + npm).
lint-openapi:
	@test -x $(SPECTRAL_DIR)/node_modules/.bin/spectral || npm install --silent --prefix $(SPECTRAL_DIR) @stoplight/spectral-cli@6
	$(SPECTRAL_DIR)/node_modules/.bin/spectral lint --ruleset openapi/.spectral.yaml --fail-severity error openapi/revorbit.yaml openapi/olympus.yaml openapi/concord.yaml openapi/ysuite.yaml

clean:
	rm -rf $(VENV) .cache build *.egg-info
