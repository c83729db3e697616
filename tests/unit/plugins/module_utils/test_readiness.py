"""The readiness report's judgements (plugins/module_utils/readiness.py) on bodies shaped as the uri module,
ECS (DescribeServices/DescribeTasks) and ELBv2 (DescribeTargetHealth) return them."""
import json

from ansible_collections.mysfits.multi_region.plugins.module_utils.readiness import (
    http_checks, number_plan, service_checks, service_summary)

PAGE = "<html><body><p>Current region: %s</p></body></html>"
MYSFITS = [{"mysfitId": "a1", "name": "Evangeline", "likes": "0"}, {"mysfitId": "b2", "name": "Pauly", "likes": "3"}]


def _result(region, path, status=200, content="", msg=None):
    result = {"item": [path, {"key": region, "value": "http://lb-%s" % region}], "status": status, "content": content}
    if msg:
        result["msg"] = msg
    return result


def _by(checks):
    return {(c["region"], c["check"]): (c["status"], c["detail"]) for c in checks}


def test_page_compared_with_region_names_masked_and_data_in_any_order():
    results = [
        _result("us-west-2", "/", content=PAGE % "us-west-2"),
        _result("us-east-1", "/", content=PAGE % "us-east-1"),
        _result("us-west-2", "/mysfits", content=json.dumps({"mysfits": MYSFITS})),
        _result("us-east-1", "/mysfits", content=json.dumps({"mysfits": list(reversed(MYSFITS))}, indent=2)),
    ]
    checks = _by(http_checks(results, "us-west-2", ["us-west-2", "us-east-1"]))
    assert checks[("us-west-2", "HTTP /")][0] == "pass"
    assert checks[("us-east-1", "HTTP /")] == ("pass", "same page as us-west-2 with region names masked, %d bytes"
                                               % len(PAGE % "us-east-1"))
    assert checks[("us-east-1", "HTTP /mysfits")] == ("pass", "same data as us-west-2 (2 records, compared in any order)")


def test_byte_comparison_would_have_failed_and_other_pages_still_fail():
    results = [_result("us-west-2", "/", content=PAGE % "us-west-2"),
               _result("us-east-1", "/", content=(PAGE % "us-east-1").replace("Current", "Old"))]
    assert _by(http_checks(results, "us-west-2"))[("us-east-1", "HTTP /")][0] == "fail"


def test_unreachable_and_server_errors_fail_never_skip():
    results = [
        _result("us-west-2", "/", content=PAGE % "us-west-2"),
        _result("us-east-1", "/", status=-1, msg="Status code was -1: Connection refused"),
        _result("eu-west-1", "/", status=503, content="<h1>503 Service Temporarily Unavailable</h1>"),
    ]
    checks = _by(http_checks(results, "us-west-2"))
    assert checks[("us-east-1", "HTTP /")] == ("fail", "not reachable: Status code was -1: Connection refused")
    assert checks[("eu-west-1", "HTTP /")] == ("fail", "HTTP 503 (server error)")


def test_data_difference_names_the_records():
    other = [dict(MYSFITS[0], likes="1")]
    results = [_result("us-west-2", "/mysfits", content=json.dumps({"mysfits": MYSFITS})),
               _result("us-east-1", "/mysfits", content=json.dumps({"mysfits": other}))]
    status, detail = _by(http_checks(results, "us-west-2"))[("us-east-1", "HTTP /mysfits")]
    assert status == "fail"
    assert detail == "data differs from us-west-2: 1 record(s) only in us-west-2 (b2); a1 differs in likes"


def test_a_comparison_that_cannot_run_fails_never_skips():
    # The primary answered 500: the secondary's 200 cannot be compared with anything.
    results = [_result("us-west-2", "/", status=500, content="boom"), _result("us-east-1", "/", content="x")]
    checks = _by(http_checks(results, "us-west-2"))
    assert checks[("us-west-2", "HTTP /")][0] == "fail"
    assert checks[("us-east-1", "HTTP /")] == (
        "fail", "answered 200, but not compared: the primary us-west-2 gave no answer to compare with (see its check)")
    # The primary was not asked at all (its endpoint missing from readiness_http_endpoints).
    checks = _by(http_checks([_result("us-east-1", "/", content="x")], "us-west-2"))
    assert checks[("us-east-1", "HTTP /")] == (
        "fail", "answered 200, but not compared: the primary us-west-2 was not asked (add it to readiness_http_endpoints)")
    # Still judged first: an unreachable secondary says so, whatever the primary did.
    checks = _by(http_checks([_result("us-east-1", "/", status=-1, msg="refused")], "us-west-2"))
    assert checks[("us-east-1", "HTTP /")] == ("fail", "not reachable: refused")


