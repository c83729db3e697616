# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans for the ``ecr_replication`` module: merge registry replication rules (pure, no boto3).

An ECR registry has one replication configuration: up to 10 rules, each with
up to 25 destinations (region + registry id) and optional repository filters
(prefixes). The module owns only "these destinations for these filters": it
adds them to the rule with the same filters (or a new rule) and never drops
or reorders anything else.
"""

from __future__ import annotations

import copy
import re

REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$")
MAX_RULES = 10
MAX_DESTINATIONS = 25
MAX_FILTERS = 100


class ReplicationError(Exception):
    def __init__(self, parameter, message):
        self.parameter = parameter
        super().__init__("%s: %s" % (parameter, message))


def _filters(prefixes):
    return [{"filter": p, "filterType": "PREFIX_MATCH"} for p in prefixes or []]


def _filter_key(rule_filters):
    return sorted((f.get("filterType", "PREFIX_MATCH"), f.get("filter")) for f in rule_filters or [])


def _dest_key(destination):
    return (destination["region"], str(destination["registryId"]))


def normalise_destinations(destinations, registry_id, source_region):
    """Module input (region names or {region, registry_id?}) -> API destinations, validated."""
    if not destinations:
        raise ReplicationError("destinations", "give at least one destination region")
    out = []
    for item in destinations:
        if isinstance(item, str):
            item = {"region": item}
        if not isinstance(item, dict) or set(item) - {"region", "registry_id"}:
            raise ReplicationError("destinations", "each element is a region name or a dict with the keys region "
                                   "and registry_id (optional), got %r" % (item,))
        region = item.get("region")
        if not isinstance(region, str) or not REGION_PATTERN.match(region):
            raise ReplicationError("destinations", "%r is not an AWS region name (like us-east-1)" % (region,))
        target = str(item.get("registry_id") or registry_id)
        if not re.match(r"^[0-9]{12}$", target):
            raise ReplicationError("destinations", "registry_id %r is not a 12-digit account id" % target)
        if region == source_region and target == str(registry_id):
            raise ReplicationError("destinations", "%s is this registry's own region; a registry cannot "
                                   "replicate to itself" % region)
        destination = {"region": region, "registryId": target}
        if destination not in out:
            out.append(destination)
    return out


def merge_replication(current, destinations, repository_filters=None, state="present"):
    """The replication configuration with ``destinations`` for ``repository_filters`` merged in (or removed).

    ``current`` is DescribeRegistry's ``replicationConfiguration`` (may be
    None). Returns ``(configuration, changed)``.
    """
    config = copy.deepcopy(current or {})
    rules = config.setdefault("rules", [])
    wanted_filters = _filters(repository_filters)
    if len(wanted_filters) > MAX_FILTERS:
        raise ReplicationError("repository_filters", "at most %d filters per rule" % MAX_FILTERS)
    for prefix in repository_filters or []:
        if not re.match(r"^[a-z0-9*](?:[._\-/a-z0-9*]*)$", prefix or ""):
            raise ReplicationError("repository_filters", "%r is not a repository name prefix (lowercase letters, "
                                   "digits, . _ - /)" % (prefix,))
    target = None
    for rule in rules:
        if _filter_key(rule.get("repositoryFilters")) == _filter_key(wanted_filters):
            target = rule
            break
    changed = False
    if state == "absent":
        if target is None:
            return config, False
        drop = {_dest_key(d) for d in destinations}
        kept = [d for d in target.get("destinations", []) if _dest_key(d) not in drop]
        if len(kept) != len(target.get("destinations", [])):
            changed = True
            if kept:
                target["destinations"] = kept
            else:
                rules.remove(target)
        return config, changed
    if target is None:
        if len(rules) >= MAX_RULES:
            raise ReplicationError("repository_filters", "the registry already has %d replication rules, the "
                                   "maximum; reuse the filters of an existing rule" % MAX_RULES)
        target = {"destinations": []}
        if wanted_filters:
            target["repositoryFilters"] = wanted_filters
        rules.append(target)
        changed = True
    have = {_dest_key(d) for d in target["destinations"]}
    for destination in destinations:
        if _dest_key(destination) not in have:
            target["destinations"].append(destination)
            have.add(_dest_key(destination))
            changed = True
    if len(target["destinations"]) > MAX_DESTINATIONS:
        raise ReplicationError("destinations", "a rule has at most %d destinations" % MAX_DESTINATIONS)
    return config, changed
