# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers of the ddb_replica_check module (no boto3).

The read-only comparison: each region's items as ``{key: digest}`` (a snapshot), compared with the home
region's. The optional canary: an item shaped as the table's items (a neutral value of the same type for
each attribute of a sample item), carrying the marker attribute that lets a later run find and remove a
canary a killed run left behind.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

# The attribute that marks a canary item; its value starts with MARKER_VALUE (then the UTC time of the write).
MARKER_ATTRIBUTE = "mm_canary"
MARKER_VALUE = "mysfits.multi_region"

# Attributes the legacy global tables (2017.11.29) add to every item in each region; not data.
_REPLICATION_PREFIX = "aws:rep:"

_NEUTRAL = {
    "S": "mm-canary",
    "N": "0",
    "B": b"mm-canary",
    "BOOL": False,
    "NULL": True,
    "SS": ["mm-canary"],
    "NS": ["0"],
    "BS": [b"mm-canary"],
    "L": [],
    "M": {},
}


def key_names(description):
    """The table's key attributes (hash first), from DescribeTable."""
    return [element["AttributeName"] for element in description["KeySchema"]]


def canary_key(description, token=None):
    """A key for a canary item that matches the table's key schema (S, N or B attributes).

    ``token`` (hex digits; random by default) makes the key unique and recognisable.
    """
    token = token or uuid.uuid4().hex
    types = {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]}
    key = {}
    for element in description["KeySchema"]:
        kind = types[element["AttributeName"]]
        if kind == "S":
            key[element["AttributeName"]] = {"S": "mm-canary-" + token}
        elif kind == "N":
            key[element["AttributeName"]] = {"N": str(int(token, 16) % 10 ** 30)}
        else:
            key[element["AttributeName"]] = {"B": ("mm-canary-" + token).encode()}
    return key


def canary_item(description, key, sample=None, attributes=None, written_at=""):
    """The canary item: ``key``, a neutral value for every other attribute of ``sample`` (an item of the
    table, so that an application reading its items' attributes finds them all, of the same type), then
    ``attributes`` (typed values given by the user) on top, and the marker attribute."""
    names = set(key_names(description))
    item = {}
    for name, value in sorted((sample or {}).items()):
        if name in names or name == MARKER_ATTRIBUTE or name.startswith(_REPLICATION_PREFIX):
            continue
        kind = next(iter(value))
        item[name] = {kind: _NEUTRAL[kind]}
    item.update(attributes or {})
    item.update(key)
    item[MARKER_ATTRIBUTE] = {"S": ("%s %s" % (MARKER_VALUE, written_at)).strip()}
    return item


def is_canary(item):
    """An item this module wrote (it carries the marker attribute with the module's value)."""
    value = item.get(MARKER_ATTRIBUTE, {}).get("S", "")
    return value == MARKER_VALUE or value.startswith(MARKER_VALUE + " ")


def _plain(value):
    """A typed DynamoDB value as canonical JSON-able data (sets sorted, binary as base64)."""
    kind, inner = next(iter(value.items()))
    if kind == "B":
        inner = base64.b64encode(bytes(inner)).decode()
    elif kind == "BS":
        inner = sorted(base64.b64encode(bytes(v)).decode() for v in inner)
    elif kind in ("SS", "NS"):
        inner = sorted(inner)
    elif kind == "L":
        inner = [_plain(v) for v in inner]
    elif kind == "M":
        inner = {k: _plain(v) for k, v in inner.items()}
    return {kind: inner}


def item_key(item, names):
    """The item's key as a short string (for a message and as the snapshot's key): its key values, joined by /."""
    return "/".join(str(next(iter(_plain(item[name]).values()))) if name in item else "?" for name in names)


def item_digest(item):
    """SHA-256 of the item's attributes (canonical JSON; replication bookkeeping attributes left out)."""
    data = {k: _plain(v) for k, v in item.items() if not k.startswith(_REPLICATION_PREFIX)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def snapshot(items, names):
    """One region's data: ``{"items": {key: digest}, "canaries": [keys of canary items]}``.

    Canary items are not application data: they are listed apart and left out of the comparison.
    """
    result = {"items": {}, "canaries": []}
    for item in items:
        if is_canary(item):
            result["canaries"].append({name: item[name] for name in names if name in item})
        else:
            result["items"][item_key(item, names)] = item_digest(item)
    return result


def table_digest(items):
    """SHA-256 over a snapshot's ``{key: digest}``: equal digests, equal data."""
    text = "\n".join("%s %s" % pair for pair in sorted(items.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def compare(snapshots, home):
    """Each other region's differences from ``home``: ``{region: {"missing", "extra", "different"}}``
    (sorted keys), only for regions that differ."""
    reference = snapshots[home]["items"]
    differences = {}
    for region, snap in sorted(snapshots.items()):
        if region == home:
            continue
        items = snap["items"]
        diff = {
            "missing": sorted(set(reference) - set(items)),
            "extra": sorted(set(items) - set(reference)),
            "different": sorted(k for k in set(reference) & set(items) if reference[k] != items[k]),
        }
        if any(diff.values()):
            differences[region] = diff
    return differences


def describe_differences(differences, home, limit=3):
    parts = []
    for region, diff in sorted(differences.items()):
        words = []
        for what, label in (("missing", "missing"), ("extra", "not in %s" % home), ("different", "different")):
            keys = diff[what]
            if keys:
                shown = ", ".join(keys[:limit]) + (" and %d more" % (len(keys) - limit) if len(keys) > limit else "")
                words.append("%d %s (%s)" % (len(keys), label, shown))
        parts.append("%s: %s" % (region, "; ".join(words)))
    return "; ".join(parts)


def counts_of(snapshots):
    return {region: len(snap["items"]) for region, snap in snapshots.items()}


def counts_agree(counts):
    """True when every region holds the same number of items."""
    return len(set(counts.values())) <= 1


def describe_counts(counts):
    return ", ".join("%s=%s" % item for item in sorted(counts.items()))


def replica_regions_of(description, home):
    """The table's replica regions other than its own, from DescribeTable."""
    return sorted(r["RegionName"] for r in description.get("Replicas", []) if r["RegionName"] != home)
