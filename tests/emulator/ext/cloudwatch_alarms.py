"""CloudWatch composite alarms and metric math alarms as AWS documents them.

moto 5.2.5 has no ``PutCompositeAlarm`` (its ``PutMetricAlarm`` reads an ``AlarmRule`` that no SDK sends there),
returns composite alarms from every ``DescribeAlarms`` without their ``AlarmRule``, stores any ``Metrics`` array,
and deletes any alarm. This extension adds, each rule from the CloudWatch API Reference:

* ``PutCompositeAlarm`` (API_PutCompositeAlarm.html): creates or replaces a composite alarm in the region. The
  ``AlarmRule`` (at most 10240 characters) is an expression of ``ALARM(name)``, ``OK(name)``,
  ``INSUFFICIENT_DATA(name)`` (the name quoted with ``"`` or not, or an alarm ARN), ``TRUE``, ``FALSE``, the
  operators ``AND``, ``OR``, ``NOT`` and parentheses; anything else is a ``ValidationError``. An alarm the rule
  names that does not exist in the region is a ``ValidationError`` ("Could not save the composite alarm as
  alarms [...] in the alarm rule do not exist", the text AWS answers). The ``AT_LEAST`` function is not modelled:
  a rule using it is refused (stricter than AWS, never looser). State: ``INSUFFICIENT_DATA`` until evaluated;
  the emulator does not evaluate alarms.
* ``DescribeAlarms`` (API_DescribeAlarms.html, ``AlarmTypes``): "If you omit this parameter, only metric alarms
  are returned, even if composite alarms exist in the account"; composite alarms carry their ``AlarmRule``.
* ``DeleteAlarms`` (API_DeleteAlarms.html): at most 100 names, of which at most one composite alarm; an alarm a
  composite alarm's rule names cannot be deleted ("you can't delete any composite alarm that is part of the
  cycle because there is always still a composite alarm that depends on that alarm"); a name that does not exist
  is ``ResourceNotFound``; on any error no alarm is deleted.
* ``PutMetricAlarm`` with ``Metrics`` (API_PutMetricAlarm.html): then ``Namespace``, ``MetricName``,
  ``Dimensions``, ``Period``, ``Unit``, ``Statistic`` and ``ExtendedStatistic`` cannot be given; exactly one
  query has ``ReturnData`` true (the expression the alarm watches; the default of ``ReturnData`` is true, so
  every other query says false); each query has exactly one of ``MetricStat`` and ``Expression``; ids are unique
  and start with a lower-case letter (letters, digits, underscore: API_MetricDataQuery.html).
"""
import re

from moto.cloudwatch.exceptions import ResourceNotFound, ValidationError
from moto.cloudwatch.models import Alarm
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import EmptyResult

MAX_RULE = 10240
FUNCTIONS = ("ALARM", "OK", "INSUFFICIENT_DATA")
ARN = re.compile(r"^arn:[^:]+:cloudwatch:([^:]*):([^:]*):alarm:(.+)$")
QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")
NOT_WITH_METRICS = ("Namespace", "MetricName", "Dimensions", "Period", "Unit", "Statistic", "ExtendedStatistic")


class RuleError(ValueError):
    pass


