"""ecs_desired_count against the emulator: check mode makes no call, the change is only the desired count,
a second run changes nothing, waiting sees the services settle (ECS in the emulator: ext/ecs_deploy.py)."""
from tests.integration.harness import run_module
from tests.integration.test_front_door import PRIMARY, _stack


def _services(aws, cluster):
    ecs = aws.client("ecs", region=PRIMARY)
    arns = ecs.list_services(cluster=cluster)["serviceArns"]
    return {s["serviceName"]: s for s in ecs.describe_services(cluster=cluster, services=arns)["services"]}


def test_desired_count_check_mode_change_idempotent_and_restore(aws):
    aws.control.set_timing(stack_create_seconds=0.2)
    outputs = _stack(aws, PRIMARY, "mm-primary-region", "false")
    cluster = outputs["EcsClusterName"]
    before = _services(aws, cluster)
    counts = {name: s["desiredCount"] for name, s in before.items()}
    assert counts and all(c >= 1 for c in counts.values())
    zero = {name: 0 for name in counts}

    mark = aws.control.last_seq()
    plan = run_module("ecs_desired_count", {"cluster": cluster, "services": zero}, aws.env(), check=True,
                      diff=True, region=PRIMARY)
    assert plan["changed"] and not plan.get("failed"), plan
    assert plan["diff"]["after"] == zero and plan["diff"]["before"] == counts
    assert aws.control.mutating_calls(since=mark) == []

    mark = aws.control.last_seq()
    broken = run_module("ecs_desired_count", {"cluster": cluster, "services": zero}, aws.env(), region=PRIMARY)
    assert broken["changed"] and not broken.get("failed"), broken
    assert broken["services"] == {name: {"desired": 0, "running": 0} for name in counts}
    calls = aws.control.mutating_calls(since=mark)
    assert {c["operation"] for c in calls} == {"UpdateService"} and len(calls) == len(counts)
    after = _services(aws, cluster)
    for name, service in after.items():  # nothing else changed
        assert service["taskDefinition"] == before[name]["taskDefinition"]
        assert service["loadBalancers"] == before[name]["loadBalancers"]

    mark = aws.control.last_seq()
    again = run_module("ecs_desired_count", {"cluster": cluster, "services": zero}, aws.env(), region=PRIMARY)
    assert not again["changed"] and aws.control.mutating_calls(since=mark) == []

    restored = run_module("ecs_desired_count", {"cluster": cluster, "services": counts, "wait": False},
                          aws.env(), region=PRIMARY)
    assert restored["changed"] and {n: s["desiredCount"] for n, s in _services(aws, cluster).items()} == counts

    unknown = run_module("ecs_desired_count", {"cluster": cluster, "services": {"no-such-service": 0}},
                         aws.env(), region=PRIMARY)
    assert unknown.get("failed") and "no such service in the cluster: no-such-service" in unknown["msg"]
