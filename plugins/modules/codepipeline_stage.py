#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: codepipeline_stage
short_description: Add, replace or remove one stage of an existing AWS CodePipeline pipeline
version_added: 0.1.0
description:
  - Manages one stage of a pipeline that something else owns (CloudFormation, the console, another tool)
    without touching the rest of its declaration.
  - Reads the pipeline with C(GetPipeline), adds or replaces only this stage, and sends C(UpdatePipeline)
    only when the stage differs once both sides are normalised (API defaults such as C(runOrder=1), empty
    artifact lists and configuration values as strings compare equal).
  - When an action runs in another region than the pipeline, CodePipeline needs an artifact store in that
    region. The module turns a single C(artifactStore) into C(artifactStores) keyed by region, keeps the
    existing store (and its encryption key) for the pipeline's region, and for every other region uses the
    store given in O(artifact_stores) or a bucket it creates, named
    C(codepipeline-<region>-<account>-<first 8 hex digits of sha256(pipeline name)>). A created bucket is
    encrypted by default (SSE-S3, or SSE-KMS with the store's key), versioned, has every public access
    block setting on and a bucket policy denying requests that do not use TLS. The bucket is ensured when its
    store is added; a store the pipeline already has is not read again on later runs.
  - When a region is taken out of the stage and no other action uses it, its artifact store is removed from
    the declaration too (its bucket is kept). Stores the stage never used are left alone.
  - CodePipeline has no conditional update. The module re-reads the pipeline just before writing and
    compares versions; if someone changed it in the meantime it plans again once on the fresh declaration,
    and if it changed again it fails without writing. A change made by someone else in the short interval
    between that last read and the write can still be overwritten, as with any C(UpdatePipeline) caller.
  - With O(state=absent) the stage is removed; artifact stores that no remaining action needs are removed
    from the declaration (back to a single C(artifactStore) when only the pipeline's region is left).
    Buckets are kept unless O(delete_unused_buckets=true).
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  pipeline:
    description: Name of the pipeline; it must exist, in the module's region.
    type: str
    required: true
  name:
    description: Name of the stage.
    type: str
    required: true
  actions:
    description:
      - The stage's actions in the API's own shape (C(name), C(actionTypeId), C(runOrder), C(configuration),
        C(inputArtifacts), C(outputArtifacts), C(region), C(roleArn), C(namespace), ...).
      - An action with a C(region) other than the pipeline's is a cross-region action. Source, third-party
        and custom actions cannot be cross-region.
      - Required when O(state=present).
    type: list
    elements: dict
  after:
    description:
      - Place the stage right after this stage. Mutually exclusive with O(before).
      - Without O(after) and O(before) an existing stage keeps its position and a new one goes last.
    type: str
  before:
    description: Place the stage right before this stage. Mutually exclusive with O(after).
    type: str
  state:
    description: Whether the stage should be in the pipeline.
    type: str
    choices: [present, absent]
    default: present
  artifact_stores:
    description:
      - Artifact stores to use per region, a dict region -> C({bucket, encryption_key}).
      - C(bucket) is the S3 bucket of that region, C(encryption_key) an optional KMS key id or ARN.
      - A region given here replaces the store the pipeline has for it; regions not given keep their store,
        and new regions get a created bucket (see O(create_artifact_buckets)).
    type: dict
    default: {}
  delete_unused_buckets:
    description:
      - When the change removes an artifact store whose bucket this module created (it has the generated
        name), delete that bucket with every object version in it. Buckets someone else gave in
        O(artifact_stores) or in the pipeline are never deleted.
      - Default V(false) keeps the buckets (only the declaration changes).
    type: bool
    default: false
  create_artifact_buckets:
    description:
      - Create (and secure) an artifact bucket for a region that needs a store and has none in the pipeline
        or in O(artifact_stores).
      - When V(false), such a region is an error.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode makes no mutating call (no bucket is created either); diff mode shows the pipeline
    declaration before and after.
"""

EXAMPLES = r"""
- name: Deploy to the secondary region after the Deploy stage
  mysfits.multi_region.codepipeline_stage:
    region: us-west-2
    pipeline: CorePipeline-mm-primary-region
    name: CrossRegionDeploy
    after: Deploy
    actions:
      - name: CrossRegionDeploy
        region: us-east-1
        actionTypeId: {category: Deploy, owner: AWS, provider: ECS, version: "1"}
        inputArtifacts: [{name: BuildArtifact}]
        configuration:
          ClusterName: Cluster-mm-secondary-region
          ServiceName: CoreEcsService
          FileName: imagedefinitions_secondary.json

- name: Use an existing bucket for the us-east-1 artifacts
  mysfits.multi_region.codepipeline_stage:
    region: us-west-2
    pipeline: CorePipeline-mm-primary-region
    name: CrossRegionDeploy
    after: Deploy
    actions: "{{ cross_region_actions }}"
    artifact_stores:
      us-east-1:
        bucket: my-artifacts-us-east-1
        encryption_key: alias/codepipeline

- name: Remove the stage again
  mysfits.multi_region.codepipeline_stage:
    region: us-west-2
    pipeline: CorePipeline-mm-primary-region
    name: CrossRegionDeploy
    state: absent
"""

RETURN = r"""
pipeline:
  description: The pipeline declaration after the change (as planned in check mode).
  returned: success
  type: dict
version:
  description: The pipeline's version after the change.
  returned: success
  type: int
  sample: 3
artifact_buckets:
  description: Region -> name of each generated bucket ensured (created and secured) for a store this run adds.
  returned: success
  type: dict
  sample: {"us-east-1": "codepipeline-us-east-1-123456789012-1a2b3c4d"}
bucket_changes:
  description: Region -> settings changed (or to change, in check mode) on each such bucket.
  returned: success
  type: dict
  sample: {"us-east-1": ["create", "encryption", "versioning", "public_access_block", "policy"]}
deleted_buckets:
  description: Region -> bucket deleted (or to delete, in check mode) with O(delete_unused_buckets=true).
  returned: success
  type: dict
  sample: {"eu-west-1": "codepipeline-eu-west-1-123456789012-1a2b3c4d"}
replanned:
  description: Whether the pipeline changed between the read and the write and the change was planned again.
  returned: success
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import BucketNotOurs
from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import delete_bucket
from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import ensure_artifact_bucket
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import ConcurrentChange
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import PlanError
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import apply_stage
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import removed_generated_buckets

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    argument_spec = dict(
        pipeline=dict(type="str", required=True),
        name=dict(type="str", required=True),
        actions=dict(type="list", elements="dict"),
        after=dict(type="str"),
        before=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        artifact_stores=dict(type="dict", default={}),
        create_artifact_buckets=dict(type="bool", default=True),
        delete_unused_buckets=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("after", "before")],
        required_if=[("state", "present", ["actions"])],
    )
    params = module.params
    region = module.region
    if not region:
        module.fail_json(msg="region: no region given; set region or AWS_REGION")
    client = aws_client(module, "codepipeline")
    bucket_changes = {}
    stores = params["artifact_stores"] or {}

    def get_pipeline(name):
        try:
            return client.get_pipeline(aws_retry=True, name=name)
        except is_boto3_error_code("PipelineNotFoundException"):
            module.fail_json(msg="pipeline: no pipeline named %s in %s" % (name, region))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not read pipeline %s" % name)

    def update_pipeline(declaration):
        try:
            return client.update_pipeline(aws_retry=True, pipeline=declaration)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not update pipeline %s" % declaration.get("name"))

    def ensure_buckets(buckets):
        for bucket_region, bucket in sorted(buckets.items()):
            spec = stores.get(bucket_region) or {}
            kms = spec.get("encryption_key") if isinstance(spec, dict) else None
            s3 = aws_client(module, "s3", region=bucket_region)
            try:
                changes = ensure_artifact_bucket(s3, bucket, bucket_region, kms_key=kms,
                                                 check_mode=module.check_mode)
            except BucketNotOurs as e:
                module.fail_json(msg="artifact_stores: %s" % e)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="Could not set up artifact bucket %s in %s" % (bucket, bucket_region))
            if changes:
                bucket_changes[bucket_region] = changes

    plan_kwargs = dict(
        pipeline=params["pipeline"],
        name=params["name"],
        actions=params["actions"] or [],
        pipeline_region=region,
        state=params["state"],
        after=params["after"],
        before=params["before"],
        artifact_stores=stores,
        create_artifact_buckets=params["create_artifact_buckets"],
    )
    try:
        outcome = apply_stage(get_pipeline, update_pipeline, plan_kwargs,
                              ensure_buckets=None if module.check_mode else ensure_buckets,
                              check_mode=module.check_mode)
    except PlanError as e:
        module.fail_json(msg=str(e))
    except ConcurrentChange as e:
        module.fail_json(msg=str(e))

    if module.check_mode and outcome["plan"]["buckets"]:
        # report what would change on the buckets, with read calls only
        ensure_buckets(outcome["plan"]["buckets"])

    deleted_buckets = {}
    if params["delete_unused_buckets"] and outcome["changed"]:
        removable = removed_generated_buckets(outcome["before"], outcome["after"], region, outcome.get("account"))
        for bucket_region, bucket in removable.items():
            if module.check_mode:
                deleted_buckets[bucket_region] = bucket
                continue
            try:
                if delete_bucket(aws_client(module, "s3", region=bucket_region), bucket):
                    deleted_buckets[bucket_region] = bucket
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="The pipeline was updated, but artifact bucket %s in %s could not be "
                                            "deleted; delete it by hand" % (bucket, bucket_region))

    changed = outcome["changed"] or bool(bucket_changes)
    result = dict(
        changed=changed,
        pipeline=outcome["after"],
        version=outcome["after"].get("version"),
        artifact_buckets=outcome["plan"]["buckets"],
        bucket_changes=bucket_changes,
        deleted_buckets=deleted_buckets,
        replanned=outcome["replanned"],
    )
    if module._diff:
        result["diff"] = dict(before=outcome["before"], after=outcome["after"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
