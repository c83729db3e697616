# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Artifact buckets for cross-region pipeline actions.

A bucket that ``codepipeline_stage`` creates is: encrypted by default (SSE-S3,
or SSE-KMS with the store's key), versioned, with every public access block
setting on, and with a bucket policy that denies any request not made over TLS
(``aws:SecureTransport`` false) and grants the pipeline's service role what
CodePipeline needs on an artifact store (:func:`role_statements`). :func:`bucket_changes` compares what a bucket
has with that (pure); :func:`ensure_artifact_bucket` reads the bucket, and
changes only what differs, so a compliant bucket costs read calls only.
"""

from __future__ import annotations

import json

try:
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - amazon.aws reports the missing dependency
    ClientError = Exception

DENY_INSECURE_SID = "DenyInsecureTransport"
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def deny_insecure_statement(bucket):
    return {
        "Sid": DENY_INSECURE_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


# What CodePipeline's service role needs on an artifact store: the user guide's service role policy
# ("Manage the CodePipeline service role", https://docs.aws.amazon.com/codepipeline/latest/userguide/
# how-to-custom-role.html, statements for the artifact buckets): on the bucket GetBucketVersioning,
# GetBucketAcl, GetBucketLocation; on its objects PutObject, PutObjectAcl, GetObject, GetObjectVersion and the
# object tagging actions. Granted in the generated bucket's policy to the pipeline's role (a same-account
# resource policy suffices, the role is not edited).
ROLE_BUCKET_SID = "PipelineRoleArtifactBucket"
ROLE_OBJECTS_SID = "PipelineRoleArtifactObjects"
ROLE_BUCKET_ACTIONS = ("s3:GetBucketAcl", "s3:GetBucketLocation", "s3:GetBucketVersioning")
ROLE_OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion", "s3:GetObjectVersionTagging",
                       "s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging")


def role_statements(bucket, role_arn):
    """The two statements granting ``role_arn`` what CodePipeline needs on ``bucket``."""
    return [
        {"Sid": ROLE_BUCKET_SID, "Effect": "Allow", "Principal": {"AWS": role_arn},
         "Action": list(ROLE_BUCKET_ACTIONS), "Resource": "arn:aws:s3:::%s" % bucket},
        {"Sid": ROLE_OBJECTS_SID, "Effect": "Allow", "Principal": {"AWS": role_arn},
         "Action": list(ROLE_OBJECT_ACTIONS), "Resource": "arn:aws:s3:::%s/*" % bucket},
    ]


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def normalise_statement(statement):
    """A policy statement for comparison: lists sorted, one value or a list alike, action names in lower case."""
    out = {}
    for key, value in statement.items():
        if key in ("Action", "NotAction"):
            out[key] = sorted({a.lower() for a in _as_list(value)})
        elif key in ("Resource", "NotResource"):
            out[key] = sorted(set(_as_list(value)))
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            out[key] = {k: sorted(set(_as_list(v))) for k, v in value.items()}
        elif key == "Condition" and isinstance(value, dict):
            out[key] = {op: {k: sorted(str(x).lower() if isinstance(x, bool) else str(x) for x in _as_list(v))
                             for k, v in (body or {}).items()} for op, body in value.items()}
        else:
            out[key] = value
    return out


def _has_tls_deny(statements):
    for statement in statements:
        condition = ((statement.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")
        if statement.get("Effect") == "Deny" and str(condition).lower() == "false" and \
                statement.get("Action") in ("s3:*", ["s3:*"]):
            return True
    return False


def desired_policy(bucket, policy_text, role_arn=None):
    """The bucket policy (JSON text) the artifact bucket needs, or None when ``policy_text`` already is it.

    It denies requests not made over TLS and, with ``role_arn``, grants that role what
    CodePipeline needs (:func:`role_statements`; compared statement by statement, not as
    text). Other statements are kept as they are.
    """
    policy = json.loads(policy_text) if policy_text else {"Version": "2012-10-17", "Statement": []}
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    changed = False
    if not _has_tls_deny(statements):
        statements = [s for s in statements if s.get("Sid") != DENY_INSECURE_SID] + [deny_insecure_statement(bucket)]
        changed = True
    if role_arn:
        wanted = role_statements(bucket, role_arn)
        current = {s.get("Sid"): normalise_statement(s) for s in statements
                   if s.get("Sid") in (ROLE_BUCKET_SID, ROLE_OBJECTS_SID)}
        if current != {s["Sid"]: normalise_statement(s) for s in wanted}:
            statements = [s for s in statements if s.get("Sid") not in (ROLE_BUCKET_SID, ROLE_OBJECTS_SID)] + wanted
            changed = True
    if not changed:
        return None
    policy["Statement"] = statements
    return json.dumps(policy, sort_keys=True)


def encryption_rule(kms_key=None):
    default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key} if kms_key else {"SSEAlgorithm": "AES256"}
    return {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bool(kms_key)}


def encryption_ok(rules, kms_key=None):
    """Whether a bucket's encryption rules encrypt by default (with ``kms_key`` when one is given)."""
    for rule in rules or []:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if kms_key:
            if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse") and default.get("KMSMasterKeyID") == kms_key:
                return True
        elif default.get("SSEAlgorithm") in ("AES256", "aws:kms", "aws:kms:dsse"):
            return True
    return False


def bucket_changes(state, bucket, kms_key=None, role_arn=None):
    """Names of the settings to change on a bucket, given what was read.

    ``state``: ``exists``, ``encryption`` (rules list or None), ``versioning``
    (status or None), ``public_access_block`` (dict or None), ``policy`` (text or None).
    """
    if not state.get("exists"):
        return ["create", "encryption", "versioning", "public_access_block", "policy"]
    changes = []
    if not encryption_ok(state.get("encryption"), kms_key):
        changes.append("encryption")
    if state.get("versioning") != "Enabled":
        changes.append("versioning")
    if any(not (state.get("public_access_block") or {}).get(k) for k in PUBLIC_ACCESS_BLOCK):
        changes.append("public_access_block")
    if desired_policy(bucket, state.get("policy"), role_arn) is not None:
        changes.append("policy")
    return changes


def _code(error):
    return (getattr(error, "response", None) or {}).get("Error", {}).get("Code")


def read_bucket(client, bucket):
    """What :func:`bucket_changes` needs, read with non-mutating calls only."""
    try:
        client.head_bucket(aws_retry=True, Bucket=bucket)
    except ClientError as error:
        if _code(error) in ("404", "NoSuchBucket", "NotFound"):
            return {"exists": False}
        if _code(error) in ("403", "AccessDenied"):
            raise BucketNotOurs(bucket)
        raise
    state = {"exists": True}
    try:
        state["encryption"] = client.get_bucket_encryption(aws_retry=True, Bucket=bucket)[
            "ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as error:
        if _code(error) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        state["encryption"] = None
    state["versioning"] = client.get_bucket_versioning(aws_retry=True, Bucket=bucket).get("Status")
    try:
        state["public_access_block"] = client.get_public_access_block(aws_retry=True, Bucket=bucket)[
            "PublicAccessBlockConfiguration"]
    except ClientError as error:
        if _code(error) != "NoSuchPublicAccessBlockConfiguration":
            raise
        state["public_access_block"] = None
    try:
        state["policy"] = client.get_bucket_policy(aws_retry=True, Bucket=bucket)["Policy"]
    except ClientError as error:
        if _code(error) != "NoSuchBucketPolicy":
            raise
        state["policy"] = None
    return state


class BucketNotOurs(Exception):
    def __init__(self, bucket):
        super().__init__("bucket %s exists but this account cannot read it (it belongs to another account); "
                         "give the region's store in artifact_stores" % bucket)


def ensure_artifact_bucket(client, bucket, region, kms_key=None, check_mode=False, role_arn=None):
    """Make ``bucket`` (in ``region``) exist with the artifact-bucket settings; return the changes made.

    ``role_arn``: the pipeline's service role, granted access in the bucket policy.
    """
    state = read_bucket(client, bucket)
    changes = bucket_changes(state, bucket, kms_key, role_arn)
    if check_mode or not changes:
        return changes
    if "create" in changes:
        kwargs = {"Bucket": bucket}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        client.create_bucket(aws_retry=True, **kwargs)
    if "public_access_block" in changes:
        client.put_public_access_block(aws_retry=True, Bucket=bucket,
                                       PublicAccessBlockConfiguration=dict(PUBLIC_ACCESS_BLOCK))
    if "encryption" in changes:
        client.put_bucket_encryption(aws_retry=True, Bucket=bucket, ServerSideEncryptionConfiguration={
            "Rules": [encryption_rule(kms_key)]})
    if "versioning" in changes:
        client.put_bucket_versioning(aws_retry=True, Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    if "policy" in changes:
        client.put_bucket_policy(aws_retry=True, Bucket=bucket,
                                 Policy=desired_policy(bucket, state.get("policy"), role_arn))
    return changes


class BucketEmptyError(Exception):
    """DeleteObjects refused some objects of a bucket being emptied (``errors``: its Errors entries)."""

    def __init__(self, bucket, errors):
        self.bucket = bucket
        self.errors = errors
        first = errors[0]
        super().__init__("%d object(s) of bucket %s could not be deleted, e.g. %s: %s %s" % (
            len(errors), bucket, first.get("Key"), first.get("Code"), first.get("Message", "")))


def delete_bucket(s3, bucket, attempts=5):
    """Delete a bucket with every object version and delete marker in it; False when it was already gone.

    A pipeline execution still running can write an artifact between the emptying and DeleteBucket, which then
    answers BucketNotEmpty: the bucket is emptied again, up to ``attempts`` times in all.
    """
    for attempt in range(1, attempts + 1):
        try:
            _empty_bucket(s3, bucket)
            s3.delete_bucket(Bucket=bucket, aws_retry=True)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("NoSuchBucket", "404"):
                return False
            if code == "BucketNotEmpty" and attempt < attempts:
                continue
            raise
        return True


def _empty_bucket(s3, bucket):
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
    for page in pages:
        objects = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                   for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        for start in range(0, len(objects), 1000):
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects[start:start + 1000], "Quiet": True},
                                       aws_retry=True)
            # DeleteObjects answers 200 and lists the objects it could not delete under Errors (in quiet mode
            # only those): an object that stays would otherwise surface later as a puzzling BucketNotEmpty.
            errors = answer.get("Errors") or []
            if errors:
                raise BucketEmptyError(bucket, errors)
