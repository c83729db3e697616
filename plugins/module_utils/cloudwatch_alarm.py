# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions of ``cloudwatch_composite_alarm`` and ``cloudwatch_metric_math_alarm``.

Read current -> plan -> apply: the module reads the alarm with ``DescribeAlarms`` (``AlarmNames`` and
``AlarmTypes``), :func:`current_request` reduces the described alarm to the keys of the request the module would
send (``PutCompositeAlarm`` or ``PutMetricAlarm`` with ``Metrics``), :func:`plan` compares it with the wanted
request, and the module sends the whole request when something differs (both calls replace the alarm's whole
configuration). Nothing here talks to AWS.

Input is checked before any call (:func:`check_composite`, :func:`check_metric_math`); a problem raises
:class:`AlarmError` whose message names the option.
"""

from __future__ import annotations

import re

NAME_MAX = 255
RULE_MAX = 10240  # API_PutCompositeAlarm.html, AlarmRule: "Maximum length of 10240"
ACTIONS_MAX = 5   # AlarmActions, OKActions, InsufficientDataActions: "Maximum number of 5 items"
DESCRIPTION_MAX = 1024
FUNCTION = re.compile(r'\b(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]*)"|([^)"]*?))\s*\)')
RULE_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z_]+|\S)")
QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")
COMPARISONS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
               "LessThanOrEqualToThreshold")
MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
ACTION_KEYS = (("alarm_actions", "AlarmActions"), ("ok_actions", "OKActions"),
               ("insufficient_data_actions", "InsufficientDataActions"))
COMMON_KEYS = ("AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions")
COMPOSITE_KEYS = ("AlarmRule",) + COMMON_KEYS
METRIC_MATH_KEYS = ("Metrics", "ComparisonOperator", "Threshold", "EvaluationPeriods", "DatapointsToAlarm",
                    "TreatMissingData") + COMMON_KEYS


class AlarmError(ValueError):
    """Input the module cannot act on; the message names the option and the fix."""


# --------------------------------------------------------------------- the alarm rule

def rule_alarms(rule):
    """The alarm names (or ARNs) ``rule`` refers to, in order of appearance, each once."""
    names = []
    for match in FUNCTION.finditer(rule or ""):
        name = match.group(2) if match.group(2) is not None else match.group(3)
        if name not in names:
            names.append(name)
    return names


def check_rule(rule, option="alarm_rule"):
    """Refuse an AlarmRule that is not an expression of ALARM()/OK()/INSUFFICIENT_DATA(), TRUE, FALSE, AND, OR,
    NOT and parentheses (API_PutCompositeAlarm.html)."""
    if not isinstance(rule, str) or not rule.strip():
        raise AlarmError("%s must be a rule such as ALARM(name) OR ALARM(other); got %r" % (option, rule))
    if len(rule) > RULE_MAX:
        raise AlarmError("%s is %d characters long; AWS allows %d" % (option, len(rule), RULE_MAX))
    for match in FUNCTION.finditer(rule):
        if not (match.group(2) if match.group(2) is not None else match.group(3)):
            raise AlarmError("%s: %s names no alarm" % (option, match.group(0)))
    reduced = FUNCTION.sub(" TRUE ", rule)
    depth = 0
    expect_operand = True
    for token in RULE_TOKEN.findall(reduced):
        if expect_operand and token in ("TRUE", "FALSE"):
            expect_operand = False
        elif expect_operand and token == "NOT":
            continue
        elif expect_operand and token == "(":
            depth += 1
        elif not expect_operand and token in ("AND", "OR"):
            expect_operand = True
        elif not expect_operand and token == ")" and depth > 0:
            depth -= 1
        else:
            raise AlarmError("%s: unexpected %r in %r; write ALARM(name), OK(name), INSUFFICIENT_DATA(name), "
                             "TRUE or FALSE joined by AND, OR, NOT and parentheses" % (option, token, rule))
    if expect_operand or depth:
        raise AlarmError("%s: %r ends before the expression is complete" % (option, rule))


# --------------------------------------------------------------------- input checks

def _check_common(params):
    name = params.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        raise AlarmError("name must be 1 to %d characters; got %r" % (NAME_MAX, name))
    if any(ord(char) < 32 for char in name):
        raise AlarmError("name must not hold control characters; got %r" % name)
    description = params.get("description")
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise AlarmError("description is longer than %d characters" % DESCRIPTION_MAX)
    for option, dummy in ACTION_KEYS:
        actions = params.get(option) or []
        if len(actions) > ACTIONS_MAX:
            raise AlarmError("%s: at most %d actions; got %d" % (option, ACTIONS_MAX, len(actions)))
        bad = [action for action in actions if not isinstance(action, str) or not action.startswith("arn:")]
        if bad:
            raise AlarmError("%s must be ARNs (arn:...); got %s" % (option, ", ".join(map(repr, bad))))


def check_composite(params):
    """Refuse what PutCompositeAlarm would refuse for its form, before any call."""
    _check_common(params)
    if params.get("state", "present") == "present":
        check_rule(params.get("alarm_rule"))
        if params["name"] in rule_alarms(params["alarm_rule"]):
            raise AlarmError("alarm_rule names the alarm itself (%s); a composite alarm cannot depend on itself"
                             % params["name"])


def _check_query(query, where):
    if not isinstance(query, dict):
        raise AlarmError("%s must be a dictionary (id, expression or metric_stat, ...)" % where)
    if not isinstance(query.get("id"), str) or not QUERY_ID.match(query["id"]):
        raise AlarmError("%s.id must start with a lower-case letter and hold only letters, digits and "
                         "underscores; got %r" % (where, query.get("id")))
    if bool(query.get("expression")) == bool(query.get("metric_stat")):
        raise AlarmError("%s (%s) needs exactly one of expression and metric_stat" % (where, query["id"]))
    stat = query.get("metric_stat")
    if stat:
        metric = stat.get("metric") or {}
        if not metric.get("namespace") or not metric.get("metric_name"):
            raise AlarmError("%s.metric_stat.metric needs namespace and metric_name" % where)
        if not isinstance(stat.get("period"), int) or isinstance(stat.get("period"), bool) or stat["period"] < 1:
            raise AlarmError("%s.metric_stat.period must be a whole number of seconds; got %r"
                             % (where, stat.get("period")))
        if not stat.get("stat"):
            raise AlarmError("%s.metric_stat.stat must name a statistic (Sum, Average, Maximum, ...)" % where)


def check_metric_math(params):
    """Refuse what PutMetricAlarm with Metrics would refuse for its form (API_PutMetricAlarm.html), before any call."""
    _check_common(params)
    if params.get("state", "present") != "present":
        return
    metrics = params.get("metrics") or []
    if not metrics:
        raise AlarmError("metrics must list the queries of the alarm (at least one expression or metric)")
    ids = []
    for index, query in enumerate(metrics):
        _check_query(query, "metrics[%d]" % index)
        if query["id"] in ids:
            raise AlarmError("metrics[%d].id %s is used twice" % (index, query["id"]))
        ids.append(query["id"])
    returned = [query["id"] for query in metrics if query.get("return_data")]
    if len(returned) != 1:
        raise AlarmError("metrics: exactly one query must have return_data true (the one the alarm watches); "
                         "got %d (%s)" % (len(returned), ", ".join(returned) or "none"))
    if params.get("comparison") not in COMPARISONS:
        raise AlarmError("comparison must be one of %s; got %r" % (", ".join(COMPARISONS), params.get("comparison")))
    threshold = params.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise AlarmError("threshold must be a number; got %r" % (threshold,))
    periods = params.get("evaluation_periods")
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise AlarmError("evaluation_periods must be a whole number >= 1; got %r" % (periods,))
    datapoints = params.get("datapoints_to_alarm")
    if datapoints is not None and (not isinstance(datapoints, int) or not 1 <= datapoints <= periods):
        raise AlarmError("datapoints_to_alarm must be from 1 to evaluation_periods (%d); got %r" % (periods, datapoints))
    if params.get("treat_missing_data", "missing") not in MISSING_DATA:
        raise AlarmError("treat_missing_data must be one of %s" % ", ".join(MISSING_DATA))


# --------------------------------------------------------------------- requests

def _common_request(params):
    request = {"AlarmName": params["name"], "ActionsEnabled": bool(params.get("actions_enabled", True))}
    for option, key in ACTION_KEYS:
        request[key] = list(params.get(option) or [])
    if params.get("description"):
        request["AlarmDescription"] = params["description"]
    return request


def composite_request(params):
    """The PutCompositeAlarm request the task wants."""
    request = _common_request(params)
    request["AlarmRule"] = params["alarm_rule"]
    return request


def _dimensions(dimensions):
    if isinstance(dimensions, dict):
        dimensions = [{"Name": key, "Value": value} for key, value in dimensions.items()]
    return sorted(({"Name": str(d.get("Name", d.get("name"))), "Value": str(d.get("Value", d.get("value")))}
                   for d in dimensions or []), key=lambda d: (d["Name"], d["Value"]))


def query_request(query):
    """One ``metrics`` entry (snake case, as the module takes it) as the API's MetricDataQuery."""
    out = {"Id": query["id"], "ReturnData": bool(query.get("return_data"))}
    if query.get("expression"):
        out["Expression"] = query["expression"]
    if query.get("label"):
        out["Label"] = query["label"]
    if query.get("period"):
        out["Period"] = int(query["period"])
    stat = query.get("metric_stat")
    if stat:
        metric = stat["metric"]
        out["MetricStat"] = {"Metric": {"Namespace": metric["namespace"], "MetricName": metric["metric_name"],
                                        "Dimensions": _dimensions(metric.get("dimensions"))},
                             "Period": int(stat["period"]), "Stat": stat["stat"]}
        if stat.get("unit"):
            out["MetricStat"]["Unit"] = stat["unit"]
    return out


