# Jalinan: two commands on a fresh machine (Python 3.11+, make, git):
#   make run    install, ingest the curated facts into the embedded store, serve
#   make test   install, lint, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= data/store
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed
# Where the source article texts are, if anywhere: with them, ingest checks every quote verbatim.
ARTICLES ?= ../shared/articles
ARTICLES_ARG := $(if $(wildcard $(ARTICLES)/*.txt),--articles $(ARTICLES),)

# Debian packages some tests need beyond PyPI: the OWL API (the library Protégé uses) for the
# OWL 2 DL profile check of the OWL export, and a JDK to run its checker. Installed where apt-get
# runs as root (here, CI); elsewhere those tests skip, saying how to install (under CI=true they fail).
OWLAPI_JAR := /usr/share/java/owlapi-distribution.jar

.PHONY: run test install system ontology ingest serve lint bench clean backends browser screenshots balancers

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP) system

system:
	@missing="$$(test -f $(OWLAPI_JAR) || echo libowlapi-java) $$(command -v javac >/dev/null || echo default-jdk-headless)"; \
	if [ -n "$$(echo $$missing)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y --no-install-recommends $$missing \
	      || (apt-get update && apt-get install -y --no-install-recommends $$missing); \
	  else \
	    echo "not installing $$missing (needs root and apt-get): the OWL 2 DL profile test will skip"; \
	  fi; \
	fi

run: $(STAMP)
	$(BIN)/jalinan ingest --store $(STORE) $(ARTICLES_ARG)
	$(BIN)/jalinan stats --store $(STORE)
	$(BIN)/jalinan serve --store $(STORE) --host $(HOST) --port $(PORT)

test: $(STAMP) system backends browser balancers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# The remote-backend tests start Virtuoso 7 (Debian) and `oxigraph serve` (PyPI, the bench extra)
# on loopback. Virtuoso is installed where missing and apt can (root); elsewhere its tests skip
# and say how to install it (under CI=true they fail). Quick when already there.
VIRTUOSO_PACKAGE := virtuoso-opensource-7-bin
backends:
	@if command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(VIRTUOSO_PACKAGE) >/dev/null || \
		{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(VIRTUOSO_PACKAGE) >/dev/null; }; \
	else echo "install $(VIRTUOSO_PACKAGE) (no apt here): the Virtuoso backend tests skip without it"; fi

# The read-replica deployment's load balancers (docs/replicas/): the tests check both documented
# configurations and run HAProxy in front of two replicas on loopback. Installed where missing and
# apt can (root); elsewhere those tests skip and say how to install them (under CI=true they fail).
BALANCER_PACKAGES := haproxy nginx
balancers:
	@if command -v haproxy >/dev/null && command -v nginx >/dev/null || \
	    { [ -x /usr/sbin/haproxy ] && [ -x /usr/sbin/nginx ]; }; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BALANCER_PACKAGES) >/dev/null || \
		{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BALANCER_PACKAGES) >/dev/null; }; \
	else echo "install $(BALANCER_PACKAGES) (no apt here): the load-balancer tests skip without them"; fi

# The browser tests drive Debian's chromium (Playwright cannot download its own here), with a
# small Chinese font so pages and screenshots show the zh labels. Installed where missing and apt
# can (root); elsewhere those tests skip and say how to install it. Quick when already there.
CHROMIUM ?= /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@if [ -x $(CHROMIUM) ] && fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BROWSER_PACKAGES) >/dev/null || \
		{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BROWSER_PACKAGES) >/dev/null; } || \
		echo "could not install $(BROWSER_PACKAGES): browser tests skip without chromium (fail under CI=true)"; \
	else echo "install $(BROWSER_PACKAGES) (no apt here): browser tests skip without chromium"; fi

# PNGs of the main pages, desktop and 375 px wide, into ./screenshots (git ignores it).
screenshots: $(STAMP) browser
	$(BIN)/python -m tests.screenshots --out screenshots

# Regenerate the RDF/XML export from the one hand-edited Turtle source.
ontology: $(STAMP)
	$(BIN)/python -m jalinan.ontology.build

ingest: $(STAMP)
	$(BIN)/jalinan ingest --store $(STORE) $(ARTICLES_ARG)

serve: $(STAMP)
	$(BIN)/jalinan serve --store $(STORE) --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m bench $(if $(FULL),--full,)

clean:
	rm -rf $(VENV) data build *.egg-info
