# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions behind ``cloudwatch_dashboard``: merge, layout, comparison.

A dashboard body is the parsed ``DashboardBody`` JSON
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
Nothing here talks to AWS; the module reads the body, calls :func:`plan_dashboard`
and writes the result.

Identity
    A widget is identified by ``properties.title``; a text widget, which has no
    title, by the first line of its ``properties.markdown``.
    A metric row is identified by its namespace, metric name, set of dimensions,
    region (the row's ``region`` option, else the widget's ``region``) and
    ``accountId``; an expression row by its ``id`` (else its expression).

Shorthand
    In a ``metrics`` array the console writes two abbreviations
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html,
    "Metric Widget: Format for Each Metric in the Array", documents ``"."``; the
    console's "View/edit source" writes ``"..."`` as well):

    * ``"."`` is the value at the same position of the previous row;
    * ``"..."`` stands for the previous row's values, except the values that
      follow it, which replace the previous row's trailing ones:
      ``["...", {"stat": "p99"}]`` is the previous metric again with other
      options, ``["...", "i-2"]`` the previous metric with its last dimension
      value replaced. Values before it are the row's own leading values.

    "Previous row" always means the previous row as expanded, so a ``"."`` row
    after a ``"..."`` row refers to what the ``"..."`` row stands for. Options
    (the trailing object) are never inherited. Rows are compared after
    expansion, so a console-saved widget equals the same rows written in full.
    Rows the module does not change are written back exactly as they were; a
    row whose options change keeps its written values.