def metric_math_request(params):
    """The PutMetricAlarm request (with Metrics) the task wants."""
    request = _common_request(params)
    request.update({"Metrics": [query_request(query) for query in params["metrics"]],
                    "ComparisonOperator": params["comparison"], "Threshold": float(params["threshold"]),
                    "EvaluationPeriods": int(params["evaluation_periods"]),
                    "TreatMissingData": params.get("treat_missing_data") or "missing"})
    if params.get("datapoints_to_alarm") is not None:
        request["DatapointsToAlarm"] = int(params["datapoints_to_alarm"])
    return request


# --------------------------------------------------------------------- the described alarm

def _described_query(query):
    out = {"Id": query["Id"], "ReturnData": query.get("ReturnData", True) is not False}
    for key in ("Expression", "Label"):
        if query.get(key):
            out[key] = query[key]
    if query.get("Period"):
        out["Period"] = int(query["Period"])
    stat = query.get("MetricStat")
    if stat:
        metric = stat.get("Metric") or {}
        out["MetricStat"] = {"Metric": {"Namespace": metric.get("Namespace"), "MetricName": metric.get("MetricName"),
                                        "Dimensions": _dimensions(metric.get("Dimensions"))},
                             "Period": int(stat["Period"]), "Stat": stat.get("Stat")}
        if stat.get("Unit"):
            out["MetricStat"]["Unit"] = stat["Unit"]
    return out


