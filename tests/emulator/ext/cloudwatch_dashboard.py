"""CloudWatch ``PutDashboard`` body validation.

moto 5.2.5 stores any ``DashboardBody`` that parses as JSON. AWS validates the
body against the documented dashboard body structure
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html)
and, when it is invalid, answers ``DashboardInvalidInputError`` (error code
``InvalidParameterInput``, HTTP 400) whose ``dashboardValidationMessages``
list ``{DataPath, Message}`` pairs; the dashboard is then left as it was
(API_PutDashboard.html: "If this result includes error messages, the input
was not valid and the operation failed").

This extension checks the rules the documentation states, and only those:

* the body is a JSON object with a ``widgets`` array of at most 500 widgets;
  ``periodOverride`` is ``auto`` or ``inherit``; ``start``/``end`` are strings;
* a widget is an object with a ``type`` (``metric``, ``text``, ``log``,
  ``alarm``, ``explorer``, ``custom``) and a ``properties`` object;
  ``x`` is an integer 0..23, ``y`` an integer >= 0, ``width`` 1..24,
  ``height`` 1..1000;
* a metric widget has a ``region`` string; its ``metrics``, when present, is
  an array of at most 500 rows; a row is an array of strings (namespace, metric
  name, dimension name/value pairs; ``"."`` repeats the value at the same
  position of the previous row and ``"..."`` the previous row except the
  trailing values written after it, as the console saves rows; neither can be
  used in the first row, and the name/value pairing is checked on the row as
  expanded) optionally
  ended by a rendering-properties object, or a single object with an
  ``expression``; rendering properties have the documented types (``label``,
  ``color``, ``stat``, ``region``, ``id``, ``expression``, ``accountId``
  strings, ``period`` an integer, ``visible`` a boolean, ``yAxis`` ``left`` or
  ``right``); ``view`` is one of the documented views, ``stacked`` a boolean,
  ``period`` an integer;
* a text widget has a ``markdown`` string;
* an alarm status widget (``alarm``) has ``alarms``, an array of 1 to 100 alarm ARNs; ``sortBy`` is
  ``default``, ``stateUpdatedTimestamp`` or ``timestamp``; ``states`` an array of ``ALARM``, ``INSUFFICIENT_DATA``,
  ``OK``; ``title`` a string ("Alarm Status Widget Object Properties").

Test hook (not an AWS feature): ``POST /_emulator/cloudwatch/concurrent_saves``
``{"region": ..., "name": ..., "bodies": [body, ...]}`` makes "someone else" save
the next body right after each following ``GetDashboard`` of that dashboard has
been answered, so a test can put a console save between a reader's read and
its write. ``GET`` shows what is pending; reset clears it.

Message texts imitate the JSON-schema wording AWS returns ("Should be <= 24",
"Should have required property 'type'"); the summary message is
``The dashboard body is invalid, there are N validation errors: [...]``.
"""
import json
import re
import threading

from moto.cloudwatch.exceptions import DashboardInvalidInputError
from moto.cloudwatch.responses import CloudWatchResponse

from .. import app

WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")
VIEWS = ("timeSeries", "singleValue", "gauge", "bar", "pie", "table")
STRING_OPTIONS = ("label", "color", "stat", "region", "id", "expression", "accountId")
MAX_WIDGETS = 500
ALARM_ARN = re.compile(r"^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$")
MAX_METRICS = 500
_LOCK = threading.Lock()
# (region, dashboard name) -> bodies still to save, one after each GetDashboard
CONCURRENT_SAVES = {}


class InvalidDashboardBody(DashboardInvalidInputError):
    """``DashboardInvalidInputError`` carrying the model's ``dashboardValidationMessages``."""

    def __init__(self, messages):
        summary = json.dumps([{"dataPath": m["DataPath"], "message": m["Message"]} for m in messages],
                             indent=2)
        super().__init__("The dashboard body is invalid, there are %d validation errors: %s"
                         % (len(messages), summary))
        self.dashboardValidationMessages = messages


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(errors, path, value, minimum=None, maximum=None):
    if not _is_int(value):
        errors.append((path, "Should be integer"))
    elif minimum is not None and value < minimum:
        errors.append((path, "Should be >= %d" % minimum))
    elif maximum is not None and value > maximum:
        errors.append((path, "Should be <= %d" % maximum))


