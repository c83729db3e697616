"""List operations page in the emulator as AWS pages them, so that a client reading one page fails here too.

Sources (the page sizes are those of the API reference; botocore's service model carries the same text):
[DSP]  DescribeScalingPolicies, Application Auto Scaling API Reference,
       https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalingPolicies.html
       ("MaxResults: The maximum number of scalable targets. This value can be between 1 and 10. The default
       value is 10. ... If this parameter is not used, the operation returns up to 10 results and a NextToken
       value, if applicable"; ScalableDimension: "If you specify a scalable dimension, you must also specify a
       resource ID"; errors: InvalidNextTokenException, ValidationException).
[DST]  DescribeScalableTargets, Application Auto Scaling API Reference,
       https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalableTargets.html
       ("This value can be between 1 and 50. The default value is 50."; errors: InvalidNextTokenException).
[LPE]  ListPipelineExecutions, AWS CodePipeline API Reference,
       https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ListPipelineExecutions.html
       ("maxResults ... Default value is 100", Valid Range: Minimum value of 1. Maximum value of 100;
       errors: InvalidNextTokenException).
"""
import botocore.exceptions
import pytest
from botocore.config import Config

NO_RETRY = Config(retries={"mode": "standard", "max_attempts": 1})
TABLE = "PagedTable"


def _scaling(aws):
    import boto3
    return boto3.client("application-autoscaling", region_name="us-west-2", endpoint_url=aws.endpoint,
                        aws_access_key_id="AKIAEMULATOR0000TEST",
                        aws_secret_access_key="emulator-dummy-secret-key-do-not-use", config=NO_RETRY)


def _policies(scaling, count, resource="table/%s" % TABLE):
    dimension = "dynamodb:%s:ReadCapacityUnits" % ("index" if "/index/" in resource else "table")
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=resource, MinCapacity=1,
                                     MaxCapacity=10, ScalableDimension=dimension)
    for n in range(count):
        scaling.put_scaling_policy(
            PolicyName="p-%03d" % n, ServiceNamespace="dynamodb", ResourceId=resource,
            ScalableDimension=dimension, PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})


def _targets(scaling, count):
    for n in range(count):
        scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/T%03d" % n, MinCapacity=1,
                                         MaxCapacity=10, ScalableDimension="dynamodb:table:ReadCapacityUnits")


def test_describe_scaling_policies_returns_ten_a_page_by_default(aws):  # [DSP]
    scaling = _scaling(aws)
    _policies(scaling, 23)
    first = scaling.describe_scaling_policies(ServiceNamespace="dynamodb")
    assert len(first["ScalingPolicies"]) == 10 and first.get("NextToken")
    second = scaling.describe_scaling_policies(ServiceNamespace="dynamodb", NextToken=first["NextToken"])
    assert len(second["ScalingPolicies"]) == 10 and second.get("NextToken")
    third = scaling.describe_scaling_policies(ServiceNamespace="dynamodb", NextToken=second["NextToken"])
    assert len(third["ScalingPolicies"]) == 3 and not third.get("NextToken")
    names = [p["PolicyName"] for page in (first, second, third) for p in page["ScalingPolicies"]]
    assert sorted(names) == ["p-%03d" % n for n in range(23)]


def test_describe_scaling_policies_paginator_reads_every_policy(aws):  # [DSP]
    scaling = _scaling(aws)
    _policies(scaling, 105)
    pages = list(scaling.get_paginator("describe_scaling_policies").paginate(ServiceNamespace="dynamodb"))
    assert [len(p["ScalingPolicies"]) for p in pages] == [10] * 10 + [5]


@pytest.mark.parametrize("size,words", [(11, "less than or equal to 10"), (0, "greater than or equal to 1")])
def test_describe_scaling_policies_max_results_outside_1_to_10_is_refused(aws, size, words):  # [DSP]
    scaling = _scaling(aws)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        scaling.describe_scaling_policies(ServiceNamespace="dynamodb", MaxResults=size)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert words in error.value.response["Error"]["Message"]


