"""The primary-region fixture (tests/fixture/primary.yml) builds what Labs 0-2 leave behind, idempotently."""
import json
import os
import re
import sys

from tests.integration.harness import REPO_ROOT, run_playbook

PLAYBOOK = os.path.join(REPO_ROOT, "tests", "fixture", "primary.yml")
STACK = "mm-primary-region"
REGION = "us-west-2"


def _run(aws):
    return run_playbook(PLAYBOOK, aws.env(REGION), inventory="localhost,",
                        env={"ANSIBLE_PYTHON_INTERPRETER": sys.executable})


def test_fixture_builds_the_primary_region_and_reruns_without_changes(aws):
    first = _run(aws)
    assert first.rc == 0, first

    cfn = aws.client("cloudformation", REGION)
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["IsDrRegion"] == "false"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    for key in ("DynamoTable", "MythicalServiceEcrRepo", "LikeServiceEcrRepo", "CoreServiceRepoName",
                "LikeServiceRepoName", "ArtifactBucket", "CorePipelineName", "LikePipelineName",
                "LoadBalancerFullName", "CoreServiceName", "LikeServiceName", "EcsClusterName"):
        assert outputs.get(key), key

    # a dozen mysfits with every attribute the application reads
    items = aws.client("dynamodb", REGION).scan(TableName=outputs["DynamoTable"])["Items"]
    assert len(items) == 12
    attributes = {"MysfitId", "Name", "Species", "Description", "Age", "GoodEvil", "LawChaos", "ThumbImageUri",
                  "ProfileImageUri", "Likes", "Adopted"}
    assert all(set(item) == attributes for item in items)
    assert {item["GoodEvil"]["S"] for item in items} <= {"Good", "Neutral", "Evil"}
    assert {item["LawChaos"]["S"] for item in items} <= {"Lawful", "Neutral", "Chaotic"}

    # both repositories hold a single-region buildspec, a Dockerfile and the application on master
    codecommit = aws.client("codecommit", REGION)
    for repo_key, ecr_key, container in (("CoreServiceRepoName", "MythicalServiceEcrRepo", "service"),
                                         ("LikeServiceRepoName", "LikeServiceEcrRepo", "like-service")):
        repository = outputs[repo_key]
        buildspec = codecommit.get_file(repositoryName=repository, commitSpecifier="master",
                                        filePath="buildspec_prod.yml")["fileContent"].decode()
        assert "imagedefinitions_primary.json" in buildspec
        assert "imagedefinitions_secondary.json" not in buildspec
        assert outputs[ecr_key] in buildspec
        assert 'CONTAINER_NAME: "%s"' % container in buildspec
        codecommit.get_file(repositoryName=repository, commitSpecifier="master", filePath="Dockerfile")
        folder = codecommit.get_folder(repositoryName=repository, commitSpecifier="master", folderPath="service")
        assert [f["relativePath"].endswith(".py") for f in folder["files"]] == [True]

    # the pipelines of the stack: Source, Build_Docker_Container, Deploy and one artifact store
    codepipeline = aws.client("codepipeline", REGION)
    for key, repo_key in (("CorePipelineName", "CoreServiceRepoName"), ("LikePipelineName", "LikeServiceRepoName")):
        pipeline = codepipeline.get_pipeline(name=outputs[key])["pipeline"]
        assert [s["name"] for s in pipeline["stages"]] == ["Source", "Build_Docker_Container", "Deploy"]
        assert pipeline["artifactStore"] == {"type": "S3", "location": outputs["ArtifactBucket"]}
        assert pipeline["stages"][0]["actions"][0]["configuration"]["RepositoryName"] == outputs[repo_key]
        assert pipeline["stages"][2]["actions"][0]["configuration"]["FileName"] == "imagedefinitions_primary.json"
    aws.client("s3", REGION).head_bucket(Bucket=outputs["ArtifactBucket"])

    # the Lab 2 dashboard, saved the way the console saves it
    body = json.loads(aws.client("cloudwatch", REGION).get_dashboard(
        DashboardName="MythicalMysfits-Dashboard")["DashboardBody"])
    widgets = {w["properties"]["title"]: w["properties"] for w in body["widgets"]}
    assert set(widgets) == {"ALB Requests Per Minute", "ALB HTTP Responses", "Core Service Metrics",
                            "Like Service Metrics", "DynamoDB Read/Write"}
    assert all(p["region"] == REGION for p in widgets.values())
    requests = widgets["ALB Requests Per Minute"]
    assert requests["metrics"] == [["AWS/ApplicationELB", "RequestCount", "LoadBalancer",
                                    outputs["LoadBalancerFullName"]]]
    assert (requests["stat"], requests["period"], requests["view"]) == ("Sum", 60, "timeSeries")
    responses = widgets["ALB HTTP Responses"]
    assert [m[1] for m in responses["metrics"]] == ["HTTPCode_Target_2XX_Count", "HTTPCode_Target_4XX_Count",
                                                    "HTTPCode_Target_5XX_Count"]
    assert responses["metrics"][1][0] == "." and responses["metrics"][1][2:] == [".", "."]
    assert responses["stat"] == "Sum"
    for title, service_key in (("Core Service Metrics", "CoreServiceName"), ("Like Service Metrics", "LikeServiceName")):
        properties = widgets[title]
        assert properties["view"] == "singleValue"
        assert properties["metrics"][0] == ["AWS/ECS", "CPUUtilization", "ServiceName", outputs[service_key],
                                            "ClusterName", outputs["EcsClusterName"]]
        assert properties["metrics"][1] == [".", "MemoryUtilization", ".", ".", ".", "."]
    assert widgets["DynamoDB Read/Write"]["metrics"][0][3] == outputs["DynamoTable"]

    # a second run succeeds and changes nothing
    mark = aws.control.last_seq()
    second = _run(aws)
    assert second.rc == 0, second
    assert re.search(r"localhost\s*:\s*ok=\d+\s+changed=0\s+unreachable=0\s+failed=0", second.stdout), second
    changes = [(c["service"], c["operation"]) for c in aws.control.mutating_calls(since=mark, plane=None)
               if c["status"] < 300]
    assert changes == []