def _expand(values, previous):
    """``values`` with the console's ``"..."`` and ``"."`` resolved against ``previous`` (expanded)."""
    if "..." in values and previous:
        cut = values.index("...")
        before, after = values[:cut], values[cut + 1:]
        values = before + previous[len(before):max(len(before), len(previous) - len(after))] + after
    return [previous[i] if v == "." and i < len(previous) else v for i, v in enumerate(values)]


def _check_row(errors, path, row, index, previous=()):
    """Check one metric row; return its values as expanded (the "previous row" of the next one)."""
    if not isinstance(row, list) or not row:
        errors.append((path, "Should be array" if not isinstance(row, list) else
                       "Should NOT have fewer than 1 items"))
        return list(previous)
    options = row[-1] if isinstance(row[-1], dict) else None
    values = row[:-1] if options is not None else row
    for position, value in enumerate(values):
        if not isinstance(value, str):
            errors.append(("%s/%d" % (path, position), "Should be string"))
        elif value in (".", "...") and index == 0:
            errors.append(("%s/%d" % (path, position),
                           "The first metric of the array cannot use the \"%s\" shorthand" % value))
    if options is not None:
        for key in STRING_OPTIONS:
            if key in options and not isinstance(options[key], str):
                errors.append(("%s/%d/%s" % (path, len(values), key), "Should be string"))
        if "period" in options:
            _check_int(errors, "%s/%d/period" % (path, len(values)), options["period"], 1)
        if "visible" in options and not isinstance(options["visible"], bool):
            errors.append(("%s/%d/visible" % (path, len(values)), "Should be boolean"))
        if "yAxis" in options and options["yAxis"] not in ("left", "right"):
            errors.append(("%s/%d/yAxis" % (path, len(values)), "Should be equal to one of the allowed values"))
    if not values:
        if options is None or "expression" not in options:
            errors.append((path, "Should have required property 'expression'"))
        return list(previous)  # an expression row is no "previous metric"
    if any(not isinstance(v, str) for v in values):
        return list(previous)
    expanded = _expand(list(values), list(previous)) if index else list(values)
    if len(expanded) < 2:
        errors.append((path, "Should NOT have fewer than 2 items"))
    elif len(expanded) % 2:
        errors.append((path, "Dimensions should be name/value pairs"))
    return expanded


def _check_metric_properties(errors, path, props):
    if "region" not in props:
        errors.append((path, "Should have required property 'region'"))
    elif not isinstance(props["region"], str):
        errors.append((path + "/region", "Should be string"))
    if "view" in props and props["view"] not in VIEWS:
        errors.append((path + "/view", "Should be equal to one of the allowed values"))
    if "stacked" in props and not isinstance(props["stacked"], bool):
        errors.append((path + "/stacked", "Should be boolean"))
    if "period" in props:
        _check_int(errors, path + "/period", props["period"], 1)
    for key in ("title", "stat"):
        if key in props and not isinstance(props[key], str):
            errors.append(("%s/%s" % (path, key), "Should be string"))
    if "metrics" in props:
        metrics = props["metrics"]
        if not isinstance(metrics, list):
            errors.append((path + "/metrics", "Should be array"))
            return
        if len(metrics) > MAX_METRICS:
            errors.append((path + "/metrics", "Should NOT have more than %d items" % MAX_METRICS))
        previous = []
        for index, row in enumerate(metrics):
            previous = _check_row(errors, "%s/metrics/%d" % (path, index), row, index, previous)


def validate_body(body):
    """The validation messages (``[{"DataPath", "Message"}]``) for a parsed dashboard body."""
    errors = []
    if not isinstance(body, dict):
        return [{"DataPath": "", "Message": "Should be object"}]
    if "widgets" not in body:
        errors.append(("", "Should have required property 'widgets'"))
    elif not isinstance(body["widgets"], list):
        errors.append(("/widgets", "Should be array"))
    else:
        if len(body["widgets"]) > MAX_WIDGETS:
            errors.append(("/widgets", "Should NOT have more than %d items" % MAX_WIDGETS))
        for index, widget in enumerate(body["widgets"]):
            _check_widget(errors, "/widgets/%d" % index, widget)
    if "periodOverride" in body and body["periodOverride"] not in ("auto", "inherit"):
        errors.append(("/periodOverride", "Should be equal to one of the allowed values"))
    for key in ("start", "end"):
        if key in body and not isinstance(body[key], str):
            errors.append(("/" + key, "Should be string"))
    return [{"DataPath": path, "Message": message} for path, message in errors]


