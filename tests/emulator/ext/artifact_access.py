"""Can a pipeline's service role use an artifact store? Pure policy evaluation, no patching.

CodePipeline runs a cross-region action with the artifacts in that region's artifact store: it copies the
input artifacts into the store and the action reads them from there, with the pipeline's service role (or
the action's role). The CodePipeline user guide ("Manage the CodePipeline service role",
https://docs.aws.amazon.com/codepipeline/latest/userguide/how-to-custom-role.html) lists what the role
needs on every artifact bucket: ``s3:GetBucketVersioning`` (with GetBucketAcl/GetBucketLocation) on the
bucket and ``s3:GetObject``, ``s3:GetObjectVersion``, ``s3:PutObject`` on its objects. The request is
decided as the IAM user guide's policy evaluation logic says
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an explicit
Deny in any policy wins; otherwise, within one account, an Allow in either the principal's identity-based
policies or the resource's policy (naming that principal) allows it; otherwise it is implicitly denied.

:func:`decide` is the evaluation over policy documents; :func:`role_store_access` reads the role's inline
and attached policies from moto's IAM backend and the bucket's policy from moto's S3 backend and says which
of :data:`ARTIFACT_ACCESS` is refused. The CodePipeline extension calls it when a cross-region action starts.

Where the evaluator is unsure it is stricter than AWS: a condition operator it does not know makes an Allow
not apply and a Deny apply. Not modelled (never met by the lab): permissions boundaries, SCPs, session
policies, KMS key policies, cross-account access.
"""
import fnmatch
import json

# What the artifact copy of a cross-region action needs: (IAM action, "bucket" | "object").
ARTIFACT_ACCESS = (
    ("s3:GetBucketVersioning", "bucket"),
    ("s3:PutObject", "object"),
    ("s3:GetObject", "object"),
    ("s3:GetObjectVersion", "object"),
)


def _list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _matches(patterns, value, case_sensitive=True):
    for pattern in patterns:
        if case_sensitive and fnmatch.fnmatchcase(value, pattern):
            return True
        if not case_sensitive and fnmatch.fnmatchcase(value.lower(), pattern.lower()):
            return True
    return False


def _action_applies(statement, action):
    # IAM action names are case-insensitive; wildcards as in the policy grammar.
    if "Action" in statement:
        return _matches(_list(statement["Action"]), action, case_sensitive=False)
    if "NotAction" in statement:
        return not _matches(_list(statement["NotAction"]), action, case_sensitive=False)
    return False


def _resource_applies(statement, resource):
    if "Resource" in statement:
        return _matches(_list(statement["Resource"]), resource)
    if "NotResource" in statement:
        return not _matches(_list(statement["NotResource"]), resource)
    return False


def _principal_applies(statement, principal_arn):
    """For a resource policy: does the statement name this principal (``*`` or its ARN)?

    A statement naming the account (``arn:aws:iam::<account>:root`` or the account id) delegates to the
    account's identity policies and grants the role nothing by itself; it is not counted.
    """
    if "Principal" in statement:
        principal = statement["Principal"]
        if principal == "*":
            return True
        names = _list(principal.get("AWS")) if isinstance(principal, dict) else []
        return "*" in names or principal_arn in names
    if "NotPrincipal" in statement:
        principal = statement["NotPrincipal"]
        names = _list(principal.get("AWS")) if isinstance(principal, dict) else []
        return principal_arn not in names
    return False


