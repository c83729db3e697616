#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_replication
short_description: Merge Amazon ECR registry replication destinations into the registry's configuration
version_added: 0.1.0
description:
  - Reads the registry's replication configuration (C(DescribeRegistry)) and adds the given destinations to
    the rule with the same repository filters, or to a new rule, then writes the whole configuration with
    C(PutReplicationConfiguration). Every other rule and destination is kept.
  - Nothing is written when every destination is already there.
  - Replication copies images pushed after the configuration exists, into repositories of the same name in
    the destination regions.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  destinations:
    description:
      - Where to replicate to. Each element is a region name (V(us-east-1)), or a dict with the keys
        C(region) (the destination region, required) and C(registry_id) (the destination registry's account
        id; default this registry's own account).
    type: list
    elements: raw
    required: true
  repository_filters:
    description:
      - Repository name prefixes the rule applies to (C(PREFIX_MATCH)); empty means every repository.
      - The destinations are merged into the existing rule with exactly these filters, if there is one.
    type: list
    elements: str
    default: []
  state:
    description: V(absent) removes the destinations from the rule with these filters (and the rule when empty).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode makes no mutating call; diff mode shows the replication configuration before and after.
"""

EXAMPLES = r"""
- name: Replicate the service repositories to us-east-1
  mysfits.multi_region.ecr_replication:
    region: us-west-2
    destinations:
      - region: us-east-1
    repository_filters:
      - mm-primary-region-mythicalservicerepo
      - mm-primary-region-likeservicerepo
"""

RETURN = r"""
replication_configuration:
  description: The registry's replication configuration after the task (as planned in check mode).
  returned: success
  type: dict
  sample: {"rules": [{"destinations": [{"region": "us-east-1", "registryId": "123456789012"}]}]}
registry_id:
  description: This registry's id (the account).
  returned: success
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_replication import ReplicationError
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_replication import merge_replication
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_replication import normalise_destinations

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    argument_spec = dict(
        destinations=dict(type="list", elements="raw", required=True),
        repository_filters=dict(type="list", elements="str", default=[]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = aws_client(module, "ecr")
    try:
        registry = client.describe_registry(aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the registry's replication configuration")
    registry_id = registry["registryId"]
    current = registry.get("replicationConfiguration") or {"rules": []}
    try:
        destinations = normalise_destinations(module.params["destinations"], registry_id, module.region)
        wanted, changed = merge_replication(current, destinations, module.params["repository_filters"],
                                            module.params["state"])
    except ReplicationError as e:
        module.fail_json(msg=str(e))
    result = dict(changed=changed, registry_id=registry_id, replication_configuration=wanted if changed else current)
    if module._diff:
        result["diff"] = dict(before=current, after=wanted)
    if changed and not module.check_mode:
        try:
            answer = client.put_replication_configuration(aws_retry=True, replicationConfiguration=wanted)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not write the registry's replication configuration")
        result["replication_configuration"] = answer.get("replicationConfiguration", wanted)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
