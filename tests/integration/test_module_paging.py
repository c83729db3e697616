"""Modules read every page of a list: the emulator pages as AWS does (tests/emulator_tests/test_paging.py).

Each case puts what the module looks for on a page after the first one.
"""
import json

PRIMARY = "us-west-2"
TABLE = "MythicalMysfits-DDBTable"


def _provisioned_table(aws):
    aws.client("dynamodb").create_table(
        TableName=TABLE, KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})


def _policy(scaling, name, resource, dimension, metric):
    scaling.put_scaling_policy(
        PolicyName=name, ServiceNamespace="dynamodb", ResourceId=resource, ScalableDimension=dimension,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0,
                                                  "PredefinedMetricSpecification": {"PredefinedMetricType": metric}})


def test_write_policy_on_a_later_page_of_105_is_found_and_the_replica_created(aws, module_runner):
    """DescribeScalingPolicies answers 10 a page: the table's write policy comes after 104 others."""
    # 92 policies of other tables, 12 read policies of the table, then its write policy: 105 in the region.
    _provisioned_table(aws)
    scaling = aws.client("application-autoscaling")
    # Other tables first (the emulator lists by resource id: "table/A..." < "table/M...").
    for n in range(92):
        resource = "table/A-other-%03d" % n
        scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=resource, MinCapacity=1,
                                         MaxCapacity=10, ScalableDimension="dynamodb:table:ReadCapacityUnits")
        _policy(scaling, "reads-%03d" % n, resource, "dynamodb:table:ReadCapacityUnits",
                "DynamoDBReadCapacityUtilization")
    resource = "table/%s" % TABLE
    # ... and 12 read policies of the table itself, so that even the table's own policies take two pages.
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=resource, MinCapacity=5,
                                     MaxCapacity=50, ScalableDimension="dynamodb:table:ReadCapacityUnits")
    for n in range(12):
        _policy(scaling, "reads-%03d" % n, resource, "dynamodb:table:ReadCapacityUnits",
                "DynamoDBReadCapacityUtilization")
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=resource, MinCapacity=5,
                                     MaxCapacity=50, ScalableDimension="dynamodb:table:WriteCapacityUnits")
    _policy(scaling, "writes", resource, "dynamodb:table:WriteCapacityUnits", "DynamoDBWriteCapacityUtilization")
    everything = list(scaling.get_paginator("describe_scaling_policies").paginate(ServiceNamespace="dynamodb"))
    assert len(everything) == 11 and everything[-1]["ScalingPolicies"][-1]["PolicyName"] == "writes"
    own = list(scaling.get_paginator("describe_scaling_policies").paginate(ServiceNamespace="dynamodb",
                                                                           ResourceId=resource))
    assert [len(p["ScalingPolicies"]) for p in own] == [10, 3]

    result = module_runner("ddb_global_replica", {"name": TABLE, "replica_regions": ["us-east-1"]}, region=PRIMARY)
    assert not result.get("failed"), result
    assert {r["region_name"]: r["replica_status"] for r in result["replicas"]}["us-east-1"] == "ACTIVE"


def _pipeline_with_history(aws):
    """A pipeline whose first execution ran revision A, followed by 60 executions of revision B."""
    role = aws.client("iam").create_role(RoleName="pipeline", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "codepipeline.amazonaws.com"}}]}))
    aws.client("s3").create_bucket(Bucket="paging-artifacts",
                                   CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    codecommit = aws.client("codecommit")
    codecommit.create_repository(repositoryName="repo")
    first = codecommit.put_file(repositoryName="repo", branchName="master", fileContent=b"a", filePath="f.txt")
    codepipeline = aws.client("codepipeline")
    codepipeline.create_pipeline(pipeline={
        "name": "p1", "roleArn": role["Role"]["Arn"],
        "artifactStore": {"type": "S3", "location": "paging-artifacts"},
        "stages": [
            {"name": "Source", "actions": [{"name": "Source", "actionTypeId": {
                "category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
                "configuration": {"RepositoryName": "repo", "BranchName": "master", "PollForSourceChanges": "false"},
                "outputArtifacts": [{"name": "SourceArtifact"}]}]},
            {"name": "Deploy", "actions": [{"name": "Deploy", "actionTypeId": {
                "category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
                "configuration": {"ClusterName": "c", "ServiceName": "s", "FileName": "i.json"},
                "inputArtifacts": [{"name": "SourceArtifact"}]}]},
        ]})
    codepipeline.start_pipeline_execution(name="p1")
    codecommit.put_file(repositoryName="repo", branchName="master", fileContent=b"b", filePath="f.txt",
                        parentCommitId=first["commitId"])
    for _ in range(60):
        codepipeline.start_pipeline_execution(name="p1")
    return first["commitId"], codepipeline


def test_execution_of_an_older_revision_is_found_past_the_first_page(aws, module_runner):
    revision, codepipeline = _pipeline_with_history(aws)
    summaries = [s for p in codepipeline.get_paginator("list_pipeline_executions").paginate(pipelineName="p1")
                 for s in p["pipelineExecutionSummaries"]]
    position = [i for i, s in enumerate(summaries)
                if any(r.get("revisionId") == revision for r in s.get("sourceRevisions") or [])]
    assert position and position[0] >= 50, position  # beyond what one call with maxResults=50 returns

    result = module_runner("codepipeline_execution", {"pipeline": "p1", "start": False, "source_revision": revision},
                           region=PRIMARY)
    assert not result.get("failed"), result
    assert result["execution_id"] == summaries[position[0]]["pipelineExecutionId"]
