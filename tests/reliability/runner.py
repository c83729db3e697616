"""Running the lab against an emulator for the reliability tests: the primary fixture, the converge, the state.

The converge is the site playbook over the lab's inventory (``playbooks/multi_region.yml`` with
``inventory/regions.yml``), exactly as ``make demo`` runs it; its readiness report goes to a temporary folder.
"""
import json
import os
import re

import boto3

from tests.emulator.client import DUMMY_CREDENTIALS
from tests.integration.harness import REPO_ROOT, run_playbook
from tests.reliability import state

FIXTURE = "tests/fixture/primary.yml"
SITE = "playbooks/multi_region.yml"
INVENTORY = "inventory/regions.yml"
MYSFITS = os.path.join(REPO_ROOT, "tests", "fixture", "files", "mysfits.json")


def client_factory(endpoint):
    """``client(service, region)``: plain boto3 clients on the emulator (botocore's default retries)."""
    def client(service, region=state.PRIMARY):
        return boto3.client(service, region_name=region, endpoint_url=endpoint,
                            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    return client


def build_primary(aws_env):
    """The primary region as Labs 0-2 leave it (fault-free: the fixture is the starting point, not the subject)."""
    run = run_playbook(FIXTURE, aws_env)
    assert run.rc == 0, run
    return run


def converge(aws_env, report_dir, env=None, readiness=True):
    """The site playbook; ``readiness=False`` leaves out its readiness report (``--skip-tags readiness``), which
    reads and changes nothing: for runs judged by the state they leave, not by the report."""
    return run_playbook(SITE, aws_env, inventory=INVENTORY, extra_vars={"readiness_report_dir": str(report_dir)},
                        env=env, extra_args=() if readiness else ("--skip-tags", "readiness"))


def snapshot(endpoint):
    return state.snapshot(client_factory(endpoint))


def fixture_item_count():
    with open(MYSFITS) as handle:
        return len(json.load(handle))


def failures(stdout):
    """The ``fatal:``/``failed:`` lines of an ansible-playbook output, with the task header before each."""
    lines = stdout.splitlines()
    found = []
    task = None
    for line in lines:
        if line.startswith("TASK ["):
            task = line
        elif re.match(r"^(fatal|failed): ", line):
            found.append("%s\n  %s" % (task, line[:1500]))
    return found


def injected_calls(calls):
    return [c for c in calls if c.get("injected")]


def unretried_faults(calls):
    """Injected faults whose (region, service, operation) never got a real answer afterwards (not retried)."""
    missing = []
    for index, call in enumerate(calls):
        if not call.get("injected"):
            continue
        key = (call["region"], call["service"], call["operation"])
        if not any((c["region"], c["service"], c["operation"]) == key and not c.get("injected")
                   for c in calls[index + 1:]):
            missing.append(call)
    return missing
