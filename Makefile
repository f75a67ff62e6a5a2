# eurokg — set-up and main jobs. Each target creates its own virtual environment.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test validate clean distclean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/eurokg build

test: $(STAMP)
	$(BIN)/python tests/fetch_shacl_suite.py
	$(BIN)/python -m pytest

validate: $(STAMP)
	$(BIN)/eurokg validate

clean:
	rm -rf build .pytest_cache

distclean: clean
	rm -rf $(VENV) src/*.egg-info
