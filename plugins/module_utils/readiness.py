# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The readiness report's judgements, as pure functions (no AWS, no HTTP).

* :func:`http_checks` judges what each region's load balancer answered (the results of
  ``ansible.builtin.uri`` looped over ``[path, {key: region, value: base URL}]``): a region that cannot be
  reached or answers anything but 200 fails; an answer that is JSON is compared with the primary's as data
  (lists in any order); any other answer is compared as text with every region name masked (the
  workshop's app prints the region it runs in on ``/``).
* :func:`service_summary` condenses what ECS and ELBv2 say of one service (``DescribeServices``,
  ``DescribeTasks`` of its running tasks, ``DescribeTargetHealth`` of its target groups);
  :func:`service_checks` judges every region's services against the primary's: running count equal to
  the desired count (and at least one task), every target healthy, the same image digests as the primary.

Each check is ``{region, check, status: pass|fail|skip, detail}``, the shape the readiness role reports.
"""

from __future__ import annotations

import json

REGION_MASK = "<region>"


# --- HTTP -----------------------------------------------------------------------------------------

def _parse_json(text):
    try:
        return True, json.loads(text)
    except (TypeError, ValueError):
        return False, None


def normalize(data):
    """``data`` with every list sorted (by the canonical JSON of its elements): equal when equal as data,
    whatever the order of lists or keys."""
    if isinstance(data, dict):
        return {key: normalize(value) for key, value in data.items()}
    if isinstance(data, list):
        items = [normalize(value) for value in data]
        return sorted(items, key=lambda value: json.dumps(value, sort_keys=True))
    return data


def mask_regions(text, regions):
    """``text`` with each region name replaced by ``<region>`` (longest names first)."""
    for region in sorted(set(regions or []), key=len, reverse=True):
        text = text.replace(region, REGION_MASK)
    return text


def _records(data):
    """The list of records of an answer such as ``{"mysfits": [...]}``, keyed by their id, or None."""
    if isinstance(data, dict) and len(data) == 1:
        data = next(iter(data.values()))
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    for key in ("mysfitId", "MysfitId", "id"):
        if all(key in item for item in data):
            return {str(item[key]): item for item in data}
    return None


def describe_data_difference(answer, reference, primary):
    """A short account of how two JSON answers differ (records by id when both are lists of records)."""
    mine, theirs = _records(answer), _records(reference)
    if mine is None or theirs is None:
        return "data differs from %s" % primary
    parts = []
    missing = sorted(set(theirs) - set(mine))
    extra = sorted(set(mine) - set(theirs))
    changed = sorted(key for key in set(mine) & set(theirs) if normalize(mine[key]) != normalize(theirs[key]))
    if missing:
        parts.append("%d record(s) only in %s (%s)" % (len(missing), primary, ", ".join(missing[:5])))
    if extra:
        parts.append("%d record(s) only here (%s)" % (len(extra), ", ".join(extra[:5])))
    for key in changed[:3]:
        fields = sorted(field for field in set(mine[key]) | set(theirs[key])
                        if normalize(mine[key].get(field)) != normalize(theirs[key].get(field)))
        parts.append("%s differs in %s" % (key, ", ".join(fields)))
    if len(changed) > 3:
        parts.append("%d more record(s) differ" % (len(changed) - 3))
    return "data differs from %s: %s" % (primary, "; ".join(parts) or "structure")


def _status_code(result):
    try:
        return int(result.get("status", -1))
    except (TypeError, ValueError):
        return -1


def judge_answer(path, region, result, reference, primary, regions):
    """One check: ``result`` is this region's uri result, ``reference`` the primary's (None for the primary)."""
    code = _status_code(result)
    check = {"region": region, "check": "HTTP %s" % path}
    if code <= 0:
        return dict(check, status="fail", detail="not reachable: %s" % (result.get("msg") or "no answer"))
    if code != 200:
        return dict(check, status="fail", detail="HTTP %d%s" % (
            code, " (server error)" if code >= 500 else ""))
    content = result.get("content") or ""
    if reference is None:
        kind = "JSON" if _parse_json(content)[0] else "text"
        return dict(check, status="pass", detail="reference answer, %s, %d bytes" % (kind, len(content)))
    if _status_code(reference) != 200:
        # The comparison cannot run: a check that cannot run fails (the primary's own check says why).
        return dict(check, status="fail", detail="answered 200, but not compared: the primary %s gave no answer "
                                                 "to compare with (see its check)" % primary)
    ref_content = reference.get("content") or ""
    ref_json, ref_data = _parse_json(ref_content)
    if ref_json:
        is_json, data = _parse_json(content)
        if not is_json:
            return dict(check, status="fail", detail="not JSON, unlike %s's answer" % primary)
        if normalize(data) == normalize(ref_data):
            records = _records(data)
            what = ("%d records" % len(records)) if records is not None else "same data"
            return dict(check, status="pass", detail="same data as %s (%s, compared in any order)" % (primary, what))
        return dict(check, status="fail", detail=describe_data_difference(data, ref_data, primary))
    if mask_regions(content, regions) == mask_regions(ref_content, regions):
        return dict(check, status="pass", detail="same page as %s with region names masked, %d bytes" % (
            primary, len(content)))
    return dict(check, status="fail", detail="page differs from %s even with region names masked (%d vs %d bytes)"
                % (primary, len(content), len(ref_content)))


def http_checks(results, primary, regions=None):
    """Checks from ``uri`` results looped over ``[path, {key: region, value: url}]``.

    ``regions``: every region name to mask in text answers (default: the regions of the results)."""
    by_path = {}
    for result in results or []:
        path, endpoint = result["item"][0], result["item"][1]
        by_path.setdefault(path, []).append((endpoint["key"], result))
    names = list(regions or []) or sorted({answer[0] for answers in by_path.values() for answer in answers})
    checks = []
    for path, answers in by_path.items():
        reference = next((result for region, result in answers if region == primary), None)
        for region, result in answers:
            if region == primary:
                checks.append(judge_answer(path, region, result, None, primary, names))
            elif reference is None:
                # No reference: the comparison cannot run, so the check fails (never a skip).
                check = judge_answer(path, region, result, None, primary, names)
                if check["status"] == "pass":
                    check.update(status="fail", detail="answered 200, but not compared: the primary %s was not "
                                                       "asked (add it to readiness_http_endpoints)" % primary)
                checks.append(check)
            else:
                checks.append(judge_answer(path, region, result, reference, primary, names))
    return checks


# --- ECS services ---------------------------------------------------------------------------------

def service_summary(service, tasks, target_health):
    """One service as the report needs it.

    ``service``: a ``DescribeServices`` service (None when not found); ``tasks``: ``DescribeTasks`` tasks of
    the service's running tasks; ``target_health``: target group ARN -> ``TargetHealthDescriptions``.
    """
    if not service:
        return {"found": False}
    digests = {}
    images = {}
    for task in tasks or []:
        if task.get("lastStatus") not in (None, "RUNNING"):
            continue
        for container in task.get("containers") or []:
            name = container.get("name")
            digests.setdefault(name, set()).add(container.get("imageDigest") or "")
            images.setdefault(name, set()).add(container.get("image") or "")
    groups = []
    for arn, descriptions in (target_health or {}).items():
        states = {}
        for description in descriptions or []:
            state = (description.get("TargetHealth") or {}).get("State") or "unknown"
            states[state] = states.get(state, 0) + 1
        groups.append({"arn": arn, "states": states})
    return {
        "found": True,
        "name": service.get("serviceName"),
        "status": service.get("status"),
        "desired": int(service.get("desiredCount") or 0),
        "running": int(service.get("runningCount") or 0),
        "pending": int(service.get("pendingCount") or 0),
        "task_definition": service.get("taskDefinition"),
        "deployments": len(service.get("deployments") or []),
        "tasks": len([t for t in tasks or [] if t.get("lastStatus") in (None, "RUNNING")]),
        "digests": {name: sorted(values) for name, values in sorted(digests.items())},
        "images": {name: sorted(values) for name, values in sorted(images.items())},
        "target_groups": sorted(groups, key=lambda group: group["arn"]),
    }


def _short(digest):
    return digest[:19] + "…" if digest and len(digest) > 20 else (digest or "no digest")


def _digest_text(digests):
    return ", ".join("%s %s" % (name, "/".join(_short(d) for d in values)) for name, values in digests.items()) \
        or "no running task"


def service_checks(summaries, primary):
    """Checks of every region's services.

    ``summaries``: region -> service key (e.g. ``core``) -> :func:`service_summary` (or None when the
    region's services could not be read). The image check compares each region's digests with the primary's
    per container: a region passes when every running task of the service runs the digest(s) the primary's run.
    """
    checks = []
    reference = summaries.get(primary) or {}
    for region, services in summaries.items():
        for key, summary in sorted((services or {}).items()):
            summary = summary or {"found": False}
            name = summary.get("name") or key
            base = {"region": region}
            if not summary.get("found"):
                for check in ("tasks", "targets", "image"):
                    checks.append(dict(base, check="service %s %s" % (key, check), status="fail",
                                       detail="service not found"))
                continue
            desired, running = summary["desired"], summary["running"]
            ok = summary.get("status") == "ACTIVE" and desired >= 1 and running == desired
            if desired < 1:
                why = "desired count is 0: no task serves %s" % name
            elif running != desired:
                why = "%d running of %d desired (%d pending)" % (running, desired, summary.get("pending", 0))
            else:
                why = "%d running of %d desired" % (running, desired)
            if summary.get("status") != "ACTIVE":
                why = "service %s; %s" % (summary.get("status"), why)
            checks.append(dict(base, check="service %s tasks" % key, status="pass" if ok else "fail", detail=why))

            groups = summary.get("target_groups") or []
            problems = []
            healthy = 0
            for group in groups:
                states = dict(group["states"])
                states.pop("draining", None)
                good = states.pop("healthy", 0)
                healthy += good
                if not good:
                    problems.append("%s: no healthy target" % group["arn"].split("/")[-2] if "/" in group["arn"]
                                    else group["arn"])
                for state, count in sorted(states.items()):
                    problems.append("%d %s" % (count, state))
            if not groups:
                problems.append("no target group")
            checks.append(dict(base, check="service %s targets" % key,
                               status="fail" if problems else "pass",
                               detail="; ".join(problems) if problems else "%d healthy target(s)" % healthy))

            digests = summary.get("digests") or {}
            ref = (reference.get(key) or {}) if isinstance(reference, dict) else {}
            ref_digests = ref.get("digests") if ref.get("found") else None
            if not digests or any(not d or "" in d for d in digests.values()):
                status, detail = "fail", "runs no image with a known digest (%s)" % _digest_text(digests)
            elif region == primary:
                status, detail = "pass", "reference: %s" % _digest_text(digests)
            elif not ref_digests:
                status, detail = "fail", "the primary %s runs no task of %s to compare with" % (primary, key)
            elif digests == ref_digests:
                status, detail = "pass", "same digest as %s: %s" % (primary, _digest_text(digests))
            else:
                status, detail = "fail", "runs %s; %s runs %s" % (_digest_text(digests), primary,
                                                                  _digest_text(ref_digests))
            checks.append(dict(base, check="service %s image" % key, status=status, detail=detail))
    return checks


# --- the like check's undo ------------------------------------------------------------------------

def number_plan(exists, current, value, expected, attribute="Likes"):
    """What ``ddb_item_number`` does: ``("read"|"none"|"set"|"refuse", message)``.

    ``value`` None: read only. The attribute already at ``value``: nothing to do (idempotent). At
    ``expected``: set it. Anything else (a missing item, a missing attribute, another number): refuse.
    """
    if value is None:
        return "read", None
    if not exists:
        return "refuse", "the item does not exist; nothing was written (this module never creates an item)"
    if current is None:
        return "refuse", "the item has no number attribute %s; nothing was written" % attribute
    if current == value:
        return "none", None
    if current != expected:
        return "refuse", ("%s is %d, not the expected %d: someone else changed it; nothing was written. Set it "
                          "by hand if %d is still right" % (attribute, current, expected, value))
    return "set", None
