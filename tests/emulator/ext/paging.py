"""List operations page as AWS pages them, with the page sizes of the API reference.

moto 5.2.5 pages these operations differently from AWS (or not at all), so a
client that reads only the first page would pass against moto and fail on AWS:

* Application Auto Scaling ``DescribeScalingPolicies``: AWS returns at most 10
  policies a page (``MaxResults`` 1-10, default 10); moto defaults to 100, accepts
  any ``MaxResults``, ignores ``PolicyNames`` and matches ``ResourceId`` and
  ``ScalableDimension`` as substrings.
* Application Auto Scaling ``DescribeScalableTargets``: AWS ``MaxResults`` 1-50,
  default 50; moto's ``NextToken`` points back at the second page forever.
* CodePipeline ``ListPipelineExecutions``: AWS ``maxResults`` 1-100, default 100;
  moto returns everything in one page (or truncates at ``maxResults``) with no
  ``nextToken``.

Here each of them reads every matching item from moto's backend, then cuts one
page. A ``NextToken`` is bound to the operation and to the request's other
parameters; a token that does not belong to the request, or is not one of ours,
is an ``InvalidNextTokenException`` (both services list it among the errors of
these operations). A ``MaxResults`` outside the documented range is a
``ValidationException``. Sources, one per rule, in
tests/emulator_tests/test_paging.py.
"""
import base64
import hashlib
import json

_installed = False


class PageRule:
    """How one operation pages: its parameter names, result key and size limits."""

    def __init__(self, operation, result_key, max_key, token_key, default, low, high):
        self.operation = operation
        self.result_key = result_key
        self.max_key = max_key
        self.token_key = token_key
        self.default = default
        self.low = low
        self.high = high


# Page sizes from the API reference (cited in tests/emulator_tests/test_paging.py).
SCALING_POLICIES = PageRule("DescribeScalingPolicies", "ScalingPolicies", "MaxResults", "NextToken", 10, 1, 10)
SCALABLE_TARGETS = PageRule("DescribeScalableTargets", "ScalableTargets", "MaxResults", "NextToken", 50, 1, 50)
PIPELINE_EXECUTIONS = PageRule("ListPipelineExecutions", "pipelineExecutionSummaries", "maxResults", "nextToken",
                               100, 1, 100)
RULES = (SCALING_POLICIES, SCALABLE_TARGETS, PIPELINE_EXECUTIONS)


def _validation(message):
    from moto.core.exceptions import JsonRESTError
    return JsonRESTError("ValidationException", message)


def _bad_token():
    from moto.core.exceptions import JsonRESTError
    return JsonRESTError("InvalidNextTokenException", "The specified token is invalid or has expired.")


def _fingerprint(rule, params):
    """What a token is bound to: the operation and every request parameter but the paging ones."""
    rest = dict((k, v) for k, v in (params or {}).items() if k not in (rule.max_key, rule.token_key))
    text = json.dumps([rule.operation, rest], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _encode(rule, params, offset):
    raw = json.dumps({"o": offset, "f": _fingerprint(rule, params)}).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode(rule, params, token):
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8"))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError, UnicodeError):
        raise _bad_token()
    if data.get("f") != _fingerprint(rule, params) or offset < 0:
        raise _bad_token()
    return offset


def page(rule, params, items):
    """``(items of this page, next token or None)`` for a request with ``params``."""
    size = params.get(rule.max_key)
    if size is None:
        size = rule.default
    else:
        try:
            size = int(size)
        except (TypeError, ValueError):
            raise _validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                              "Member must be an integer" % (size, rule.max_key[0].lower() + rule.max_key[1:]))
        name = rule.max_key[0].lower() + rule.max_key[1:]
        if size < rule.low:
            raise _validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: "
                              "Member must have value greater than or equal to %d" % (size, name, rule.low))
        if size > rule.high:
            raise _validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: "
                              "Member must have value less than or equal to %d" % (size, name, rule.high))
    token = params.get(rule.token_key)
    start = _decode(rule, params, token) if token else 0
    if start > len(items):
        raise _bad_token()
    end = start + size
    return items[start:end], (_encode(rule, params, end) if end < len(items) else None)


def _params(response):
    try:
        body = json.loads(response.body) if response.body else {}
    except ValueError:
        body = {}
    return body if isinstance(body, dict) else {}


# ---------------------------------------------------------------------------------------------- handlers

def _describe_scaling_policies(self):
    from moto.applicationautoscaling.responses import _build_policy
    params = _params(self)
    namespace = params.get("ServiceNamespace")
    resource_id = params.get("ResourceId")
    dimension = params.get("ScalableDimension")
    names = params.get("PolicyNames") or []
    if dimension and not resource_id:
        # API reference, ScalableDimension: "If you specify a scalable dimension, you must also specify a
        # resource ID."
        raise _validation("If you specify a scalable dimension, you must also specify a resource ID.")
    policies = [p for p in self.applicationautoscaling_backend.policies.values()
                if p.service_namespace == namespace
                and (not resource_id or p.resource_id == resource_id)
                and (not dimension or p.scalable_dimension == dimension)
                and (not names or p.policy_name in names)]
    policies.sort(key=lambda p: (p.resource_id, p.scalable_dimension, p.policy_name))
    chosen, token = page(SCALING_POLICIES, params, policies)
    out = {"ScalingPolicies": [_build_policy(p) for p in chosen]}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def _describe_scalable_targets(self):
    from moto.applicationautoscaling.responses import _build_target
    self._validate_params()
    params = _params(self)
    targets = self.applicationautoscaling_backend.describe_scalable_targets(
        params.get("ServiceNamespace"), params.get("ResourceIds"), params.get("ScalableDimension"))
    chosen, token = page(SCALABLE_TARGETS, params, list(targets))
    out = {"ScalableTargets": [_build_target(t) for t in chosen]}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def _list_pipeline_executions(self):
    params = _params(self)
    # Every execution, newest first (moto's order), then one page of them.
    summaries = self.codepipeline_backend.list_pipeline_executions(params.get("pipelineName"), None)
    chosen, token = page(PIPELINE_EXECUTIONS, params, list(summaries))
    out = {"pipelineExecutionSummaries": chosen}
    if token:
        out["nextToken"] = token
    return json.dumps(out)


def install():
    global _installed
    if _installed:
        return
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
    from moto.codepipeline.responses import CodePipelineResponse

    ApplicationAutoScalingResponse.describe_scaling_policies = _describe_scaling_policies
    ApplicationAutoScalingResponse.describe_scalable_targets = _describe_scalable_targets
    CodePipelineResponse.list_pipeline_executions = _list_pipeline_executions
    _installed = True
