"""S3 bucket policies decided with their conditions, for requests that reach AWS over TLS.

moto decides a bucket policy for ``DeleteObjects`` (and the other calls it authorises) without reading a
statement's ``Condition``: the usual statement "deny every request not made over TLS"
(``"Bool": {"aws:SecureTransport": "false"}``, the S3 user guide's example in "Bucket policy examples",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html) then denies *every*
request, so an artifact bucket that carries it can never be emptied. AWS decides conditions against the
request context (IAM user guide, "Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): every request a
client makes to S3's endpoints (HTTPS) has ``aws:SecureTransport`` true. The emulator stands for those
endpoints, so its requests are decided with that context.

The caller is the account's own principal (the dummy credentials): an explicit ``Deny`` that applies wins;
a statement naming another principal is counted as well (stricter than AWS when it denies), and one whose
condition uses an operator the evaluator does not know is counted as applying when it
denies (stricter than AWS, as in :mod:`artifact_access`).
"""
from tests.emulator.ext import artifact_access

# What every request through the emulator's (AWS's) endpoint carries.
REQUEST_CONTEXT = {"aws:SecureTransport": "true"}


def decide_bucket_policy(policy_text, action, resource, context=None):
    """"deny" (an explicit Deny applies), "allow" (an Allow applies) or "neutral"."""
    context = dict(REQUEST_CONTEXT, **(context or {}))
    verdict = "neutral"
    for statement in artifact_access._statements(policy_text):
        if not artifact_access._applies(statement, action, resource, context):
            continue
        if statement.get("Effect") == "Deny":
            return "deny"
        if statement.get("Effect") == "Allow":
            verdict = "allow"
    return verdict


def install():
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    results = {"deny": PermissionResult.DENIED, "allow": PermissionResult.PERMITTED,
               "neutral": PermissionResult.NEUTRAL}

    def get_permission(self, action, resource):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = self.policy.decode() if isinstance(self.policy, bytes) else self.policy
        return results[decide_bucket_policy(policy, action, resource)]

    FakeBucket.get_permission = get_permission
