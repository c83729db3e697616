"""ecs_desired_count's pure functions: the plan (idempotence, refusals) and the services-stable rule."""
import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils.ecs_scale import desired_plan, settled, summary


def test_plan_lists_only_the_services_that_change():
    assert desired_plan({"core": 1, "like": 1}, {"core": 0, "like": 1}) == {"core": (1, 0)}
    assert desired_plan({"core": 0, "like": 0}, {"core": 0, "like": 0}) == {}  # idempotent


def test_plan_refuses_unknown_services_and_bad_counts():
    with pytest.raises(ValueError, match="no such service in the cluster: other"):
        desired_plan({"core": 1}, {"other": 0})
    with pytest.raises(ValueError, match="whole numbers"):
        desired_plan({"core": 1}, {"core": -1})
    with pytest.raises(ValueError, match="whole numbers"):
        desired_plan({"core": 1}, {"core": "two"})


def _service(name, desired, running, deployments=1):
    return {"serviceName": name, "desiredCount": desired, "runningCount": running,
            "deployments": [{}] * deployments}


def test_settled_needs_running_equal_desired_and_one_deployment():
    assert settled([_service("core", 0, 0)], {"core": 0})
    assert not settled([_service("core", 0, 1)], {"core": 0})
    assert not settled([_service("core", 1, 1, deployments=2)], {"core": 1})
    assert not settled([_service("core", 2, 2)], {"core": 1})  # not yet the wanted count
    assert not settled([], {"core": 1})


def test_summary():
    assert summary([_service("core", 1, 0)]) == {"core": {"desired": 1, "running": 0}}
