"""R1: the site playbook converges under injected faults and ends in the fault-free state.

Each run: a fresh emulator state (``aws`` resets it), the primary fixture WITHOUT faults (it is the
starting point, not the subject), then the converge with every service answering 10 % of requests with a
throttling error and about 2 % with HTTP 500 or 503 (seeded, so a failing seed replays the same dice), then
the full-state snapshot (faults off) compared with the fault-free reference.

Injected faults are answered by the emulator before the request reaches its backend: they model a request
refused (throttled, 5xx), not one applied whose answer was lost — that case is R2's "kill after the
request" points (tests/reliability/test_interruptions.py).
"""
import json

import pytest

from tests.reliability import runner, state

SEEDS = list(range(1, 11))   # R1 asks for at least 10 seeded runs
FAULT_RULES = [
    {"service": "*", "operation": "*", "rate": 0.10, "error": "throttling"},
    {"service": "*", "operation": "*", "rate": 0.01, "error": "http500"},
    {"service": "*", "operation": "*", "rate": 0.01, "error": "http503"},
]


@pytest.mark.parametrize("seed", SEEDS, ids=["seed%d" % s for s in SEEDS])
def test_converge_under_faults_ends_in_the_fault_free_state(aws, reference, tmp_path, seed):
    runner.build_primary(aws.env())
    mark = aws.control.last_seq()
    aws.control.set_faults(FAULT_RULES, seed=seed)
    try:
        run = runner.converge(aws.env(), tmp_path)
    finally:
        aws.control.clear_faults()
    calls = aws.control.calls(since=mark)
    injected = runner.injected_calls(calls)
    summary = {
        "seed": seed,
        "calls": len(calls),
        "injected": len(injected),
        "by_kind": {kind: sum(1 for c in injected if c["injected"] == kind)
                    for kind in sorted({c["injected"] for c in injected})},
    }
    print("R1 " + json.dumps(summary, sort_keys=True))
    assert run.rc == 0, "converge failed under faults (seed %d): %s\ninjected: %s\n%r" % (
        seed, "\n".join(runner.failures(run.stdout)),
        [(c["seq"], c["region"], c["service"], c["operation"], c["injected"]) for c in injected], run)
    # The dice did hit: a run without faults would prove nothing.
    assert injected, "no fault was injected in %d calls" % len(calls)
    # Every refused request was sent again and answered (retried by botocore/AWSRetry, not skipped).
    assert runner.unretried_faults(calls) == []

    snapshot = runner.snapshot(aws.endpoint)
    assert snapshot == reference, state.diff(reference, snapshot)
    # Items neither lost nor duplicated, in every region (already part of the snapshot; said explicitly).
    for region in ("us-west-2", "us-east-1"):
        keyed = state.items_by_key(snapshot, region)
        assert len(keyed) == runner.fixture_item_count()
        assert keyed == state.items_by_key(reference, region)
