"""The fault-free reference every reliability test compares with.

Built once per test run: reset, the primary fixture, one converge, the full-state snapshot
(tests/reliability/state.py). Under pytest-xdist the first worker that needs it builds it on its own emulator
(``emulator`` fixture of tests/conftest.py, the suite's fast timings) and writes it to the run's shared temporary
folder; the other workers wait on a file lock and read it, instead of building the same reference again on their
own emulator (about 100 s of a loaded CI machine each). The snapshot can be shared: every generated part of a
physical id is replaced by the name of its resource, and two references built on two emulators were compared
equal (docs/reliability.md). Later tests reset the emulator themselves (``aws`` fixture), so the reference's
resources do not survive it; only the snapshot is kept.
"""
import json

import filelock
import pytest

from tests.reliability import runner


def _build(emulator, tmp_path_factory):
    emulator.client.reset()
    runner.build_primary(emulator.env())
    run = runner.converge(emulator.env(), tmp_path_factory.mktemp("reference-report"))
    assert run.rc == 0, run
    snapshot = runner.snapshot(emulator.endpoint)
    # The reference itself must hold what the lab builds, or equality with it proves nothing.
    assert ["us-east-1", "ACTIVE"] in snapshot["table"]["us-west-2"]["replicas"]
    assert snapshot["stacks"]["us-east-1/mm-secondary-region"]["status"] == "CREATE_COMPLETE"
    for declaration in snapshot["pipelines"].values():
        assert [s["name"] for s in declaration["stages"]][-1] == "CrossRegionDeploy"
    assert len(snapshot["table"]["us-east-1"]["items"]) == runner.fixture_item_count()
    return snapshot


@pytest.fixture(scope="session")
def reference(emulator, tmp_path_factory, worker_id):
    if worker_id == "master":
        # Not distributed: this process is the only one that needs it.
        return _build(emulator, tmp_path_factory)
    # The parent of a worker's base temporary folder is the one folder of this run that every worker shares.
    shared = tmp_path_factory.getbasetemp().parent / "reliability-reference.json"
    with filelock.FileLock(str(shared) + ".lock"):
        if shared.is_file():
            return json.loads(shared.read_text())
        snapshot = _build(emulator, tmp_path_factory)
        # What the waiting workers will read: the same JSON round trip for every worker.
        text = json.dumps(snapshot, sort_keys=True)
        shared.write_text(text)
        return json.loads(text)