# --- services: bodies as ECS and ELBv2 return them --------------------------------------------------

def _service(name, desired=1, running=1, status="ACTIVE"):
    return {"serviceName": name, "serviceArn": "arn:aws:ecs:us-west-2:123456789012:service/c/%s" % name,
            "status": status, "desiredCount": desired, "runningCount": running, "pendingCount": 0,
            "taskDefinition": "arn:aws:ecs:us-west-2:123456789012:task-definition/%s:2" % name,
            "deployments": [{"status": "PRIMARY"}],
            "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/tg-%s/abc" % name,
                               "containerName": "service", "containerPort": 8080}]}


def _task(digest, image="1.dkr.ecr.us-west-2.amazonaws.com/core:latest"):
    return {"taskArn": "arn:aws:ecs:us-west-2:1:task/c/x", "lastStatus": "RUNNING",
            "containers": [{"name": "service", "image": image, "imageDigest": digest, "lastStatus": "RUNNING"}]}


def _health(*states):
    return [{"Target": {"Id": "10.0.0.%d" % i, "Port": 8080}, "HealthCheckPort": "8080",
             "TargetHealth": {"State": state}} for i, state in enumerate(states)]


TG = "arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/tg-core/abc"


def test_same_digest_running_healthy_passes():
    primary = {"core": service_summary(_service("core"), [_task("sha256:" + "a" * 64)], {TG: _health("healthy")})}
    secondary = {"core": service_summary(_service("core", 2, 2), [_task("sha256:" + "a" * 64, "2.dkr/x:latest")] * 2,
                                         {TG: _health("healthy", "healthy", "draining")})}
    checks = _by(service_checks({"us-west-2": primary, "us-east-1": secondary}, "us-west-2"))
    assert {key: value[0] for key, value in checks.items()} == {
        (r, "service core %s" % c): "pass" for r in ("us-west-2", "us-east-1") for c in ("tasks", "targets", "image")}
    assert checks[("us-east-1", "service core tasks")][1] == "2 running of 2 desired"


def test_scaled_to_zero_fails_every_service_check():
    primary = {"core": service_summary(_service("core"), [_task("sha256:" + "a" * 64)], {TG: _health("healthy")})}
    secondary = {"core": service_summary(_service("core", 0, 0), [], {TG: []})}
    checks = _by(service_checks({"us-west-2": primary, "us-east-1": secondary}, "us-west-2"))
    assert checks[("us-east-1", "service core tasks")] == ("fail", "desired count is 0: no task serves core")
    assert checks[("us-east-1", "service core targets")][0] == "fail"
    assert checks[("us-east-1", "service core image")][0] == "fail"


def test_other_digest_unhealthy_targets_and_missing_service_fail():
    primary = {"core": service_summary(_service("core"), [_task("sha256:" + "a" * 64)], {TG: _health("healthy")}),
               "like": service_summary(_service("like"), [_task("sha256:" + "c" * 64)], {TG: _health("healthy")})}
    secondary = {"core": service_summary(_service("core", 1, 1), [_task("sha256:" + "b" * 64)],
                                         {TG: _health("unhealthy")}),
                 "like": service_summary(None, [], {})}
    checks = _by(service_checks({"us-west-2": primary, "us-east-1": secondary}, "us-west-2"))
    status, detail = checks[("us-east-1", "service core image")]
    assert status == "fail" and "sha256:bbbbbbbbbbb" in detail and "us-west-2 runs service sha256:aaaa" in detail
    assert checks[("us-east-1", "service core targets")] == ("fail", "tg-core: no healthy target; 1 unhealthy")
    assert checks[("us-east-1", "service like tasks")] == ("fail", "service not found")
    assert checks[("us-east-1", "service core tasks")][0] == "pass"


def test_running_below_desired_fails():
    summary = service_summary(_service("core", 2, 1), [_task("sha256:" + "a" * 64)], {TG: _health("healthy")})
    checks = _by(service_checks({"us-west-2": {"core": summary}}, "us-west-2"))
    assert checks[("us-west-2", "service core tasks")] == ("fail", "1 running of 2 desired (0 pending)")


# --- the like check's undo ------------------------------------------------------------------------

def test_number_plan():
    assert number_plan(True, 5, None, None) == ("read", None)
    assert number_plan(True, 7, 5, 7) == ("set", None)
    assert number_plan(True, 5, 5, 7) == ("none", None)  # already set back: idempotent
    action, message = number_plan(True, 8, 5, 7)
    assert action == "refuse" and "Likes is 8, not the expected 7" in message
    assert number_plan(False, None, 5, 7)[0] == "refuse"
    assert number_plan(True, None, 5, 7)[0] == "refuse"