def test_describe_scaling_policies_filters_exactly(aws):  # [DSP] ResourceId, ScalableDimension, PolicyNames
    scaling = _scaling(aws)
    _policies(scaling, 2)
    _policies(scaling, 1, resource="table/%s/index/I" % TABLE)
    by_resource = scaling.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId="table/%s" % TABLE)
    assert {p["ResourceId"] for p in by_resource["ScalingPolicies"]} == {"table/%s" % TABLE}
    assert len(by_resource["ScalingPolicies"]) == 2
    by_name = scaling.describe_scaling_policies(ServiceNamespace="dynamodb", PolicyNames=["p-001"])
    assert [p["PolicyName"] for p in by_name["ScalingPolicies"]] == ["p-001"]
    with pytest.raises(botocore.exceptions.ClientError) as error:
        scaling.describe_scaling_policies(ServiceNamespace="dynamodb",
                                          ScalableDimension="dynamodb:table:ReadCapacityUnits")
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_a_token_only_continues_the_request_it_came_from(aws):  # [DSP] InvalidNextTokenException
    scaling = _scaling(aws)
    _policies(scaling, 12)
    token = scaling.describe_scaling_policies(ServiceNamespace="dynamodb")["NextToken"]
    for kwargs in ({"NextToken": "not-a-token"},
                   {"NextToken": token, "ResourceId": "table/other"}):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            scaling.describe_scaling_policies(ServiceNamespace="dynamodb", **kwargs)
        assert error.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_describe_scalable_targets_returns_fifty_a_page_and_ends(aws):  # [DST]
    scaling = _scaling(aws)
    _targets(scaling, 120)
    pages = list(scaling.get_paginator("describe_scalable_targets").paginate(ServiceNamespace="dynamodb"))
    assert [len(p["ScalableTargets"]) for p in pages] == [50, 50, 20]
    ids = [t["ResourceId"] for p in pages for t in p["ScalableTargets"]]
    assert sorted(ids) == ["table/T%03d" % n for n in range(120)]
    with pytest.raises(botocore.exceptions.ClientError) as error:
        scaling.describe_scalable_targets(ServiceNamespace="dynamodb", MaxResults=51)
    assert error.value.response["Error"]["Code"] == "ValidationException"


def _action(name, category, provider, config, inputs=(), outputs=()):
    return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
            "configuration": config, "inputArtifacts": [{"name": n} for n in inputs],
            "outputArtifacts": [{"name": n} for n in outputs], "runOrder": 1}


def _pipeline(aws):
    aws.client("s3").create_bucket(Bucket="paging-artifacts",
                                   CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    codecommit = aws.client("codecommit")
    codecommit.create_repository(repositoryName="paging-repo")
    codecommit.put_file(repositoryName="paging-repo", branchName="master", fileContent=b"x", filePath="f.txt")
    trust = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": '
             '"codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
    role = aws.client("iam").create_role(RoleName="paging-pipeline-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    codepipeline = aws.client("codepipeline")
    codepipeline.create_pipeline(pipeline={
        "name": "paging-pipeline", "roleArn": role,
        "artifactStore": {"type": "S3", "location": "paging-artifacts"},
        "stages": [
            {"name": "Source", "actions": [_action("Source", "Source", "CodeCommit",
                                                   {"RepositoryName": "paging-repo", "BranchName": "master"},
                                                   outputs=["SourceArtifact"])]},
            {"name": "Build", "actions": [_action("Build", "Build", "CodeBuild", {"ProjectName": "paging-build"},
                                                  inputs=["SourceArtifact"], outputs=["BuildArtifact"])]}]})
    return codepipeline


def test_list_pipeline_executions_pages_at_100_and_at_max_results(aws):  # [LPE]
    codepipeline = _pipeline(aws)
    total = len(codepipeline.list_pipeline_executions(pipelineName="paging-pipeline")["pipelineExecutionSummaries"])
    for _ in range(103 - total):
        codepipeline.start_pipeline_execution(name="paging-pipeline")
    first = codepipeline.list_pipeline_executions(pipelineName="paging-pipeline")
    assert len(first["pipelineExecutionSummaries"]) == 100 and first.get("nextToken")
    rest = codepipeline.list_pipeline_executions(pipelineName="paging-pipeline", nextToken=first["nextToken"])
    assert len(rest["pipelineExecutionSummaries"]) == 3 and not rest.get("nextToken")
    pages = list(codepipeline.get_paginator("list_pipeline_executions").paginate(
        pipelineName="paging-pipeline", PaginationConfig={"PageSize": 40}))
    assert [len(p["pipelineExecutionSummaries"]) for p in pages] == [40, 40, 23]
    ids = [s["pipelineExecutionId"] for p in pages for s in p["pipelineExecutionSummaries"]]
    assert len(set(ids)) == 103
