"""The fault-free reference every reliability test compares with.

Built once per pytest worker on that worker's emulator (``emulator`` fixture of tests/conftest.py, the
suite's fast timings): reset, the primary fixture, one converge, the full-state snapshot
(tests/reliability/state.py). Later tests reset the emulator themselves (``aws`` fixture), so the
reference's resources do not survive it; only the snapshot is kept.
"""
import pytest

from tests.reliability import runner


@pytest.fixture(scope="session")
def reference(emulator, tmp_path_factory):
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
