# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers of the ddb_replica_check module (no boto3): the canary's key, the verdicts."""

from __future__ import annotations

import uuid


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


def counts_agree(counts):
    """True when every region holds the same number of items."""
    return len(set(counts.values())) <= 1


def describe_counts(counts):
    return ", ".join("%s=%s" % item for item in sorted(counts.items()))


def replica_regions_of(description, home):
    """The table's replica regions other than its own, from DescribeTable."""
    return sorted(r["RegionName"] for r in description.get("Replicas", []) if r["RegionName"] != home)
