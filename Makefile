# The README's two commands are `make demo` and `make test`; .ci/run calls `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test install serve lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install  ## generate and load the sample portfolio, then serve the dashboard on 127.0.0.1:8501
	$(BIN)/pmo demo
	$(BIN)/pmo serve

test: install  ## run every test (browser tests need /usr/bin/chromium; .ci/run installs it)
	$(BIN)/ruff check contract dashboard pipelines checks tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: install
	$(BIN)/python bench/ingest
	$(BIN)/python bench/pages
	$(BIN)/python bench/pack
	$(BIN)/python bench/load

clean:
	rm -rf $(VENV) data/warehouse data/demo test-artifacts