_STRING = {
    "StringEquals": lambda have, want: have == want,
    "StringNotEquals": lambda have, want: have != want,
    "StringEqualsIgnoreCase": lambda have, want: have.lower() == want.lower(),
    "StringNotEqualsIgnoreCase": lambda have, want: have.lower() != want.lower(),
    "StringLike": lambda have, want: fnmatch.fnmatchcase(have, want),
    "StringNotLike": lambda have, want: not fnmatch.fnmatchcase(have, want),
    "ArnEquals": lambda have, want: have == want,
    "ArnLike": lambda have, want: fnmatch.fnmatchcase(have, want),
    "ArnNotEquals": lambda have, want: have != want,
    "ArnNotLike": lambda have, want: not fnmatch.fnmatchcase(have, want),
    "Bool": lambda have, want: have.lower() == want.lower(),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _condition_holds(condition, context):
    """Whether a statement's Condition block holds in ``context`` (None when an operator is unknown)."""
    for operator, body in (condition or {}).items():
        base, if_exists = (operator[:-len("IfExists")], True) if operator.endswith("IfExists") else (operator, False)
        for key, wanted in (body or {}).items():
            wanted = [str(w).lower() if isinstance(w, bool) else str(w) for w in _list(wanted)]
            if base == "Null":
                present = key in context
                if not any((w.lower() == "true") != present for w in wanted):
                    return False
                continue
            test = _STRING.get(base)
            if test is None:
                return None
            if key not in context:
                # a missing key: the negated operators hold, the others do not (IfExists: holds)
                if if_exists or base in _NEGATED:
                    continue
                return False
            have = str(context[key])
            if base in _NEGATED:
                if not all(test(have, w) for w in wanted):
                    return False
            elif not any(test(have, w) for w in wanted):
                return False
    return True


def _applies(statement, action, resource, context, principal_arn=None):
    if not _action_applies(statement, action) or not _resource_applies(statement, resource):
        return False
    if principal_arn is not None and not _principal_applies(statement, principal_arn):
        return False
    holds = _condition_holds(statement.get("Condition"), context)
    if holds is None:  # unknown operator: stricter than AWS
        return statement.get("Effect") == "Deny"
    return holds


def _statements(document):
    if not document:
        return []
    if isinstance(document, (bytes, str)):
        document = json.loads(document)
    return _list(document.get("Statement"))


def decide(action, resource, principal_arn, identity_policies=(), resource_policy=None, context=None):
    """"allow", "deny" (explicit) or "implicit" for ``principal_arn`` doing ``action`` on ``resource``.

    ``identity_policies``: the principal's policy documents (dict or JSON text);
    ``resource_policy``: the resource's policy (same account as the principal).
    """
    context = context or {}
    allowed = False
    for document, principal in [(d, None) for d in identity_policies] + [(resource_policy, principal_arn)]:
        for statement in _statements(document):
            if not _applies(statement, action, resource, context, principal):
                continue
            if statement.get("Effect") == "Deny":
                return "deny"
            if statement.get("Effect") == "Allow":
                allowed = True
    return "allow" if allowed else "implicit"


def _role_policies(account_id, role_arn):
    from moto.iam.models import iam_backends

    backend = iam_backends[account_id]["aws"]
    try:
        role = backend.get_role_by_arn(role_arn)
    except Exception:  # moto raises IAMNotFoundException; a missing role can do nothing
        return None
    documents = list(role.policies.values())
    for policy in role.managed_policies.values():
        for version in policy.versions:
            if version.version_id == policy.default_version_id:
                documents.append(version.document)
    return documents


def _bucket(account_id, name):
    from moto.s3.models import s3_backends

    try:
        return s3_backends[account_id]["aws"].get_bucket(name)
    except Exception:  # MissingBucket
        return None


def role_store_access(account_id, role_arn, bucket_name, key, encrypted_with_kms=True):
    """What refuses ``role_arn`` the artifact copy into ``bucket_name`` (object ``key``); None when allowed.

    Returns a sentence naming the first refused action and why. The request context is the one
    CodePipeline's requests have: TLS, the principal and the bucket in ``account_id``, objects written
    with server-side encryption (SSE-KMS by default, CodePipeline's default artifact encryption).
    """
    bucket = _bucket(account_id, bucket_name)
    if bucket is None:
        return "the artifact store's bucket %s does not exist" % bucket_name
    policies = _role_policies(account_id, role_arn)
    if policies is None:
        return "the role %s does not exist" % role_arn
    policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
    context = {"aws:SecureTransport": "true", "aws:PrincipalArn": role_arn, "aws:PrincipalAccount": account_id,
               "aws:ResourceAccount": account_id}
    for action, kind in ARTIFACT_ACCESS:
        resource = "arn:aws:s3:::%s" % bucket_name if kind == "bucket" else "arn:aws:s3:::%s/%s" % (bucket_name, key)
        request = dict(context)
        if action == "s3:PutObject":
            request["s3:x-amz-server-side-encryption"] = "aws:kms" if encrypted_with_kms else "AES256"
        verdict = decide(action, resource, role_arn, policies, policy, request)
        if verdict != "allow":
            return "%s on %s is %s" % (action, resource, "explicitly denied" if verdict == "deny" else
                                      "allowed by neither the role's policies nor the bucket policy")
    return None
