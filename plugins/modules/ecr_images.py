#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_images
short_description: Remove every image from Amazon ECR repositories (before their stack is deleted)
version_added: 0.1.0
description:
  - Lists the images of each repository (C(ListImages), paginated) and deletes them by digest with
    C(BatchDeleteImage), at most 100 per call. Deleting a digest removes all of its tags.
  - CloudFormation cannot delete an C(AWS::ECR::Repository) that still holds images unless the template sets
    C(EmptyOnDelete) (the workshop's template does not); the stack's deletion ends in C(DELETE_FAILED) with
    C(RepositoryNotEmptyException). The teardown playbook empties the secondary stack's repositories, whose
    images the collection's pipelines pushed, right before it deletes that stack.
  - The repositories themselves are kept; a repository that does not exist is reported and left alone.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  repositories:
    description:
      - Names of the repositories to empty, in the module's region.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(absent) is the only state; the repositories end without images.
    type: str
    choices: [absent]
    default: absent
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode makes no mutating call; diff mode shows each repository's image digests before and after.
  - A second run finds no image and reports C(changed=false).
"""

EXAMPLES = r"""
- name: Empty the secondary stack's repositories before deleting the stack
  mysfits.multi_region.ecr_images:
    region: us-east-1
    repositories:
      - mm-secondary-region/core-service
      - mm-secondary-region/like-service
    state: absent
"""

RETURN = r"""
deleted:
  description: Per repository, the image digests deleted (that would be deleted, in check mode).
  returned: success
  type: dict
  sample: {"mm-secondary-region/core-service": ["sha256:0123abcd..."]}
missing:
  description: Repositories that do not exist in the region (nothing done to them).
  returned: success
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_images import ImageDeleteError
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_images import check_failures
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_images import delete_batches
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_images import digests

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def read_digests(client, repository):
    """The repository's image digests, or None when the repository does not exist."""
    image_ids = []
    try:
        for page in client.get_paginator("list_images").paginate(repositoryName=repository):
            image_ids.extend(page.get("imageIds") or [])
    except is_boto3_error_code("RepositoryNotFoundException"):
        return None
    return digests(image_ids)


def main():
    argument_spec = dict(
        repositories=dict(type="list", elements="str", required=True),
        state=dict(type="str", default="absent", choices=["absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    repositories = module.params["repositories"]
    if any(not name for name in repositories):
        module.fail_json(msg="repositories: every element must be a repository name (got an empty one)")
    client = aws_client(module, "ecr")
    current, missing = {}, []
    for repository in repositories:
        try:
            found = read_digests(client, repository)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not list the images of repository %s" % repository)
        if found is None:
            missing.append(repository)
        else:
            current[repository] = found
    deleted = {name: found for name, found in current.items() if found}
    result = dict(changed=bool(deleted), deleted=deleted, missing=missing)
    if module._diff:
        result["diff"] = dict(before=current, after={name: [] for name in current})
    if deleted and not module.check_mode:
        for repository, found in sorted(deleted.items()):
            for batch in delete_batches(found):
                try:
                    answer = client.batch_delete_image(aws_retry=True, repositoryName=repository, imageIds=batch)
                    check_failures(repository, answer)
                except ImageDeleteError as e:
                    module.fail_json(msg=str(e), deleted_so_far=deleted)
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                    module.fail_json_aws(e, msg="Could not delete images of repository %s" % repository)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