def current_request(described, kind):
    """The described alarm (a ``CompositeAlarms`` or ``MetricAlarms`` entry of DescribeAlarms) reduced to the keys
    of the request the module sends, so that an unchanged alarm compares equal. ``kind``: ``composite`` or
    ``metric_math``; None when ``described`` is None."""
    if described is None:
        return None
    keys = COMPOSITE_KEYS if kind == "composite" else METRIC_MATH_KEYS
    current = {"AlarmName": described["AlarmName"]}
    for key in keys:
        if key == "Metrics":
            current[key] = [_described_query(query) for query in described.get("Metrics") or []]
        elif key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            current[key] = list(described.get(key) or [])
        elif key == "ActionsEnabled":
            current[key] = described.get(key, True) is not False
        elif key == "Threshold" and described.get(key) is not None:
            current[key] = float(described[key])
        elif key == "TreatMissingData":
            current[key] = described.get(key) or "missing"
        elif described.get(key) not in (None, ""):
            current[key] = described[key]
    return current


def plan(current, wanted):
    """``{key: (before, after)}`` of what differs; every key of ``wanted`` when the alarm does not exist."""
    if current is None:
        return {key: (None, value) for key, value in wanted.items()}
    keys = sorted(set(current) | set(wanted))
    return {key: (current.get(key), wanted.get(key)) for key in keys if current.get(key) != wanted.get(key)}


def snake_view(described, kind):
    """The alarm as the module returns it: the request's keys plus ARN and state, in snake case."""
    if described is None:
        return {}
    view = {"alarm_name": described["AlarmName"], "alarm_arn": described.get("AlarmArn"),
            "state_value": described.get("StateValue"), "state_reason": described.get("StateReason")}
    current = current_request(described, kind)
    for key, value in current.items():
        if key != "AlarmName":
            view[_snake(key)] = value
    return view


def _snake(key):
    return {"OKActions": "ok_actions"}.get(key) or re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
