# One command for everything: each target creates .venv and installs what it needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test lint bench clean-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# the machine's pip 23.2 resolves trafilatura without lxml_html_clean; a current pip does not
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[postgres]'
	$(BIN)/python -m pip install -q --group dev
	# the web UI tests drive Debian's Chromium (no browser can be downloaded); CJK fonts for its pages
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/govnews demo --db sqlite:///data/govnews.db

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python bench/crawl.py

clean-venv:
	rm -rf $(VENV)
