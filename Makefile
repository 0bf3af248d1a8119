# The front door. `make run`: set up, compile the contracts, run the EURUSD pipeline.
# `make test`: set up and run every test. Both start from a fresh clone.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: all setup build generate run test conformance bench bench-corpus bench-compare bench-rust-check bench-watch \
	bench-codegen clean

all: run

# The project venv: pinned requirements plus the generated Python packages (editable): the
# trading contracts', the conformance suite's and the corpus's.
$(STAMP): requirements.txt generated/python/pyproject.toml tests/conformance/generated/python/pyproject.toml \
		tests/corpus/generated/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet -e generated/python -e tests/conformance/generated/python \
		-e tests/corpus/generated/python
	touch $(STAMP)

setup: $(STAMP)

# The official JSON-Schema-Test-Suite, from the sdist of the PyPI package `jsonschema` (pinned by
# hash); only its draft 2020-12 tests are unpacked.
SUITE := $(VENV)/json-schema-test-suite
$(SUITE)/.unpacked: tests/conformance/suite-requirements.txt $(STAMP)
	rm -rf $(SUITE) && mkdir -p $(SUITE)
	$(PY) -m pip download --quiet --no-deps --no-binary :all: --require-hashes \
		-r tests/conformance/suite-requirements.txt -d $(SUITE)
	tar xzf $(SUITE)/jsonschema-*.tar.gz -C $(SUITE) --strip-components=1 --wildcards '*/json/tests/draft2020-12/*'
	touch $@

# Each binary is built on its own, as `cargo run -p X` later resolves it (one feature set per
# package), so the runs below reuse these builds. The pipeline's broker step runs the built
# broker from .bin/ (not `cargo run`, whose environment depends on how it was started), so that
# an unchanged pipeline is up to date whichever way the runtime is started.
DEBUG := $(or $(CARGO_TARGET_DIR),target)/debug
build:
	cargo build --quiet -p contractc
	cargo build --quiet -p runtime
	cargo build --quiet -p eurusd-broker
	mkdir -p .bin && cp $(DEBUG)/eurusd-broker .bin/eurusd-broker

generate: build
	cargo run --quiet -p contractc -- build

run: setup generate
	cargo run --quiet -p runtime -- generated/plans/eurusd_pipeline@1.0.plan.bin

test: setup build
	cargo test --workspace -- --skip real_schemas_compile_or_say_what_is_unsupported_and_never_panic
	# The real-schema scan (the longest test), once and uncaptured, so its counts show.
	cargo test --quiet -p contractc-tests --test realworld -- --nocapture
	# The generated Rust crates are clippy-clean.
	cargo clippy --quiet -p trading-contracts -p conformance-contracts -p corpus-contracts -- -D warnings
	$(PY) -m pytest -q tests/python
	$(MAKE) --no-print-directory conformance

# The conformance suite: the JSON-Schema-Test-Suite against the runtime's validator, then every
# vector and sample through the generated Rust, Python and MQL4 (g++) and the runtime's
# validator; ends with the `conformance: N vectors, ...` line.
conformance: setup $(SUITE)/.unpacked
	cargo build --quiet -p contractc-conformance
	JSON_SCHEMA_TEST_SUITE=$(SUITE)/json/tests/draft2020-12 \
		cargo run --quiet -p contractc-conformance --bin jsonschema-suite
	PYTHON=$(PY) cargo run --quiet -p contractc-conformance --bin conformance

# Benchmarks (figures, not tests): validation, compile, the runtime against ninja, and a stream of
# 2,000,000 messages through one step boundary (its peak RSS).
bench:
	command -v ninja >/dev/null || (apt-get update -qq && apt-get install -y -qq ninja-build)
	cargo build --release --quiet -p runtime
	cargo bench -p contractc-benches

# contractc side by side with datamodel-code-generator and quicktype (README.md, "Speed"): the
# peers pinned under .tools/, the 1,000-contract corpus they read too (`corpus --peers`), each
# tool run cold BENCH_RUNS times (default 5), interleaved; benches/compare/compare.py measures.
TOOLS := .tools
BENCH_DIR := $(TOOLS)/bench
QUICKTYPE_VERSION := 26.0.0
DCG := $(TOOLS)/venv/bin/datamodel-codegen
QUICKTYPE := $(TOOLS)/quicktype/node_modules/.bin/quicktype
RELEASE := $(or $(CARGO_TARGET_DIR),target)/release