def _tokens(rule):
    """The rule's tokens: '(', ')', words (AND, OR, NOT, TRUE, FALSE, function names) and ('name', <alarm>)."""
    tokens = []
    i = 0
    while i < len(rule):
        char = rule[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(char)
            i += 1
        else:
            match = re.match(r"[A-Z_]+", rule[i:])
            if not match:
                raise RuleError("unexpected %r at position %d" % (char, i))
            word = match.group(0)
            i += len(word)
            tokens.append(word)
            if word in FUNCTIONS or word == "AT_LEAST":
                if word == "AT_LEAST":
                    raise RuleError("AT_LEAST is not supported by this emulator")
                while i < len(rule) and rule[i].isspace():
                    i += 1
                if i >= len(rule) or rule[i] != "(":
                    raise RuleError("%s must be followed by (alarm name)" % word)
                i += 1
                if i < len(rule) and rule[i] == '"':
                    end = rule.find('"', i + 1)
                    if end < 0:
                        raise RuleError("unterminated quoted alarm name at position %d" % i)
                    name = rule[i + 1:end]
                    i = end + 1
                    while i < len(rule) and rule[i].isspace():
                        i += 1
                    if i >= len(rule) or rule[i] != ")":
                        raise RuleError("%s(\"%s\" is not closed" % (word, name))
                else:
                    end = rule.find(")", i)
                    if end < 0:
                        raise RuleError("%s( is not closed" % word)
                    name = rule[i:end].strip()
                    i = end
                i += 1
                if not name:
                    raise RuleError("%s() names no alarm" % word)
                tokens.append(("name", name))
            elif word not in ("AND", "OR", "NOT", "TRUE", "FALSE"):
                raise RuleError("unknown word %s" % word)
    return tokens


def parse_rule(rule):
    """The alarm names (or ARNs) a valid AlarmRule refers to, in order; RuleError when it is not valid."""
    if not isinstance(rule, str) or not rule.strip():
        raise RuleError("the rule is empty")
    if len(rule) > MAX_RULE:
        raise RuleError("the rule is longer than %d characters" % MAX_RULE)
    tokens = _tokens(rule)
    names = []
    position = [0]

    def peek():
        return tokens[position[0]] if position[0] < len(tokens) else None

    def take():
        token = peek()
        position[0] += 1
        return token

    def primary():
        token = take()
        if token in ("TRUE", "FALSE"):
            return
        if token in FUNCTIONS:
            names.append(take()[1])
            return
        if token == "(":
            expression()
            if take() != ")":
                raise RuleError("a parenthesis is not closed")
            return
        if token == "NOT":
            primary()
            return
        raise RuleError("expected a function, TRUE, FALSE, NOT or '(' but found %s" % (token or "the end"))

    def expression():
        primary()
        while peek() in ("AND", "OR"):
            take()
            primary()

    expression()
    if peek() is not None:
        raise RuleError("unexpected %s" % (peek(),))
    return names


def _name_of(reference, region, account):
    match = ARN.match(reference)
    if not match:
        return reference
    if match.group(1) != region or match.group(2) != account:
        return None  # another region or account: not an alarm of this region
    return match.group(3)


def _referenced(backend, alarm):
    """Names of the alarms ``alarm``'s rule refers to (composite alarms only)."""
    if alarm.rule is None:
        return []
    try:
        references = parse_rule(alarm.rule)
    except RuleError:
        return []
    return [_name_of(ref, backend.region_name, backend.account_id) for ref in references]


def put_composite_alarm(self):
    backend = self.cloudwatch_backend
    name = self._get_param("AlarmName")
    rule = self._get_param("AlarmRule")
    if not name:
        raise ValidationError("1 validation error detected: Value null at 'alarmName' failed to satisfy "
                              "constraint: Member must not be null")
    try:
        references = parse_rule(rule)
    except RuleError as error:
        raise ValidationError("AlarmRule is not valid: %s" % error)
    existing = backend.alarms.get(name)
    if existing is not None and existing.rule is None:
        raise ValidationError("The alarm %s is a metric alarm; a composite alarm cannot replace it" % name)
    missing = []
    for reference in references:
        target = _name_of(reference, backend.region_name, backend.account_id)
        if (target is None or target not in backend.alarms) and reference not in missing:
            missing.append(reference)
    if missing:
        raise ValidationError("Could not save the composite alarm as alarms [%s] in the alarm rule do not exist"
                              % ", ".join(missing))
    alarm = backend.put_metric_alarm(
        name=name, namespace=None, metric_name=None, comparison_operator=None, evaluation_periods=None,
        period=None, threshold=None, statistic=None, description=self._get_param("AlarmDescription"),
        dimensions=[], alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        actions_enabled=self._get_bool_param("ActionsEnabled"), rule=rule, tags=self._get_param("Tags", []))
    if existing is not None:
        alarm.state_value, alarm.state_reason = existing.state_value, existing.state_reason
        alarm.state_updated_timestamp = existing.state_updated_timestamp
    else:
        alarm.state_value = "INSUFFICIENT_DATA"
        alarm.state_reason = "Unchecked: Initial alarm creation"
    return EmptyResult()


def install():
    # Serialised as the CompositeAlarm shape's AlarmRule.
    Alarm.alarm_rule = property(lambda self: self.rule)

    original_describe = CloudWatchResponse.describe_alarms

    def describe_alarms(self):
        result = original_describe(self)
        types = self._get_param("AlarmTypes", []) or ["MetricAlarm"]
        body = result.result if hasattr(result, "result") else None
        if isinstance(body, dict):
            if "CompositeAlarm" not in types:
                body["CompositeAlarms"] = []
            if "MetricAlarm" not in types:
                body["MetricAlarms"] = []
        return result

    describe_alarms.__wrapped__ = original_describe
    CloudWatchResponse.describe_alarms = describe_alarms
    CloudWatchResponse.put_composite_alarm = put_composite_alarm

    original_delete = CloudWatchResponse.delete_alarms

    def delete_alarms(self):
        backend = self.cloudwatch_backend
        names = self._get_param("AlarmNames", [])
        if len(names) > 100:
            raise ValidationError("1 validation error detected: Value at 'alarmNames' failed to satisfy "
                                  "constraint: Member must have length less than or equal to 100")
        missing = [name for name in names if name not in backend.alarms]
        if missing:
            raise ResourceNotFound("The named resource does not exist: %s" % ", ".join(missing))
        composites = [name for name in names if backend.alarms[name].rule is not None]
        if len(composites) > 1:
            raise ValidationError("DeleteAlarms can delete at most one composite alarm in one operation; got %s"
                                  % ", ".join(composites))
        going = set(names)
        for name in names:
            parents = sorted(other.name for other in backend.alarms.values()
                             if other.name not in going and name in _referenced(backend, other))
            if parents:
                raise ValidationError("Cannot delete %s as there are composite alarm(s) depending on it: %s"
                                      % (name, ", ".join(parents)))
        return original_delete(self)

    delete_alarms.__wrapped__ = original_delete
    CloudWatchResponse.delete_alarms = delete_alarms

    original_put = CloudWatchResponse.put_metric_alarm

    def put_metric_alarm(self):
        metrics = self._get_param("Metrics", [])
        if metrics:
            given = [key for key in NOT_WITH_METRICS if self._get_param(key)]
            if given:
                raise ValidationError("With Metrics, the parameters %s cannot be given" % ", ".join(given))
            ids = []
            for index, query in enumerate(metrics, 1):
                query_id = query.get("Id")
                if not isinstance(query_id, str) or not QUERY_ID.match(query_id):
                    raise ValidationError("Metrics.member.%d.Id %r must start with a lower-case letter and hold "
                                          "only letters, digits and underscores" % (index, query_id))
                if query_id in ids:
                    raise ValidationError("Metrics.member.%d.Id %s is used twice" % (index, query_id))
                ids.append(query_id)
                if ("MetricStat" in query) == ("Expression" in query):
                    raise ValidationError("Metrics.member.%d must have exactly one of MetricStat and Expression"
                                          % index)
            returned = [query.get("Id") for query in metrics if query.get("ReturnData") not in (False, "false")]
            if len(returned) != 1:
                raise ValidationError("Exactly one element of the Metrics array must have ReturnData set to true; "
                                      "got %d (%s)" % (len(returned), ", ".join(returned)))
        name = self._get_param("AlarmName")
        existing = self.cloudwatch_backend.alarms.get(name)
        if existing is not None and existing.rule is not None:
            raise ValidationError("The alarm %s is a composite alarm; a metric alarm cannot replace it" % name)
        return original_put(self)

    put_metric_alarm.__wrapped__ = original_put
    CloudWatchResponse.put_metric_alarm = put_metric_alarm