def _check_widget(errors, path, widget):
    if not isinstance(widget, dict):
        errors.append((path, "Should be object"))
        return
    if "type" not in widget:
        errors.append((path, "Should have required property 'type'"))
    elif widget["type"] not in WIDGET_TYPES:
        errors.append((path + "/type", "Should be equal to one of the allowed values"))
    for key, minimum, maximum in (("x", 0, 23), ("y", 0, None), ("width", 1, 24), ("height", 1, 1000)):
        if key in widget:
            _check_int(errors, "%s/%s" % (path, key), widget[key], minimum, maximum)
    if "properties" not in widget:
        errors.append((path, "Should have required property 'properties'"))
        return
    props = widget["properties"]
    if not isinstance(props, dict):
        errors.append((path + "/properties", "Should be object"))
        return
    if widget.get("type") == "metric":
        _check_metric_properties(errors, path + "/properties", props)
    elif widget.get("type") == "alarm":
        _check_alarm_properties(errors, path + "/properties", props)
    elif widget.get("type") == "text":
        if "markdown" not in props:
            errors.append((path + "/properties", "Should have required property 'markdown'"))
        elif not isinstance(props["markdown"], str):
            errors.append((path + "/properties/markdown", "Should be string"))


def _check_alarm_properties(errors, path, props):
    alarms = props.get("alarms")
    if alarms is None:
        errors.append((path, "Should have required property 'alarms'"))
    elif not isinstance(alarms, list):
        errors.append((path + "/alarms", "Should be array"))
    elif not 1 <= len(alarms) <= 100:
        errors.append((path + "/alarms", "Should NOT have %s than %d items" % (
            ("fewer", 1) if not alarms else ("more", 100))))
    else:
        for index, arn in enumerate(alarms):
            if not isinstance(arn, str) or not ALARM_ARN.match(arn):
                errors.append(("%s/alarms/%d" % (path, index), "Should match pattern of an alarm ARN"))
    if "sortBy" in props and props["sortBy"] not in ("default", "stateUpdatedTimestamp", "timestamp"):
        errors.append((path + "/sortBy", "Should be equal to one of the allowed values"))
    if "states" in props and (not isinstance(props["states"], list) or any(
            state not in ("ALARM", "INSUFFICIENT_DATA", "OK") for state in props["states"])):
        errors.append((path + "/states", "Should be equal to one of the allowed values"))
    if "title" in props and not isinstance(props["title"], str):
        errors.append((path + "/title", "Should be string"))


@app.control_route("cloudwatch/concurrent_saves")
def _concurrent_saves(request):
    if request.method == "POST":
        payload = json.loads(request.data or b"{}")
        bodies = payload["bodies"]
        if not isinstance(bodies, list):
            raise ValueError("bodies must be a list of dashboard bodies")
        with _LOCK:
            CONCURRENT_SAVES[(payload["region"], payload["name"])] = list(bodies)
    with _LOCK:
        pending = {"%s/%s" % key: len(bodies) for key, bodies in CONCURRENT_SAVES.items()}
    return 200, {"pending": pending}


def _reset():
    with _LOCK:
        CONCURRENT_SAVES.clear()


def install():
    app.RESET_HOOKS.append(_reset)
    original_get = CloudWatchResponse.get_dashboard

    def get_dashboard(self):
        answer = original_get(self)  # the reader's view is taken before the other save lands
        name = self._get_param("DashboardName")
        with _LOCK:
            pending = CONCURRENT_SAVES.get((self.region, name))
            body = pending.pop(0) if pending else None
        if body is not None:
            self.cloudwatch_backend.put_dashboard(name, json.dumps(body))
        return answer

    get_dashboard.__wrapped__ = original_get
    CloudWatchResponse.get_dashboard = get_dashboard

    original = CloudWatchResponse.put_dashboard

    def put_dashboard(self):
        body = self._get_param("DashboardBody")
        try:
            parsed = json.loads(body)
        except (TypeError, ValueError):
            return original(self)  # moto's own "invalid JSON" answer
        messages = validate_body(parsed)
        if messages:
            raise InvalidDashboardBody(messages)
        return original(self)

    put_dashboard.__wrapped__ = original
    CloudWatchResponse.put_dashboard = put_dashboard
