# Every target bootstraps .venv on a fresh clone: nothing but python3 is needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPECTRAL_DIR := .cache/spectral

.PHONY: test unit integration lint typing serve bench fuzz mutation lint-openapi clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

test: $(STAMP) lint typing
	$(BIN)/python -m pytest -q tests

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest -q tests/integration

lint: $(STAMP)
	$(BIN)/ruff check $(wildcard crmspec mock_server conformance tests benchmarks)

typing: $(STAMP)
	$(BIN)/mypy

serve: $(STAMP)
	$(BIN)/crm-mock serve --dialect revorbit --host 127.0.0.1 --port 4010

# The OpenAPI documents under Stoplight Spectral's spectral:oas ruleset (needs node + npm).
lint-openapi:
	@test -x $(SPECTRAL_DIR)/node_modules/.bin/spectral || npm install --silent --prefix $(SPECTRAL_DIR) @stoplight/spectral-cli@6
	$(SPECTRAL_DIR)/node_modules/.bin/spectral lint --ruleset openapi/.spectral.yaml --fail-severity error openapi/revorbit.yaml openapi/olympus.yaml openapi/concord.yaml openapi/ysuite.yaml

clean:
	rm -rf $(VENV) .cache build *.egg-info
