"""A stack whose ECR repository holds images cannot be deleted (the collection's teardown empties it first).

References:
- CloudFormation template reference, AWS::ECR::Repository, ``EmptyOnDelete``: "If true, deleting the
  repository force deletes the contents of the repository. If false, the repository must be empty before
  attempting to delete it." (default false; the workshop's template does not set it).
- Amazon ECR API reference, DeleteRepository: ``RepositoryNotEmptyException`` "The specified repository
  contains images. To delete a repository that contains images, you must force the deletion with the force
  parameter."
- CloudFormation user guide, "Stack status codes": a resource that cannot be deleted leaves the stack in
  ``DELETE_FAILED``; deleting it again once the cause is removed completes.
"""
import json

import botocore.exceptions
import pytest

TEMPLATE = json.dumps({"Resources": {"Repo": {"Type": "AWS::ECR::Repository"}}})
WAIT = {"Delay": 1, "MaxAttempts": 60}


def _stack_status(cfn, name):
    return cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


def test_delete_fails_while_the_repository_holds_an_image_and_completes_once_emptied(aws):
    cfn = aws.client("cloudformation", region="us-east-1")
    ecr = aws.client("ecr", region="us-east-1")
    cfn.create_stack(StackName="ecr-stack", TemplateBody=TEMPLATE)
    cfn.get_waiter("stack_create_complete").wait(StackName="ecr-stack", WaiterConfig=WAIT)
    repository = cfn.describe_stack_resource(StackName="ecr-stack", LogicalResourceId="Repo")[
        "StackResourceDetail"]["PhysicalResourceId"]
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7,
                                      "digest": "sha256:%064x" % 1},
                           "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 3,
                                       "digest": "sha256:%064x" % 2}]})
    ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="latest")

    cfn.delete_stack(StackName="ecr-stack")
    with pytest.raises(botocore.exceptions.WaiterError):
        cfn.get_waiter("stack_delete_complete").wait(StackName="ecr-stack", WaiterConfig=WAIT)
    assert _stack_status(cfn, "ecr-stack") == "DELETE_FAILED"
    reasons = [e.get("ResourceStatusReason", "") for e in cfn.describe_stack_events(StackName="ecr-stack")["StackEvents"]
               if e["ResourceStatus"] == "DELETE_FAILED"]
    assert any("RepositoryNotEmptyException" in reason for reason in reasons), reasons

    digests = [i["imageDigest"] for i in ecr.list_images(repositoryName=repository)["imageIds"]]
    ecr.batch_delete_image(repositoryName=repository, imageIds=[{"imageDigest": d} for d in digests])
    cfn.delete_stack(StackName="ecr-stack")
    cfn.get_waiter("stack_delete_complete").wait(StackName="ecr-stack", WaiterConfig=WAIT)
    with pytest.raises(botocore.exceptions.ClientError):
        ecr.describe_repositories(repositoryNames=[repository])
