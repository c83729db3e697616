# mysfits.multi_region — every set-up step lives here.
#   make demo   the lab on the embedded emulator (the workshop's world, then the site playbook)
#   make demo-drill   the same, then the front door, traffic dials and the failover drill (Labs 4-5)
#   make test   emulator tests, unit tests, integration tests, ansible-lint, ansible-test sanity, molecule
#   make bench  timings and API calls of the site playbook against the emulator (docs/benchmarks.md)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2
# The converges spend much of their time waiting on the emulator's latencies (stacks, replicas, pipelines): on
# 2 cores a third worker keeps the CPUs busy (measured: the pytest tree used ~65 % of 2 cores with 2 workers).
SLOW_WORKERS ?= 3
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PYTHONPATH := $(CURDIR)

.PHONY: all venv demo demo-drill world test test-emulator test-unit test-integration test-reliability lint sanity molecule bench clean

all: venv

venv: $(STAMP)

$(STAMP): requirements/runtime.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	@# Make this checkout the installed mysfits.multi_region for Ansible and for Python imports.
	site=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') && \
	  mkdir -p $$site/ansible_collections/mysfits && \
	  ln -sfn $(CURDIR) $$site/ansible_collections/mysfits/multi_region
	touch $@

# DEMO_WORLD=workshop (default, the workshop's own world) or own (tests/fixture/primary.yml); see scripts/demo.sh.
DEMO_WORLD ?= workshop
demo: $(STAMP)
	DEMO_WORLD=$(DEMO_WORLD) PATH=$(CURDIR)/$(BIN):$$PATH $(PY) -m tests.emulator.run --log .demo-emulator.log -- $(SHELL) scripts/demo.sh

# make demo, then Labs 4-5 on the same (fresh) emulator: front door, traffic dials, the failover drill with
# failback (scripts/demo_drill.sh; report in inventory/reports/drill.html). DRILL_ARGS="-e drill_mode=dial".
demo-drill: $(STAMP)
	DEMO_WORLD=$(DEMO_WORLD) PATH=$(CURDIR)/$(BIN):$$PATH $(PY) -m tests.emulator.run --log .demo-emulator.log -- $(SHELL) scripts/demo_drill.sh

# The workshop's world (tests/fixture/workshop: what Labs 0-2 of the workshop leave) on a throw-away
# emulator; prints the names it makes (nested stack, pipelines, repositories, services, dashboard).
world: $(STAMP)
	$(PY) -m tests.emulator.run -- $(PY) -m tests.fixture.workshop

test: test-emulator test-unit test-integration lint sanity molecule

test-emulator: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) tests/emulator_tests

test-unit: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) tests/unit

# --dist loadscope, as tests/conftest.py schedules it: a module with a module-scoped world (a converged lab) runs
# on one worker, so the world is built once; every other test goes to whichever worker is free.
test-integration: $(STAMP)
	$(BIN)/pytest -n $(SLOW_WORKERS) --dist loadscope --durations=15 tests/integration

# R1 converges under injected faults, R2 converges killed and run again (docs/reliability.md).
test-reliability: $(STAMP)
	$(BIN)/pytest -n $(SLOW_WORKERS) --dist loadscope --durations=10 tests/reliability

lint: $(STAMP)
	$(BIN)/ansible-lint --profile production
	$(BIN)/cfn-lint roles/secondary_stack/files/core.yml
	cd $(CURDIR) && $(BIN)/antsibull-changelog lint

sanity: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(SHELL) scripts/sanity.sh

molecule: $(STAMP)
	@if [ -d extensions/molecule ]; then cd extensions && PATH=$(CURDIR)/$(BIN):$$PATH molecule test --all; else echo "molecule: no scenario yet"; fi

# The benchmark (docs/benchmarks.md): its own emulator with latency injection; exits 1 when a target is missed.
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .sanity .pytest_cache .demo-emulator.log
