# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions of the ecs_desired_count module: what to change, and when a change has settled."""
from __future__ import annotations


def desired_plan(current, wanted):
    """``{service: (before, after)}`` for the services whose desired count is not what is wanted.

    ``current``: service name -> desired count now (a service missing from it does not exist);
    ``wanted``: service name -> desired count. Raises ValueError naming services that do not exist and counts
    that are not whole numbers >= 0.
    """
    missing = sorted(set(wanted) - set(current))
    if missing:
        raise ValueError("no such service in the cluster: %s" % ", ".join(missing))
    bad = sorted(name for name, count in wanted.items()
                 if isinstance(count, bool) or not isinstance(count, int) or count < 0)
    if bad:
        raise ValueError("desired counts must be whole numbers >= 0: %s" % ", ".join(
            "%s=%r" % (name, wanted[name]) for name in bad))
    return {name: (current[name], count) for name, count in sorted(wanted.items()) if current[name] != count}


def settled(services, wanted):
    """True when every wanted service runs its desired count with one deployment (the services-stable rule).

    ``services``: DescribeServices' ``services`` entries (``serviceName``, ``desiredCount``, ``runningCount``,
    ``deployments``).
    """
    by_name = {s["serviceName"]: s for s in services}
    for name, count in wanted.items():
        service = by_name.get(name)
        if service is None or service.get("desiredCount") != count or service.get("runningCount") != count:
            return False
        if len(service.get("deployments") or []) > 1:
            return False
    return True


def summary(services):
    """service name -> {desired, running} of DescribeServices' entries."""
    return {s["serviceName"]: {"desired": s.get("desiredCount"), "running": s.get("runningCount")}
            for s in services}
