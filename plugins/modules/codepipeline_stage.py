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
    C(codepipeline-<region>-<account>-<hash>), the hash being the first 8 hex digits of sha256 of the
    pipeline name. A created bucket is
    encrypted by default (SSE-S3, or SSE-KMS with the store's key), versioned, has every public access
    block setting on and a bucket policy denying requests that do not use TLS and granting the pipeline's
    service role (its C(roleArn)) what CodePipeline needs on an artifact store (C(s3:GetBucketVersioning),
    C(s3:GetBucketAcl), C(s3:GetBucketLocation) on the bucket; C(s3:GetObject), C(s3:GetObjectVersion),
    C(s3:PutObject), C(s3:PutObjectAcl) and the object tagging actions on its objects, as the CodePipeline
    user guide's service role policy lists them). The role itself is never edited; a bucket given in
    O(artifact_stores) is not changed either, so its owner must let the role use it.
  - The bucket is ensured when its store is added, and again when the pipeline's C(roleArn) is no longer the
    role its policy grants; otherwise a store the pipeline already has is not read again on later runs.
  - B(What the module remembers.) It keeps no local state; a pipeline tag C(mysfits.multi_region/artifact-stores)
    records what it added, for example C(form=artifactStore role=1a2b3c4d eu-west-1=u us-east-1=g) - the form
    of the store before the module added any (C(artifactStore) or C(artifactStores)), 8 hex digits of
    sha256 of the role its generated buckets grant, and each region whose store it added (C(g) a bucket it
    generated, C(u) a bucket given in O(artifact_stores)). The tag is written before C(UpdatePipeline) when
    stores are added and after it when they are removed, so a run that stops in between is completed by the
    next one; it is removed when the module has no store left in the pipeline. A pipeline without the tag
    is read as follows - stores whose bucket has the generated name are the module's, and the store was a
    single C(artifactStore) if every other region's store is such a store. Remove or edit the tag only if
    you know the pipeline's history.
  - B(Only what the module added is ever removed.) A store is removed from the declaration only when the
    tag says the module added it, no action of the pipeline runs in its region any more, and this run
    removed actions (O(absent_actions), O(state=absent), or O(purge_actions=true) dropping actions). A
    store map (C(artifactStores)) the pipeline had before stays a map with its stores; only a single
    C(artifactStore) the module itself turned into a map is turned back. The generated bucket of a removed
    store is emptied (every object version and delete marker) and deleted (O(delete_unused_buckets)); a
    bucket someone gave is never deleted.
  - B(Actions.) With O(purge_actions=false) the actions given are added or replace the stage's action of the
    same name, and every other action of the stage is kept (a converge that lacks one region's facts
    removes nothing). O(absent_actions) removes actions by name. A stage left without actions is removed.
  - CodePipeline has no conditional update. The module re-reads the pipeline just before writing and
    compares versions; if someone changed it in the meantime it plans again once on the fresh declaration,
    and if it changed again it fails without writing. A change made by someone else in the short interval
    between that last read and the write can still be overwritten, as with any C(UpdatePipeline) caller.
  - With O(state=absent) the stage is removed, with the stores the module added that no remaining action
    needs (back to a single C(artifactStore) when the pipeline had one before).
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
      - With O(state=present), O(actions) or O(absent_actions) (or both) must be given.
    type: list
    elements: dict
  purge_actions:
    description:
      - When V(true), the stage's actions are exactly O(actions); actions of the stage not in O(actions) are
        removed (with the artifact stores the module added for their regions, if nothing else uses them).
      - When V(false), O(actions) are merged by name into the stage's actions (added, or replacing the action
        of the same name) and every other action of the stage is kept; no artifact store is removed except
        for O(absent_actions). Use V(false) when the list of actions may be incomplete (a region whose facts
        are missing must keep its action).
      - Without O(actions) (only O(absent_actions)) nothing is purged whatever this option says.
      - The default V(true) keeps the behaviour of earlier versions.
    type: bool
    default: true
  absent_actions:
    description:
      - Names of actions to remove from the stage (for example the one action of a region being torn down);
        names the stage does not have are ignored. A name cannot be both here and in O(actions).
      - The artifact store the module added for a region no action runs in any more is removed too; when the
        last cross-region action goes, the pipeline gets back the store form it had before the module.
    type: list
    elements: str
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
      - When a store the module added with a generated bucket is removed (see O(absent_actions),
        O(purge_actions), O(state=absent)), empty that bucket (every object version and delete marker) and
        delete it. Buckets given in O(artifact_stores) or that the pipeline had are never deleted.
      - V(false) keeps the bucket (only the declaration changes); the tag then no longer lists it, so a later
        run does not delete it either.
    type: bool
    default: true
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
  - Check mode makes no mutating call (no bucket is created or deleted, no tag written); diff mode shows the
    pipeline declaration before and after; RV(record) shows the tag before and after.
  - "Permissions: C(codepipeline:GetPipeline), C(codepipeline:UpdatePipeline) (with C(iam:PassRole) for the
    pipeline's role), C(codepipeline:ListTagsForResource), C(codepipeline:TagResource),
    C(codepipeline:UntagResource); on the generated buckets the C(s3) bucket actions to create and secure them,
    and C(s3:ListBucketVersions), C(s3:DeleteObjectVersion), C(s3:DeleteBucket) to delete them (see
    docs/iam-policy.json)."
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

- name: Converge with the regions whose facts are there; any other region's action is kept
  mysfits.multi_region.codepipeline_stage:
    region: us-west-2
    pipeline: CorePipeline-mm-primary-region
    name: CrossRegionDeploy
    after: Deploy
    purge_actions: false
    actions: "{{ cross_region_actions }}"

- name: Tear down one region (its action, its store and generated bucket if nothing else uses them)
  mysfits.multi_region.codepipeline_stage:
    region: us-west-2
    pipeline: CorePipeline-mm-primary-region
    name: CrossRegionDeploy
    absent_actions:
      - CrossRegionDeploy-eu-west-1

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
  description: Region -> name of each generated bucket ensured (created, secured, the role granted) by this run.
  returned: success
  type: dict
  sample: {"us-east-1": "codepipeline-us-east-1-123456789012-1a2b3c4d"}
bucket_changes:
  description: Region -> settings changed (or to change, in check mode) on each such bucket.
  returned: success
  type: dict
  sample: {"us-east-1": ["create", "encryption", "versioning", "public_access_block", "policy"]}
deleted_buckets:
  description: Region -> generated bucket emptied and deleted (or to delete, in check mode) because its store was removed.
  returned: success
  type: dict
  sample: {"eu-west-1": "codepipeline-eu-west-1-123456789012-1a2b3c4d"}
record:
  description: The value of the pipeline tag C(mysfits.multi_region/artifact-stores) before and after (null when there is no tag).
  returned: success
  type: dict
  sample: {"before": null, "after": "form=artifactStore role=1a2b3c4d us-east-1=g"}
replanned:
  description: Whether the pipeline changed between the read and the write and the change was planned again.
  returned: success
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import BucketEmptyError
from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import BucketNotOurs
from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import delete_bucket
from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import ensure_artifact_bucket
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import RECORD_TAG
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import ConcurrentChange
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import PlanError
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import apply_stage

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    argument_spec = dict(
        pipeline=dict(type="str", required=True),
        name=dict(type="str", required=True),
        actions=dict(type="list", elements="dict"),
        purge_actions=dict(type="bool", default=True),
        absent_actions=dict(type="list", elements="str"),
        after=dict(type="str"),
        before=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        artifact_stores=dict(type="dict", default={}),
        create_artifact_buckets=dict(type="bool", default=True),
        delete_unused_buckets=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("after", "before")],
        required_if=[("state", "present", ["actions", "absent_actions"], True)],
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

    def read_record(arn):
        try:
            for page in client.get_paginator("list_tags_for_resource").paginate(resourceArn=arn):
                for tag in page.get("tags", []):
                    if tag.get("key") == RECORD_TAG:
                        return tag.get("value")
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not read the tags of pipeline %s" % params["pipeline"])
        return None

    def write_record(arn, value):
        try:
            if value is None:
                client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=[RECORD_TAG])
            else:
                client.tag_resource(aws_retry=True, resourceArn=arn, tags=[{"key": RECORD_TAG, "value": value}])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not write the tag %s of pipeline %s" % (RECORD_TAG, params["pipeline"]))

    def ensure_buckets(buckets, role_arn):
        for bucket_region, bucket in sorted(buckets.items()):
            spec = stores.get(bucket_region) or {}
            kms = spec.get("encryption_key") if isinstance(spec, dict) else None
            s3 = aws_client(module, "s3", region=bucket_region)
            try:
                changes = ensure_artifact_bucket(s3, bucket, bucket_region, kms_key=kms,
                                                 check_mode=module.check_mode, role_arn=role_arn)
            except BucketNotOurs as e:
                module.fail_json(msg="artifact_stores: %s" % e)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="Could not set up artifact bucket %s in %s" % (bucket, bucket_region))
            if changes:
                bucket_changes[bucket_region] = changes

    def release_buckets(buckets):
        deleted = {}
        if not params["delete_unused_buckets"]:
            return deleted
        for bucket_region, bucket in sorted(buckets.items()):
            try:
                if delete_bucket(aws_client(module, "s3", region=bucket_region), bucket):
                    deleted[bucket_region] = bucket
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="The pipeline was updated, but artifact bucket %s in %s could not be "
                                            "emptied and deleted; run the task again" % (bucket, bucket_region))
            except BucketEmptyError as e:
                module.fail_json(msg="The pipeline was updated, but artifact bucket %s in %s could not be emptied (%s); "
                                     "the bucket's policy or object lock must let this principal delete its objects "
                                     "(s3:DeleteObject, s3:DeleteObjectVersion), then run the task again"
                                     % (bucket, bucket_region, e), errors=e.errors)
        return deleted

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
        purge_actions=params["purge_actions"],
        absent_actions=params["absent_actions"] or [],
    )
    try:
        outcome = apply_stage(get_pipeline, update_pipeline, plan_kwargs,
                              ensure_buckets=None if module.check_mode else ensure_buckets,
                              check_mode=module.check_mode, read_record=read_record, write_record=write_record,
                              release_buckets=release_buckets)
    except PlanError as e:
        module.fail_json(msg=str(e))
    except ConcurrentChange as e:
        module.fail_json(msg=str(e))

    plan = outcome["plan"]
    if module.check_mode and plan["buckets"]:
        # report what would change on the buckets, with read calls only
        ensure_buckets(plan["buckets"], outcome["before"].get("roleArn"))
    deleted_buckets = outcome["released"]
    if module.check_mode and not params["delete_unused_buckets"]:
        deleted_buckets = {}

    changed = outcome["changed"] or bool(bucket_changes) or outcome["record_changed"] or bool(deleted_buckets)
    result = dict(
        changed=changed,
        pipeline=outcome["after"],
        version=outcome["after"].get("version"),
        artifact_buckets=plan["buckets"],
        bucket_changes=bucket_changes,
        deleted_buckets=deleted_buckets,
        record=dict(before=plan["record_before"], after=plan["record"]),
        replanned=outcome["replanned"],
    )
    if module._diff:
        result["diff"] = dict(before=outcome["before"], after=outcome["after"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