$(TOOLS)/venv/.installed: benches/compare/requirements.txt
	$(PYTHON) -m venv $(TOOLS)/venv
	$(TOOLS)/venv/bin/pip install --quiet -r benches/compare/requirements.txt
	touch $@

$(TOOLS)/quicktype/.installed-$(QUICKTYPE_VERSION):
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/quicktype quicktype@$(QUICKTYPE_VERSION)
	touch $@

# The binaries are copied as soon as they are built, so that a later build into the same target
# folder (another worktree's, through CARGO_TARGET_DIR) cannot change what is measured.
bench-corpus:
	cargo build --release --quiet -p contractc -p contractc-benches --bin contractc --bin corpus
	mkdir -p $(BENCH_DIR)/bin && cp $(RELEASE)/contractc $(RELEASE)/corpus $(BENCH_DIR)/bin/
	rm -rf $(BENCH_DIR)/corpus
	$(BENCH_DIR)/bin/corpus --contracts 1000 --peers --out $(BENCH_DIR)/corpus --templates $(CURDIR)/templates

bench-compare: $(TOOLS)/venv/.installed $(TOOLS)/quicktype/.installed-$(QUICKTYPE_VERSION) bench-corpus
	$(PYTHON) benches/compare/compare.py tools --corpus $(BENCH_DIR)/corpus --out $(BENCH_DIR)/peers \
		--contractc $(BENCH_DIR)/bin/contractc --dcg $(DCG) --quicktype $(QUICKTYPE)

# The Rust that contractc generates for the same corpus, checked on its own: its lines, and the
# wall time and peak RSS of a `cargo check` of the crate alone (its dependencies checked first).
bench-rust-check: bench-corpus
	$(BENCH_DIR)/bin/contractc build --config $(BENCH_DIR)/corpus/contractc.toml
	$(PYTHON) benches/compare/compare.py rust-check --crate $(BENCH_DIR)/corpus/generated/rust \
		--workspace Cargo.toml --lock Cargo.lock --out $(BENCH_DIR)/rust-check

# `contractc watch` on the same corpus: the rebuild time it prints after each kind of edit
# (BENCH_RUNS edits each), medians.
bench-watch: bench-corpus
	$(PYTHON) benches/compare/compare.py watch --corpus $(BENCH_DIR)/corpus --contractc $(BENCH_DIR)/bin/contractc \
		--out $(BENCH_DIR)/watch

# The generated code reading and writing OrderIntent, PriceTick and the large Portfolio
# (benches/codegen/messages), beside the local alternatives in the same run (README.md, "Speed"):
# Python with the pinned alternatives of benches/codegen/requirements.txt in a venv of its own
# under .tools/ (BENCH_PROCESSES processes, default 5), MQL4 through g++ -O2, then Rust
# (criterion: the generated Rust beside a serde struct with its checks, the `jsonschema` crate and
# the runtime's validator; benches/benches/validate.rs).
CODEGEN_VENV := $(TOOLS)/codegen/venv
$(CODEGEN_VENV)/.installed: benches/codegen/requirements.txt generated/python/pyproject.toml \
		tests/conformance/generated/python/pyproject.toml
	$(PYTHON) -m venv $(CODEGEN_VENV)
	$(CODEGEN_VENV)/bin/pip install --quiet -r benches/codegen/requirements.txt
	$(CODEGEN_VENV)/bin/pip install --quiet --no-deps -e generated/python -e tests/conformance/generated/python
	touch $@

bench-codegen: $(CODEGEN_VENV)/.installed
	$(CODEGEN_VENV)/bin/python benches/codegen/bench_python.py --processes $(or $(BENCH_PROCESSES),5)
	cargo run --quiet -p contractc-conformance --bin mql4-bench
	cargo bench --quiet -p contractc-benches --bench validate

clean:
	rm -rf $(VENV) .runs .bin