"""

from __future__ import annotations

import copy
import json
import re

GRID_COLUMNS = 24
DEFAULT_WIDTH = 6
DEFAULT_HEIGHT = 6
MAX_HEIGHT = 1000
SHORTHAND = "."
ELLIPSIS = "..."
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")


class DashboardError(Exception):
    """Input the module cannot act on; the message names the parameter and the fix."""


class ConcurrentChange(Exception):
    """The dashboard kept changing between our read and our write."""


# --------------------------------------------------------------------- identity

def widget_key(widget):
    """The title that identifies ``widget``, or None when it has none."""
    if not isinstance(widget, dict):
        return None
    props = widget.get("properties")
    if not isinstance(props, dict):
        return None
    title = props.get("title")
    if isinstance(title, str) and title:
        return title
    markdown = props.get("markdown")
    if widget.get("type") == "text" and isinstance(markdown, str) and markdown.strip():
        return markdown.strip().splitlines()[0].strip()
    return None


def widget_label(body, index):
    """How an error message names widget ``index`` of ``body``."""
    widgets = body.get("widgets") if isinstance(body, dict) else None
    if isinstance(widgets, list) and 0 <= index < len(widgets):
        key = widget_key(widgets[index])
        if key:
            return "widget %r" % key
    return "widget #%d" % index


# --------------------------------------------------------------------- metric rows

def split_row(row):
    """``(values, options)`` of a metric row: the strings and the trailing options object."""
    if row and isinstance(row[-1], dict):
        return list(row[:-1]), dict(row[-1])
    return list(row), {}


def expand_values(values, previous):
    """``values`` of one row with ``"..."`` and ``"."`` resolved against ``previous`` (expanded values).

    A ``"..."`` or ``"."`` with nothing to stand for (first row, or a position the
    previous row does not have) is left as it is, for the caller to report.
    """
    if ELLIPSIS in values and previous:
        cut = values.index(ELLIPSIS)
        before, after = values[:cut], values[cut + 1:]
        fill = previous[len(before):max(len(before), len(previous) - len(after))]
        values = before + list(fill) + after
    full = []
    for position, value in enumerate(values):
        if value == SHORTHAND and position < len(previous):
            value = previous[position]
        full.append(value)
    return full


def expand_rows(rows):
    """The rows with every ``"..."`` and ``"."`` spelled out (see the module docstring)."""
    expanded = []
    previous = []
    for row in rows or []:
        if not isinstance(row, list):
            expanded.append(row)
            continue
        values, options = split_row(row)
        if not values:  # an expression row: nothing to expand, and it is no "previous metric"
            expanded.append(list(row))
            continue
        full = expand_values(values, previous)
        previous = full
        expanded.append(full + [options] if options else full)
    return expanded


def row_identity(row, widget_region):
    """What makes two metric rows the same metric (see the module docstring)."""
    values, options = split_row(row)
    if not values:
        return ("expression", options.get("id") or options.get("expression"))
    dims = tuple(sorted(zip(values[2::2], values[3::2])))
    return (tuple(values[:2]), dims, options.get("region", widget_region), options.get("accountId"))


def rows_equal(left, right):
    return expand_rows(left) == expand_rows(right)


def ensure_row(widget, row):
    """Ensure metric ``row`` (full form) is in ``widget``; return "added", "updated" or None.

    Rows are matched after shorthand expansion, so a metric drawn by a ``"."``
    or ``"..."`` row is found and never appended a second time. When several
    rows draw the same metric (the console's ``["...", {"stat": "p99"}]`` next to
    the p50 line), a row that already carries every option of ``row`` means no
    change; otherwise the row with the same ``stat`` (else the first one) gets
    the options merged, its written values (shorthand included) kept. New rows
    are appended in full.
    """
    props = widget.setdefault("properties", {})
    rows = props.get("metrics")
    if not isinstance(rows, list):
        rows = []
    region = props.get("region")
    wanted = row_identity(row, region)
    want_values, want_options = split_row(row)
    matches = [index for index, current in enumerate(expand_rows(rows))
               if isinstance(current, list) and row_identity(current, region) == wanted]
    if matches:
        expanded = expand_rows(rows)
        for index in matches:
            options = split_row(expanded[index])[1]
            if all(key in options and options[key] == value for key, value in want_options.items()):
                return None
        same_stat = [index for index in matches
                     if split_row(expanded[index])[1].get("stat") == want_options.get("stat")]
        index = (same_stat or matches)[0]
        written_values, options = split_row(rows[index])
        options.update(want_options)
        rows[index] = written_values + [options]
        props["metrics"] = rows
        return "updated"
    rows.append(want_values + ([want_options] if want_options else []))
    props["metrics"] = rows
    return "added"


# --------------------------------------------------------------------- layout

def _rect(widget):
    return (widget["x"], widget["y"], widget.get("width", DEFAULT_WIDTH), widget.get("height", DEFAULT_HEIGHT))


def overlaps(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def first_fit(occupied, width, height):
    """The top-most, then left-most ``(x, y)`` where a ``width`` x ``height`` widget overlaps nothing."""
    width = max(1, min(int(width), GRID_COLUMNS))
    bottom = max([rect[1] + rect[3] for rect in occupied] or [0])
    for y in range(0, bottom + 1):
        for x in range(0, GRID_COLUMNS - width + 1):
            if not any(overlaps((x, y, width, height), rect) for rect in occupied):
                return x, y
    return 0, bottom  # not reached: the row at ``bottom`` is always free


def occupied_rects(widgets):
    """Rectangles of ``widgets``; one without a position is given the first free place, in order
    (our stand-in for CloudWatch's "next available position"), so that new widgets avoid it."""
    rects = []
    for widget in widgets:
        if _is_int(widget.get("x")) and _is_int(widget.get("y")):
            rects.append(_rect(widget))
    for widget in widgets:
        if not (_is_int(widget.get("x")) and _is_int(widget.get("y"))):
            width = widget.get("width", DEFAULT_WIDTH) if _is_int(widget.get("width")) else DEFAULT_WIDTH
            height = widget.get("height", DEFAULT_HEIGHT) if _is_int(widget.get("height")) else DEFAULT_HEIGHT
            x, y = first_fit(rects, width, height)
            rects.append((x, y, width, height))
    return rects


def place(widgets, new_widget):
    """Give ``new_widget`` a place among ``widgets``: its own x/y when that spot is free, else the first fit."""
    width = new_widget.get("width", DEFAULT_WIDTH)
    height = new_widget.get("height", DEFAULT_HEIGHT)
    rects = occupied_rects(widgets)
    if _is_int(new_widget.get("x")) and _is_int(new_widget.get("y")):
        wanted = (new_widget["x"], new_widget["y"], width, height)
        if not any(overlaps(wanted, rect) for rect in rects):
            return new_widget["x"], new_widget["y"]
    return first_fit(rects, width, height)


def find_overlaps(widgets):
    """Pairs of widget indexes whose rectangles overlap (positioned widgets only)."""
    positioned = [(i, _rect(w)) for i, w in enumerate(widgets)
                  if _is_int(w.get("x")) and _is_int(w.get("y"))]
    return [(i, j) for n, (i, a) in enumerate(positioned) for j, b in positioned[n + 1:] if overlaps(a, b)]


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------- input checks

def _check_row(row, where):
    """Types of one row as given; its shape is checked once shorthand is expanded (:func:`_check_shape`)."""
    if not isinstance(row, list) or not row:
        raise DashboardError("%s must be a non-empty list [namespace, metric name, dimension name, "
                             "dimension value, ..., {options}]; got %r" % (where, row))
    values, options = split_row(row)
    if any(isinstance(v, dict) for v in values):
        raise DashboardError("%s: only the last element of a metric row may be an options object; got %r"
                             % (where, row))
    if any(not isinstance(v, str) for v in values):
        raise DashboardError("%s: namespace, metric name and dimensions must be strings; got %r" % (where, row))
    if not values and "expression" not in options:
        raise DashboardError("%s: a row with no metric must be [{\"expression\": ...}]; got %r" % (where, row))
    if values.count(ELLIPSIS) > 1:
        raise DashboardError("%s: \"...\" may appear once in a row; got %r" % (where, row))


def _check_shape(row, where):
    values = split_row(row)[0]
    if values and (len(values) < 2 or len(values) % 2):
        raise DashboardError("%s: write [namespace, metric name] followed by dimension name/value pairs; "
                             "got %r" % (where, row))


def _expand_desired(rows, where, labels=None):
    """Expand ``"..."`` and ``"."`` in rows the user gave; the first row can use neither.

    ``labels`` names each row in messages (default ``<where>[<index>]``).
    """
    labels = labels or ["%s[%d]" % (where, index) for index in range(len(rows))]
    for label, row in zip(labels, rows):
        _check_row(row, label)
    expanded = expand_rows(rows)
    for label, row in zip(labels, expanded):
        values = split_row(row)[0]
        if ELLIPSIS in values:
            raise DashboardError("%s: \"...\" repeats the previous row, and there is none; write the row "
                                 "out" % label)
        if SHORTHAND in values:
            raise DashboardError("%s: \".\" repeats the value of the previous row, which has none at that "
                                 "position; write the value out" % label)
        _check_shape(row, label)
    return expanded


def _check_widget(widget, where):
    if not isinstance(widget, dict):
        raise DashboardError("%s must be a widget dictionary (type, properties, optional x/y/width/height)"
                             % where)
    if widget.get("type", "metric") not in WIDGET_TYPES:
        raise DashboardError("%s.type must be one of %s; got %r"
                             % (where, ", ".join(WIDGET_TYPES), widget.get("type")))
    if not isinstance(widget.get("properties"), dict):
        raise DashboardError("%s.properties must be a dictionary holding at least the widget's title" % where)
    if widget_key(widget) is None:
        raise DashboardError("%s has no identity: set properties.title (or, for a text widget, "
                             "properties.markdown whose first line names it)" % where)
    for key, low, high in (("x", 0, GRID_COLUMNS - 1), ("y", 0, None), ("width", 1, GRID_COLUMNS),
                           ("height", 1, MAX_HEIGHT)):
        if key in widget:
            value = widget[key]
            if not _is_int(value) or value < low or (high is not None and value > high):
                raise DashboardError("%s.%s must be an integer from %d%s; got %r"
                                     % (where, key, low, " to %d" % high if high is not None else " up", value))
    if _is_int(widget.get("x")) and widget["x"] + widget.get("width", DEFAULT_WIDTH) > GRID_COLUMNS:
        raise DashboardError("%s: x + width must not exceed the %d grid columns" % (where, GRID_COLUMNS))
    metrics = widget["properties"].get("metrics")
    if metrics is not None:
        if not isinstance(metrics, list):
            raise DashboardError("%s.properties.metrics must be a list of metric rows" % where)
        _expand_desired(metrics, "%s.properties.metrics" % where)


def check_options(name, widgets, metrics, absent_widgets, initial_widgets):
    """Fail on input the module cannot act on, before any call to AWS."""
    if not NAME_PATTERN.match(name or ""):
        raise DashboardError("name must be 1 to 255 characters of A-Z, a-z, 0-9, '-' and '_'; got %r" % name)
    for option, entries in (("initial_widgets", initial_widgets), ("widgets", widgets)):
        seen = set()
        for index, widget in enumerate(entries):
            _check_widget(widget, "%s[%d]" % (option, index))
            key = widget_key(widget)
            if key in seen:
                raise DashboardError("%s names widget %r twice; give each widget one entry" % (option, key))
            seen.add(key)
    for title in absent_widgets:
        if title in {widget_key(w) for w in widgets}:
            raise DashboardError("widget %r is in both widgets and absent_widgets; keep one" % title)
    for index, entry in enumerate(metrics):
        where = "metrics[%d]" % index
        if not isinstance(entry.get("widget"), str) or not entry.get("widget"):
            raise DashboardError("%s.widget must be the title of the widget to put the row in" % where)
        if entry["widget"] in absent_widgets:
            raise DashboardError("%s puts a row in widget %r, which absent_widgets removes" % (where, entry["widget"]))
        _check_row(entry.get("metric"), where + ".metric")
    group_metric_rows(metrics)  # shorthand that resolves to nothing, and the shape of every expanded row


def group_metric_rows(metrics):
    """``metrics`` entries as ``{title: [full rows]}``; shorthand expands against the previous entry for that widget."""
    grouped = {}
    for index, entry in enumerate(metrics):
        grouped.setdefault(entry["widget"], []).append((index, entry["metric"]))
    result = {}
    for title, entries in grouped.items():
        rows = [row for dummy, row in entries]
        labels = ["metrics[%d].metric" % index for index, dummy in entries]
        result[title] = _expand_desired(rows, "metrics for widget %r" % title, labels)
    return result


# --------------------------------------------------------------------- the plan

def _find(widgets, key):
    matches = [i for i, w in enumerate(widgets) if widget_key(w) == key]
    if len(matches) > 1:
        raise DashboardError("the dashboard has %d widgets titled %r; rename all but one in the console "
                             "so that the module knows which one it owns" % (len(matches), key))
    return matches[0] if matches else None


def _update_widget(existing, desired):
    """Set what ``desired`` specifies on ``existing`` (in place); return True when something changed.

    ``type`` and each given property are set; ``metrics``, when given, is the
    full list of rows, compared after ``"."`` expansion. Place and size stay.
    """
    changed = False
    if "type" in desired and existing.get("type") != desired["type"]:
        existing["type"] = desired["type"]
        changed = True
    props = existing.get("properties")
    if not isinstance(props, dict):
        props = existing["properties"] = {}
        changed = True
    for key, value in desired["properties"].items():
        if key == "metrics":
            if isinstance(props.get("metrics"), list) and rows_equal(props["metrics"], value):
                continue
        elif key in props and props[key] == value:
            continue
        props[key] = copy.deepcopy(value)
        changed = True
    return changed


def _new_widget(widgets, desired):
    widget = {"type": desired.get("type", "metric")}
    width = desired.get("width", DEFAULT_WIDTH)
    height = desired.get("height", DEFAULT_HEIGHT)
    x, y = place(widgets, dict(desired, width=width, height=height))
    widget.update(x=x, y=y, width=width, height=height)
    widget["properties"] = copy.deepcopy(desired["properties"])
    return widget


class Plan:
    """The result of merging the desired widgets into a dashboard body."""

    def __init__(self, before, after, created, added, updated, removed):
        self.before = before
        self.after = after
        self.created = created
        self.added = added
        self.updated = updated
        self.removed = removed
        self.replanned = False

    @property
    def changed(self):
        return self.created or self.before != self.after

    def as_result(self):
        return {"widgets_added": self.added, "widgets_updated": self.updated, "widgets_removed": self.removed}


def plan_dashboard(current, widgets=(), metrics=(), absent_widgets=(), initial_widgets=()):
    """Merge the desired state into ``current`` (a parsed body, or None when the dashboard is missing).

    Order: remove ``absent_widgets``; when the dashboard is new, add
    ``initial_widgets``; ensure each of ``widgets`` (update in place or add on
    the grid); ensure each row of ``metrics`` in the widget it names.
    Widgets with other titles are not touched, rows included.
    """
    created = current is None
    before = copy.deepcopy(current) if current is not None else None
    body = copy.deepcopy(current) if current is not None else {"widgets": []}
    if not isinstance(body, dict) or not isinstance(body.get("widgets", []), list):
        raise DashboardError("the stored dashboard body has no widgets list; fix it in the console first")
    body.setdefault("widgets", [])
    all_widgets = body["widgets"]
    added, updated, removed = [], [], []

    absent = set(absent_widgets)
    kept = []
    for widget in all_widgets:
        key = widget_key(widget)
        if key is not None and key in absent:
            removed.append(key)
        else:
            kept.append(widget)
    all_widgets[:] = kept

    desired = list(initial_widgets) if created else []
    desired += list(widgets)
    for entry in desired:
        key = widget_key(entry)
        index = _find(all_widgets, key)
        if index is None:
            all_widgets.append(_new_widget(all_widgets, entry))
            added.append(key)
        elif _update_widget(all_widgets[index], entry) and key not in added and key not in updated:
            updated.append(key)

    for title, rows in group_metric_rows(metrics).items():
        index = _find(all_widgets, title)
        if index is None:
            raise DashboardError("metrics name widget %r, which is neither on the dashboard nor in widgets; "
                                 "add it to widgets or fix the title" % title)
        widget = all_widgets[index]
        for row in rows:
            if ensure_row(widget, row) and title not in added and title not in updated:
                updated.append(title)

    return Plan(before, body, created, added, updated, removed)


# --------------------------------------------------------------------- errors and saving

WIDGET_PATH = re.compile(r"^/widgets/(\d+)(/.*)?$")


def describe_validation_messages(messages, body):
    """PutDashboard's ``[{DataPath, Message}]`` as sentences naming the widget each one concerns."""
    lines = []
    for message in messages or []:
        path = message.get("DataPath") or message.get("dataPath") or ""
        text = message.get("Message") or message.get("message") or ""
        match = WIDGET_PATH.match(path)
        if match:
            lines.append("%s (%s): %s" % (widget_label(body, int(match.group(1))), path, text))
        else:
            lines.append("%s: %s" % (path or "dashboard body", text))
    return lines


def body_text(body):
    """The JSON text sent as ``DashboardBody``."""
    return json.dumps(body, separators=(",", ":"))


def parse_body(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise DashboardError("the stored dashboard body is not JSON; fix it in the console first")


def save_with_recheck(read_text, plan_for, backup, write, first_text):
    """Write the plan, re-planning once if someone saved the dashboard meanwhile.

    ``read_text()`` returns the stored body text (None when missing);
    ``plan_for(text)`` the :class:`Plan` for that text; ``backup(text)`` saves a
    copy of the body about to be replaced; ``write(plan)`` stores the plan.
    Returns the plan that was written (or the unchanged plan when the re-plan
    found nothing left to do). Raises :class:`ConcurrentChange` when the body
    moved again after the re-plan.

    Sequence: backup(first) -> read -> [moved: re-plan, backup(new), read ->
    moved again: fail] -> write. PutDashboard has no conditional write, so a
    save that lands between the last read and the write is still lost; the
    window is one round trip.
    """
    seen = first_text
    plan = plan_for(seen)
    if not plan.changed:
        return plan
    backup(seen)
    for attempt in range(2):
        latest = read_text()
        if latest == seen:
            write(plan)
            return plan
        if attempt == 1:
            break
        seen = latest
        plan = plan_for(seen)
        plan.replanned = True
        if not plan.changed:
            return plan
        backup(seen)
    raise ConcurrentChange("the dashboard was saved by someone else twice while this task was merging its "
                           "widgets; nothing was written. Run the task again.")
