"""Pipelines that really build and deploy: CodeBuild runs the buildspec, ECS deploys the image, the load
balancer serves the workshop's application; manual approvals wait.

AWS documentation each rule follows:
- CodeBuild buildspec reference (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html):
  phases install/pre_build/build/post_build, ``env.variables``, ``artifacts.files``; "The value in the build
  project definition takes next precedence. The value in the buildspec declaration takes lowest precedence."
- CodeBuild environment variables (build-env-ref-env-vars.html): ``CODEBUILD_RESOLVED_SOURCE_VERSION``,
  ``AWS_DEFAULT_REGION``, ``AWS_REGION``.
- Build phase transitions (view-build-details-phases.html): "The UPLOAD_ARTIFACTS phase is always attempted,
  even if the BUILD phase fails."
- ECR private registry authentication (https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html):
  ``get-login-password`` needs AWS CLI v2 or v1 >= 1.17.10; AWS CLI v2 migration guide
  (cliv2-migration-changes.html): ``ecr get-login`` removed in v2. A push needs a login to that registry
  (docker-push-ecr-image.html).
- CodePipeline ECS deploy action (action-reference-ECS.html) and image definitions file
  (file-reference.html#pipelines-create-image-definitions): a new task definition revision with the file's
  images by container name, the service updated to it.
- Cross-region actions (actions-create-cross-region.html): the input artifact is copied to the artifact
  store of the action's region.
- ECS stopped task errors (stopped-task-error-codes.html): ``CannotPullContainerError`` for an image that is
  not there; such a service never reaches a steady state.
- Manual approvals (approvals-approve-or-reject.html): the execution stops at the approval until
  ``PutApprovalResult``; rejected -> Failed.
- ALB troubleshooting (load-balancer-troubleshooting.html): 503 when the target group has no healthy targets.

Timings are emulator settings (``pipeline_run_seconds`` 0, ``ecs_deployment_seconds`` 0) so no assertion
depends on the machine's speed; waits poll with a generous deadline.
"""
import json
import re
import time
import urllib.error
import urllib.request

import botocore.exceptions
import pytest

PRIMARY, SECONDARY = "us-west-2", "eu-west-1"
TABLE = "MythicalMysfits-DDBTable"

CORE_APP = '''import os
from flask import Flask
app = Flask(__name__)
table = os.environ['DDB_TABLE_NAME']


@app.route("/")
def home():
    return "ok"


@app.route("/mysfits")
def mysfits():
    return "[]"
'''
LIKE_APP = '''import os
from flask import Flask
app = Flask(__name__)
table = os.environ['DDB_TABLE_NAME']


@app.route("/mysfits/<mysfit_id>/like", methods=["POST"])
def like(mysfit_id):
    if os.environ['CHAOSMODE'] == "on":
        pass
    return "{}"
'''
DOCKERFILE = '''FROM public.ecr.aws/docker/library/python:3.12-slim
COPY ./service /app
WORKDIR /app
CMD ["python", "%s"]
'''
# The collection's style (CLI v2 login) and the workshop's (CLI v1 get-login).
BUILDSPEC_V2 = '''version: 0.2
env:
  variables:
    CONTAINER_NAME: service
phases:
  pre_build:
    commands:
      - aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin ${REPOSITORY_URI%%/*}
      - IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)
  build:
    commands:
      - docker build -t $REPOSITORY_URI:$IMAGE_TAG .
%(extra_build)s  post_build:
    commands:
      - docker push $REPOSITORY_URI:$IMAGE_TAG
%(extra_post)s      - printf '[{"name":"%%s","imageUri":"%%s"}]' $CONTAINER_NAME $REPOSITORY_URI:$IMAGE_TAG > imagedefinitions_primary.json
      - echo "region=$AWS_REGION default=$AWS_DEFAULT_REGION source=$CODEBUILD_RESOLVED_SOURCE_VERSION"
artifacts:
  files:
    - imagedefinitions_primary.json
%(extra_files)s'''
BUILDSPEC_V1 = '''version: 0.2
phases:
  build:
    commands:
      - docker build -t core-service:$CODEBUILD_RESOLVED_SOURCE_VERSION .
      - docker tag core-service:$CODEBUILD_RESOLVED_SOURCE_VERSION $REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION
  post_build:
    commands:
      - $(aws ecr get-login --no-include-email --region $AWS_DEFAULT_REGION)
      - docker push $REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION
      - printf '[{"name":"service","imageUri":"%s"}]' $REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION > imagedefinitions_primary.json
artifacts:
  files:
    - imagedefinitions_primary.json
'''
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ITEM = {"MysfitId": {"S": "a901bb08-1985-42f5-bb77-27439ac14300"}, "Name": {"S": "Evangeline"},
        "Species": {"S": "Chimera"}, "Description": {"S": "a mysfit"}, "Age": {"N": "43"},
        "GoodEvil": {"S": "Evil"}, "LawChaos": {"S": "Lawful"}, "ThumbImageUri": {"S": "https://x/t.png"},
        "ProfileImageUri": {"S": "https://x/p.png"}, "Likes": {"N": "0"}, "Adopted": {"BOOL": False}}


def _wait(predicate, timeout=90, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s" % what)


class World:
    """One region's application: VPC, ALB (core default + like rule), cluster, services, ECR, table."""

    def __init__(self, aws, region, name="mm", image="public.ecr.aws/nginx/nginx:latest", desired=1):
        self.aws, self.region, self.name = aws, region, name
        ec2 = aws.client("ec2", region)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i,
                                     AvailabilityZone=region + az)["Subnet"]["SubnetId"]
                   for i, az in ((1, "a"), (2, "b"))]
        elb = aws.client("elbv2", region)
        lb = elb.create_load_balancer(Name="alb-" + name, Subnets=subnets)["LoadBalancers"][0]
        self.dns = lb["DNSName"]
        self.groups = {}
        for service in ("core", "like"):
            self.groups[service] = elb.create_target_group(
                Name="%s-%s" % (name, service), Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip",
                HealthCheckPath="/")["TargetGroups"][0]["TargetGroupArn"]
        listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                       DefaultActions=[{"Type": "forward", "TargetGroupArn": self.groups["core"]}])
        elb.create_rule(ListenerArn=listener["Listeners"][0]["ListenerArn"], Priority=1,
                        Conditions=[{"Field": "path-pattern", "Values": ["/mysfits/*/like"]}],
                        Actions=[{"Type": "forward", "TargetGroupArn": self.groups["like"]}])
        ecr = aws.client("ecr", region)
        self.repos = {s: ecr.create_repository(repositoryName="%s-%s" % (name, s))["repository"]["repositoryUri"]
                      for s in ("core", "like")}
        self.ecs = aws.client("ecs", region)
        self.cluster = "Cluster-" + name
        self.ecs.create_cluster(clusterName=self.cluster)
        self.services = {}
        for service, container in (("core", "service"), ("like", "like-service")):
            env = [{"name": "DDB_TABLE_NAME", "value": TABLE}]
            if service == "like":
                env.append({"name": "CHAOSMODE", "value": "off"})
            td = self.ecs.register_task_definition(
                family="%s-%s" % (name, service), networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                cpu="256", memory="512",
                containerDefinitions=[{"name": container, "image": image, "essential": True,
                                       "portMappings": [{"containerPort": 8080}], "environment": env}],
            )["taskDefinition"]["taskDefinitionArn"]
            self.services[service] = self.ecs.create_service(
                cluster=self.cluster, serviceName="%s-%s" % (name, service), taskDefinition=td,
                desiredCount=desired, launchType="FARGATE",
                loadBalancers=[{"targetGroupArn": self.groups[service], "containerName": container,
                                "containerPort": 8080}],
            )["service"]["serviceName"]

    def service(self, which):
        return self.ecs.describe_services(cluster=self.cluster, services=[self.services[which]])["services"][0]

    def image_of(self, which):
        td = self.ecs.describe_task_definition(taskDefinition=self.service(which)["taskDefinition"])
        return td["taskDefinition"]["containerDefinitions"][0]["image"]


def http(url, method="GET", proxy=None):
    """A request through the emulator as proxy (what http_proxy makes uri/curl do)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _bucket(aws, name, region):
    s3 = aws.client("s3", region)
    kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **kwargs)
    return name


def _table(aws, region):
    ddb = aws.client("dynamodb", region)
    ddb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("MysfitId", "GoodEvil",
                                                                                    "LawChaos")],
        KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": k + "Index", "KeySchema": [
            {"AttributeName": k, "KeyType": "HASH"}, {"AttributeName": "MysfitId", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}} for k in ("GoodEvil", "LawChaos")])
    ddb.put_item(TableName=TABLE, Item=ITEM)
    return ddb


def _source(aws, repo, app_file, app, buildspec, region=PRIMARY):
    cc = aws.client("codecommit", region)
    cc.create_repository(repositoryName=repo)
    parent = None
    for path, content in (("service/" + app_file, app), ("Dockerfile", DOCKERFILE % app_file),
                          ("buildspec_prod.yml", buildspec)):
        kwargs = {"parentCommitId": parent} if parent else {}
        parent = cc.put_file(repositoryName=repo, branchName="master", fileContent=content.encode(),
                             filePath=path, commitMessage="add " + path, **kwargs)["commitId"]
    return parent


def _project(aws, name, image, repository_uri, region=PRIMARY):
    aws.client("codebuild", region).create_project(
        name=name, source={"type": "CODEPIPELINE", "buildspec": "buildspec_prod.yml"},
        artifacts={"type": "CODEPIPELINE"}, serviceRole="arn:aws:iam::123456789012:role/cb",
        environment={"type": "LINUX_CONTAINER", "image": image, "computeType": "BUILD_GENERAL1_SMALL",
                     "privilegedMode": True,
                     "environmentVariables": [{"name": "REPOSITORY_URI", "value": repository_uri}]})


def _action(name, category, provider, config, inputs=(), outputs=(), region=None):
    action = {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider,
                                             "version": "1"},
              "configuration": config, "inputArtifacts": [{"name": n} for n in inputs],
              "outputArtifacts": [{"name": n} for n in outputs], "runOrder": 1}
    if region:
        action["region"] = region
    return action


def _pipeline(aws, name, repo, project, world, extra_stages=(), stores=None, service="core",
              file_name="imagedefinitions_primary.json"):
    iam = aws.client("iam")
    role = iam.create_role(RoleName="role-" + name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    # CodePipeline's service role must reach every artifact store (CodePipeline user guide, "Manage the
    # CodePipeline service role"); the emulator refuses a copy the role cannot make (ext/artifact_access.py).
    iam.put_role_policy(RoleName="role-" + name, PolicyName="stores", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    stages = [
        {"name": "Source", "actions": [_action("Source", "Source", "CodeCommit",
                                               {"RepositoryName": repo, "BranchName": "master",
                                                "PollForSourceChanges": "false"}, outputs=["SourceArtifact"])]},
        {"name": "Build", "actions": [_action("Build", "Build", "CodeBuild", {"ProjectName": project},
                                              inputs=["SourceArtifact"], outputs=["BuildArtifact"])]},
        {"name": "Deploy", "actions": [_action("Deploy", "Deploy", "ECS", {
            "ClusterName": world.cluster, "ServiceName": world.services[service], "FileName": file_name},
            inputs=["BuildArtifact"])]},
    ] + list(extra_stages)
    declaration = {"name": name, "roleArn": role, "stages": stages}
    if stores:
        declaration["artifactStores"] = {r: {"type": "S3", "location": b} for r, b in stores.items()}
    else:
        declaration["artifactStore"] = {"type": "S3", "location": _bucket(aws, "artifacts-" + name, PRIMARY)}
    cp = aws.client("codepipeline", PRIMARY)
    cp.create_pipeline(pipeline=declaration)
    return cp


def _finished(cp, name, execution_id):
    def done():
        status = cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution_id)[
            "pipelineExecution"]["status"]
        return status if status != "InProgress" else None
    return _wait(done, what="execution %s" % execution_id)


def _action_state(cp, name, stage, action):
    for stage_state in cp.get_pipeline_state(name=name)["stageStates"]:
        if stage_state["stageName"] == stage:
            for action_state in stage_state["actionStates"]:
                if action_state["actionName"] == action:
                    return action_state
    return None


@pytest.fixture
def fast(aws):
    aws.control.set_timing(pipeline_run_seconds=0, ecs_deployment_seconds=0, stack_create_seconds=0.5)
    return aws


def test_pipeline_builds_pushes_deploys_and_the_load_balancer_serves_the_app(fast):
    aws = fast
    world = World(aws, PRIMARY)
    _table(aws, PRIMARY)
    proxy = aws.endpoint
    # before any deploy the services run a placeholder that does not serve port 8080: 503
    assert http("http://%s/" % world.dns, proxy=proxy)[0] == 503

    spec = BUILDSPEC_V2 % {"extra_build": "", "extra_post": "", "extra_files": ""}
    _project(aws, "core-build", "aws/codebuild/standard:7.0", world.repos["core"])
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world)
    commit = _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, spec)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Succeeded"

    # the image is in ECR, tagged with the commit, and the service runs it in a new revision
    images = aws.client("ecr", PRIMARY).describe_images(repositoryName="mm-core")["imageDetails"]
    assert [i["imageTags"] for i in images] == [[commit[:7]]]
    assert world.image_of("core") == "%s:%s" % (world.repos["core"], commit[:7])
    assert world.service("core")["taskDefinition"].endswith(":2")
    assert world.service("core")["runningCount"] == 1

    # the build log is in CloudWatch Logs and shows CodeBuild's environment
    build_id = _action_state(cp, "CorePipeline", "Build", "Build")["latestExecution"]["externalExecutionId"]
    build = aws.client("codebuild", PRIMARY).batch_get_builds(ids=[build_id])["builds"][0]
    assert build["buildStatus"] == "SUCCEEDED"
    events = aws.client("logs", PRIMARY).get_log_events(logGroupName="/aws/codebuild/core-build",
                                                        logStreamName=build["logs"]["streamName"])["events"]
    text = "\n".join(e["message"] for e in events)
    assert "region=%s default=%s source=%s" % (PRIMARY, PRIMARY, commit) in text
    assert "Login Succeeded" in text

    # the load balancer now answers as the workshop's core service: region on /, the table on /mysfits
    status, body = http("http://%s/" % world.dns, proxy=proxy)
    assert status == 200 and "Current region: %s" % PRIMARY in body
    status, body = http("http://%s/mysfits" % world.dns, proxy=proxy)
    assert status == 200
    mysfit = json.loads(body)["mysfits"][0]
    assert mysfit["name"] == "Evangeline" and mysfit["likes"] == "0" and mysfit["age"] == 43
    status, body = http("http://%s/mysfits?filter=GoodEvil&value=Good" % world.dns, proxy=proxy)
    assert (status, json.loads(body)) == (200, {"mysfits": []})
    # the workshop's core service has no /mysfits/<id> route
    assert http("http://%s/mysfits/%s" % (world.dns, ITEM["MysfitId"]["S"]), proxy=proxy)[0] == 404
    # the like service still runs its placeholder
    assert http("http://%s/mysfits/x/like" % world.dns, method="POST", proxy=proxy)[0] == 503
    # the application's own table reads are not calls of the client under test
    assert not [c for c in aws.control.calls() if c["operation"] == "Scan"]

    # the running task shows the digest it runs: the image pushed
    arns = world.ecs.list_tasks(cluster=world.cluster, serviceName=world.services["core"])["taskArns"]
    assert len(arns) == 1
    task = world.ecs.describe_tasks(cluster=world.cluster, tasks=arns)["tasks"][0]
    assert task["containers"][0]["imageDigest"] == images[0]["imageDigest"]
    assert task["taskDefinitionArn"] == world.service("core")["taskDefinition"]
    # A public image (the like service's placeholder) has a digest too: ECS resolves every image name and tag
    # to a digest (API reference, ContainerImage; ContainerDefinition.versionConsistency, enabled by default).
    like_arns = world.ecs.list_tasks(cluster=world.cluster, serviceName=world.services["like"])["taskArns"]
    like = world.ecs.describe_tasks(cluster=world.cluster, tasks=like_arns)["tasks"][0]["containers"][0]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", like["imageDigest"]) and ".dkr.ecr." not in like["image"], like

    # the tasks are the target groups' targets: healthy where the app serves, unhealthy on the placeholder
    elb = aws.client("elbv2", PRIMARY)
    health = {which: [d["TargetHealth"]["State"] for d in elb.describe_target_health(
        TargetGroupArn=world.groups[which])["TargetHealthDescriptions"]] for which in ("core", "like")}
    assert health == {"core": ["healthy"], "like": ["unhealthy"]}

    # any other host through the proxy: a gateway error, as a proxy that cannot connect answers
    assert http("http://unreachable.example.invalid/", proxy=proxy)[0] == 502

    # scaled to 0: nothing answers, no targets
    world.ecs.update_service(cluster=world.cluster, service=world.services["core"], desiredCount=0)
    assert http("http://%s/" % world.dns, proxy=proxy)[0] == 503
    assert elb.describe_target_health(TargetGroupArn=world.groups["core"])["TargetHealthDescriptions"] == []


def test_like_through_the_load_balancer_updates_the_table(fast):
    aws = fast
    world = World(aws, PRIMARY)
    ddb = _table(aws, PRIMARY)
    spec = BUILDSPEC_V2 % {"extra_build": "", "extra_post": "", "extra_files": ""}
    spec = spec.replace("CONTAINER_NAME: service", "CONTAINER_NAME: like-service")
    _project(aws, "like-build", "aws/codebuild/standard:7.0", world.repos["like"])
    cp = _pipeline(aws, "LikePipeline", "like-repo", "like-build", world, service="like")
    _source(aws, "like-repo", "mysfits_like.py", LIKE_APP, spec)
    execution = cp.list_pipeline_executions(pipelineName="LikePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "LikePipeline", execution["pipelineExecutionId"]) == "Succeeded"
    mysfit_id = ITEM["MysfitId"]["S"]
    assert http("http://%s/mysfits/%s/like" % (world.dns, mysfit_id), method="POST", proxy=aws.endpoint) == (
        200, '{"Update": "Success"}')
    assert ddb.get_item(TableName=TABLE, Key={"MysfitId": {"S": mysfit_id}})["Item"]["Likes"] == {"N": "1"}
    # a mysfit that does not exist: the app's UpdateItem fails -> 500
    assert http("http://%s/mysfits/nobody/like" % world.dns, method="POST", proxy=aws.endpoint)[0] == 500


def test_old_build_image_has_no_get_login_password_and_the_failing_line_is_named(fast):
    aws = fast
    world = World(aws, PRIMARY)
    spec = BUILDSPEC_V2 % {"extra_build": "", "extra_post": "", "extra_files": ""}
    _project(aws, "core-build", "aws/codebuild/docker:17.09.0", world.repos["core"])
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world)
    _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, spec)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Failed"
    state = _action_state(cp, "CorePipeline", "Build", "Build")["latestExecution"]
    assert state["status"] == "Failed"
    message = state["errorDetails"]["message"]
    assert "Phase: PRE_BUILD" in message and "COMMAND_EXECUTION_ERROR" in message
    assert "aws ecr get-login-password --region $AWS_DEFAULT_REGION" in message
    build = aws.client("codebuild", PRIMARY).batch_get_builds(ids=[state["externalExecutionId"]])["builds"][0]
    assert build["buildStatus"] == "FAILED"
    events = aws.client("logs", PRIMARY).get_log_events(logGroupName="/aws/codebuild/core-build",
                                                        logStreamName=build["logs"]["streamName"])["events"]
    assert any("Invalid choice" in e["message"] for e in events)
    assert world.service("core")["taskDefinition"].endswith(":1")  # nothing deployed


def test_workshop_buildspec_logs_in_with_get_login_on_cli_v1(fast):
    aws = fast
    world = World(aws, PRIMARY)
    _project(aws, "core-build", "aws/codebuild/docker:17.09.0", world.repos["core"])
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world)
    commit = _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, BUILDSPEC_V1)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Succeeded"
    assert world.image_of("core") == "%s:%s" % (world.repos["core"], commit)


def test_get_login_is_gone_in_cli_v2(fast):
    aws = fast
    world = World(aws, PRIMARY)
    _project(aws, "core-build", "aws/codebuild/standard:5.0", world.repos["core"])
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world)
    _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, BUILDSPEC_V1)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Failed"
    message = _action_state(cp, "CorePipeline", "Build", "Build")["latestExecution"]["errorDetails"]["message"]
    assert "Phase: POST_BUILD" in message and "aws ecr get-login --no-include-email" in message


@pytest.mark.parametrize("extra,expected", [
    # a push to a registry never logged in to
    ({"extra_post": "      - docker tag $REPOSITORY_URI:$IMAGE_TAG 123456789012.dkr.ecr.eu-west-1.amazonaws.com/"
                    "mm-core:$IMAGE_TAG\n      - docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/"
                    "mm-core:$IMAGE_TAG\n"}, ("docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/",
                                              "no basic auth credentials")),
    # a repository that does not exist in the registry
    ({"extra_post": "      - docker tag $REPOSITORY_URI:$IMAGE_TAG ${REPOSITORY_URI%/*}/wrong-repo:$IMAGE_TAG\n"
                    "      - docker push ${REPOSITORY_URI%/*}/wrong-repo:$IMAGE_TAG\n"},
     ("docker push ${REPOSITORY_URI%/*}/wrong-repo", "The repository with name 'wrong-repo' does not exist")),
    # a declared artifact the build never wrote
    ({"extra_files": "    - imagedefinitions_secondary.json\n"},
     ("Phase: UPLOAD_ARTIFACTS", "no matching artifact paths found")),
])
def test_broken_buildspec_fails_the_build_naming_the_line(fast, extra, expected):
    aws = fast
    world = World(aws, PRIMARY)
    params = {"extra_build": "", "extra_post": "", "extra_files": ""}
    params.update(extra)
    _project(aws, "core-build", "aws/codebuild/standard:7.0", world.repos["core"])
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world)
    _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, BUILDSPEC_V2 % params)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Failed"
    state = _action_state(cp, "CorePipeline", "Build", "Build")["latestExecution"]
    assert expected[0] in state["errorDetails"]["message"]
    build = aws.client("codebuild", PRIMARY).batch_get_builds(ids=[state["externalExecutionId"]])["builds"][0]
    events = aws.client("logs", PRIMARY).get_log_events(logGroupName="/aws/codebuild/core-build",
                                                        logStreamName=build["logs"]["streamName"])["events"]
    assert any(expected[1] in e["message"] for e in events), [e["message"] for e in events]


def test_cross_region_deploy_copies_the_artifact_and_pushes_to_the_secondary_registry(fast):
    aws = fast
    primary, secondary = World(aws, PRIMARY), World(aws, SECONDARY, name="mm2")
    _table(aws, SECONDARY)
    registry = secondary.repos["core"].split("/")[0]
    extra = {
        "extra_build": "      - docker tag $REPOSITORY_URI:$IMAGE_TAG %s:$IMAGE_TAG\n" % secondary.repos["core"],
        "extra_post": ("      - aws ecr get-login-password --region %s | docker login --username AWS "
                       "--password-stdin %s\n      - docker push %s:$IMAGE_TAG\n      - printf "
                       "'[{\"name\":\"service\",\"imageUri\":\"%%s\"}]' %s:$IMAGE_TAG > imagedefinitions_secondary.json\n"
                       % (SECONDARY, registry, secondary.repos["core"], secondary.repos["core"])),
        "extra_files": "    - imagedefinitions_secondary.json\n",
    }
    _project(aws, "core-build", "aws/codebuild/standard:7.0", primary.repos["core"])
    stores = {PRIMARY: _bucket(aws, "store-primary", PRIMARY), SECONDARY: _bucket(aws, "store-secondary",
                                                                                  SECONDARY)}
    cross = {"name": "CrossRegionDeploy", "actions": [_action("CrossRegionDeploy", "Deploy", "ECS", {
        "ClusterName": secondary.cluster, "ServiceName": secondary.services["core"],
        "FileName": "imagedefinitions_secondary.json"}, inputs=["BuildArtifact"], region=SECONDARY)]}
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", primary, extra_stages=[cross], stores=stores)
    commit = _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, BUILDSPEC_V2 % extra)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Succeeded"
    assert secondary.image_of("core") == "%s:%s" % (secondary.repos["core"], commit[:7])
    # the same image (digest) in both regions
    digests = [aws.client("ecr", r).describe_images(repositoryName=n)["imageDetails"][0]["imageDigest"]
               for r, n in ((PRIMARY, "mm-core"), (SECONDARY, "mm2-core"))]
    assert digests[0] == digests[1]
    # the input artifact was copied into the secondary region's store
    keys = aws.client("s3", SECONDARY).list_objects_v2(Bucket="store-secondary").get("Contents", [])
    assert any("/BuildArtif/" in k["Key"] for k in keys)
    status, body = http("http://%s/" % secondary.dns, proxy=aws.endpoint)
    assert status == 200 and "Current region: %s" % SECONDARY in body


def test_missing_secondary_store_bucket_fails_the_cross_region_action(fast):
    aws = fast
    primary, secondary = World(aws, PRIMARY), World(aws, SECONDARY, name="mm2")
    spec = BUILDSPEC_V2 % {"extra_build": "", "extra_post": "", "extra_files": ""}
    _project(aws, "core-build", "aws/codebuild/standard:7.0", primary.repos["core"])
    stores = {PRIMARY: _bucket(aws, "store-primary", PRIMARY), SECONDARY: "no-such-bucket"}
    cross = {"name": "CrossRegionDeploy", "actions": [_action("CrossRegionDeploy", "Deploy", "ECS", {
        "ClusterName": secondary.cluster, "ServiceName": secondary.services["core"],
        "FileName": "imagedefinitions_primary.json"}, inputs=["BuildArtifact"], region=SECONDARY)]}
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", primary, extra_stages=[cross], stores=stores)
    _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, spec)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Failed"
    message = _action_state(cp, "CorePipeline", "CrossRegionDeploy", "CrossRegionDeploy")["latestExecution"][
        "errorDetails"]["message"]
    assert "no-such-bucket" in message and SECONDARY in message


def test_service_on_a_missing_image_is_not_steady_and_cloudformation_gives_up(fast):
    aws = fast
    world = World(aws, PRIMARY, image="123456789012.dkr.ecr.us-west-2.amazonaws.com/mm-core:latest")
    service = world.service("core")
    assert service["runningCount"] == 0 and service["desiredCount"] == 1
    assert "CannotPullContainerError" in service["events"][0]["message"]

    aws.control.set_timing(ecs_stabilize_timeout_seconds=2)
    template = {"Resources": {
        "Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "empty-repo"}},
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "cfn-cluster"}},
        "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": "cfn-task", "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc",
            "Cpu": "256", "Memory": "512", "ContainerDefinitions": [
                {"Name": "service", "Image": {"Fn::Sub": "${Repo.RepositoryUri}:latest"}, "Essential": True}]}},
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Task"}, "DesiredCount": 1,
            "LaunchType": "FARGATE"}},
    }}
    cfn = aws.client("cloudformation", PRIMARY)
    cfn.create_stack(StackName="waits", TemplateBody=json.dumps(template))
    with pytest.raises(botocore.exceptions.WaiterError):
        cfn.get_waiter("stack_create_complete").wait(StackName="waits", WaiterConfig={"Delay": 1,
                                                                                        "MaxAttempts": 30})
    assert cfn.describe_stacks(StackName="waits")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = [e for e in cfn.describe_stack_events(StackName="waits")["StackEvents"]
              if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Service"
    assert "did not stabilize" in failed[0]["ResourceStatusReason"]


def test_manual_approval_waits_for_put_approval_result(fast):
    aws = fast
    world = World(aws, PRIMARY)
    spec = BUILDSPEC_V2 % {"extra_build": "", "extra_post": "", "extra_files": ""}
    _project(aws, "core-build", "aws/codebuild/standard:7.0", world.repos["core"])
    approval = {"name": "Approve", "actions": [_action("Approval", "Approval", "Manual", {})]}
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world, extra_stages=[approval])
    _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, spec)
    execution_id = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0][
        "pipelineExecutionId"]
    token = _wait(lambda: (_action_state(cp, "CorePipeline", "Approve", "Approval").get("latestExecution")
                           or {}).get("token"), what="the approval token")
    time.sleep(1)  # it does not approve itself
    assert cp.get_pipeline_execution(pipelineName="CorePipeline", pipelineExecutionId=execution_id)[
        "pipelineExecution"]["status"] == "InProgress"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cp.put_approval_result(pipelineName="CorePipeline", stageName="Approve", actionName="Approval",
                               result={"summary": "ok", "status": "Approved"},
                               token="00000000-0000-0000-0000-000000000000")
    assert raised.value.response["Error"]["Code"] == "InvalidApprovalTokenException"
    cp.put_approval_result(pipelineName="CorePipeline", stageName="Approve", actionName="Approval",
                           result={"summary": "looks good", "status": "Approved"}, token=token)
    assert _finished(cp, "CorePipeline", execution_id) == "Succeeded"


def test_rejected_approval_fails_the_execution(fast):
    aws = fast
    iam = aws.client("iam")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    aws.client("codecommit", PRIMARY).create_repository(repositoryName="repo")
    cp = aws.client("codepipeline", PRIMARY)
    cp.create_pipeline(pipeline={"name": "P", "roleArn": role, "artifactStore": {
        "type": "S3", "location": _bucket(aws, "artifacts-p", PRIMARY)}, "stages": [
        {"name": "Source", "actions": [_action("Source", "Source", "CodeCommit", {
            "RepositoryName": "repo", "BranchName": "master"}, outputs=["SourceArtifact"])]},
        {"name": "Approve", "actions": [_action("Approval", "Approval", "Manual", {})]}]})
    aws.client("codecommit", PRIMARY).put_file(repositoryName="repo", branchName="master", fileContent=b"x",
                                              filePath="README", commitMessage="first")
    execution_id = cp.list_pipeline_executions(pipelineName="P")["pipelineExecutionSummaries"][0][
        "pipelineExecutionId"]
    token = _wait(lambda: (_action_state(cp, "P", "Approve", "Approval").get("latestExecution") or {}).get("token"),
                  what="the approval token")
    cp.put_approval_result(pipelineName="P", stageName="Approve", actionName="Approval",
                           result={"summary": "not now", "status": "Rejected"}, token=token)
    assert _finished(cp, "P", execution_id) == "Failed"
    assert "not now" in _action_state(cp, "P", "Approve", "Approval")["latestExecution"]["errorDetails"]["message"]


def test_ecr_replication_copies_a_pushed_image_to_the_destination_region(fast):
    """ECR private image replication (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html):
    an image pushed after the replication configuration is set is copied to each destination region's
    repository of the same name, created there when missing."""
    aws = fast
    world = World(aws, PRIMARY)
    aws.client("ecr", PRIMARY).put_replication_configuration(replicationConfiguration={"rules": [
        {"destinations": [{"region": SECONDARY, "registryId": "123456789012"}]}]})
    spec = BUILDSPEC_V2 % {"extra_build": "", "extra_post": "", "extra_files": ""}
    _project(aws, "core-build", "aws/codebuild/standard:7.0", world.repos["core"])
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world)
    commit = _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, spec)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Succeeded"
    images = {r: aws.client("ecr", r).describe_images(repositoryName="mm-core")["imageDetails"]
              for r in (PRIMARY, SECONDARY)}
    assert images[SECONDARY][0]["imageTags"] == [commit[:7]]
    assert images[SECONDARY][0]["imageDigest"] == images[PRIMARY][0]["imageDigest"]


def test_unanswered_approval_fails_after_the_approval_timeout(fast):
    aws = fast
    aws.control.set_timing(approval_timeout_seconds=1)
    iam = aws.client("iam")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    cp = aws.client("codepipeline", PRIMARY)
    aws.client("codecommit", PRIMARY).create_repository(repositoryName="repo")
    cp.create_pipeline(pipeline={"name": "P", "roleArn": role, "artifactStore": {
        "type": "S3", "location": _bucket(aws, "artifacts-p", PRIMARY)}, "stages": [
        {"name": "Source", "actions": [_action("Source", "Source", "CodeCommit", {
            "RepositoryName": "repo", "BranchName": "master"}, outputs=["SourceArtifact"])]},
        {"name": "Approve", "actions": [_action("Approval", "Approval", "Manual", {})]}]})
    aws.client("codecommit", PRIMARY).put_file(repositoryName="repo", branchName="master", fileContent=b"x",
                                              filePath="README", commitMessage="first")
    execution_id = cp.list_pipeline_executions(pipelineName="P")["pipelineExecutionSummaries"][0][
        "pipelineExecutionId"]
    assert _finished(cp, "P", execution_id) == "Failed"
    assert "approval" in _action_state(cp, "P", "Approve", "Approval")["latestExecution"]["errorDetails"][
        "message"]


def test_superseded_mode_a_newer_execution_replaces_one_waiting_for_the_same_stage(fast):
    aws = fast
    iam = aws.client("iam")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    cp = aws.client("codepipeline", PRIMARY)
    cc = aws.client("codecommit", PRIMARY)
    cc.create_repository(repositoryName="repo")
    cp.create_pipeline(pipeline={"name": "P", "roleArn": role, "artifactStore": {
        "type": "S3", "location": _bucket(aws, "artifacts-p", PRIMARY)}, "stages": [
        {"name": "Source", "actions": [_action("Source", "Source", "CodeCommit", {
            "RepositoryName": "repo", "BranchName": "master"}, outputs=["SourceArtifact"])]},
        {"name": "Approve", "actions": [_action("Approval", "Approval", "Manual", {})]}]})
    parent = None
    ids = []
    for number in range(3):
        kwargs = {"parentCommitId": parent} if parent else {}
        parent = cc.put_file(repositoryName="repo", branchName="master", fileContent=b"v%d" % number,
                             filePath="README", commitMessage="v%d" % number, **kwargs)["commitId"]
        ids.append(cp.list_pipeline_executions(pipelineName="P")["pipelineExecutionSummaries"][0][
            "pipelineExecutionId"])
        if number == 0:
            _wait(lambda: (_action_state(cp, "P", "Approve", "Approval").get("latestExecution") or {}).get("token"),
                  what="the first execution at the approval")

    def status(execution_id):
        return cp.get_pipeline_execution(pipelineName="P", pipelineExecutionId=execution_id)[
            "pipelineExecution"]["status"]
    _wait(lambda: status(ids[1]) == "Superseded", what="the second execution superseded")
    assert status(ids[0]) == "InProgress" and status(ids[2]) == "InProgress"


def test_runner_points_http_proxy_at_the_emulator(tmp_path):
    """``python -m tests.emulator.run`` gives the command http_proxy (the emulator) and no_proxy (its host)."""
    import os
    import subprocess
    import sys
    out = tmp_path / "env.json"
    code = "import json, os, sys; json.dump({k: os.environ.get(k) for k in ('http_proxy', 'HTTP_PROXY', " \
           "'no_proxy', 'AWS_ENDPOINT_URL')}, open(sys.argv[1], 'w'))"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([sys.executable, "-m", "tests.emulator.run", "--", sys.executable, "-c", code, str(out)],
                   cwd=root, check=True, timeout=120, capture_output=True)
    env = json.loads(out.read_text())
    assert env["http_proxy"] == env["HTTP_PROXY"] == env["AWS_ENDPOINT_URL"]
    assert "127.0.0.1" in env["no_proxy"].split(",")


def test_stand_ins_outside_a_build_push_what_the_bootstrap_pushes(fast, tmp_path):
    """tests/emulator/sandbox/bin first on PATH: the commands a participant runs on their machine
    (aws ecr get-login-password | docker login; docker build; docker push) reach the emulated ECR."""
    import os
    import subprocess
    aws = fast
    uri = aws.client("ecr", PRIMARY).create_repository(repositoryName="boot")["repository"]["repositoryUri"]
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "mythicalMysfitsService.py").write_text(CORE_APP)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE % "mythicalMysfitsService.py")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PATH=os.path.join(root, "tests", "emulator", "sandbox", "bin") + os.pathsep +
               os.environ["PATH"], EMULATOR_SANDBOX_STATE=str(tmp_path / "daemon"))
    script = ("aws ecr get-login-password --region %s | docker login --username AWS --password-stdin %s && "
              "docker build -t %s:v1 . && docker push %s:v1" % (PRIMARY, uri.split("/")[0], uri, uri))
    run = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Login Succeeded" in run.stdout
    details = aws.client("ecr", PRIMARY).describe_images(repositoryName="boot")["imageDetails"]
    assert [d["imageTags"] for d in details] == [["v1"]]


def test_phase_transitions_and_variable_precedence(fast):
    """A failed BUILD still runs POST_BUILD with CODEBUILD_BUILD_SUCCEEDING=0 (view-build-details-phases.html);
    the project's variable beats the buildspec's (build-spec-ref.html, env); commands share one shell."""
    aws = fast
    world = World(aws, PRIMARY)
    spec = '''version: 0.2
env:
  variables:
    REPOSITORY_URI: from-the-buildspec
    GREETING: hello
phases:
  pre_build:
    commands:
      - cd service
      - SHARED=kept
  build:
    commands:
      - test -f mythicalMysfitsService.py
      - echo "uri=$REPOSITORY_URI greeting=$GREETING shared=$SHARED"
      - test "$GREETING" = bye
      - echo never
  post_build:
    commands:
      - echo "post_build ran, succeeding=$CODEBUILD_BUILD_SUCCEEDING"
'''
    _project(aws, "core-build", "aws/codebuild/standard:7.0", world.repos["core"])
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world)
    _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, spec)
    execution = cp.list_pipeline_executions(pipelineName="CorePipeline")["pipelineExecutionSummaries"][0]
    assert _finished(cp, "CorePipeline", execution["pipelineExecutionId"]) == "Failed"
    state = _action_state(cp, "CorePipeline", "Build", "Build")["latestExecution"]
    assert "Phase: BUILD" in state["errorDetails"]["message"]
    assert 'Error while executing command: test "$GREETING" = bye. Reason: exit status 1' in \
        state["errorDetails"]["message"]
    build = aws.client("codebuild", PRIMARY).batch_get_builds(ids=[state["externalExecutionId"]])["builds"][0]
    text = "\n".join(e["message"] for e in aws.client("logs", PRIMARY).get_log_events(
        logGroupName="/aws/codebuild/core-build", logStreamName=build["logs"]["streamName"])["events"])
    assert "uri=%s greeting=hello shared=kept" % world.repos["core"] in text
    assert "post_build ran, succeeding=0" in text
    assert "never" not in text.replace("Running command echo never", "")


def _push_app(aws, tmp_path, repo_uri, app_file, app):
    """docker build + push of a service's source with the stand-ins (as the workshop's bootstrap does)."""
    import os
    import subprocess
    context = tmp_path / app_file.replace(".", "_")
    (context / "service").mkdir(parents=True)
    (context / "service" / app_file).write_text(app)
    (context / "Dockerfile").write_text(DOCKERFILE % app_file)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PATH=os.path.join(root, "tests", "emulator", "sandbox", "bin") + os.pathsep +
               os.environ["PATH"], EMULATOR_SANDBOX_STATE=str(tmp_path / "daemon"))
    region = repo_uri.split(".")[3]
    script = ("aws ecr get-login-password --region %s | docker login --username AWS --password-stdin %s && "
              "docker build -t %s:v1 . && docker push %s:v1" % (region, repo_uri.split("/")[0], repo_uri, repo_uri))
    run = subprocess.run(["bash", "-c", script], cwd=context, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return repo_uri + ":v1"


def test_a_like_in_the_secondary_is_read_back_in_the_primary_table(fast, tmp_path):
    """The lab's checkpoint, data side: the secondary's like service writes its region's replica, and global
    tables replicate the write to the primary (DynamoDB developer guide, "Global tables - how it works":
    "any changes made to any item in any replica table are replicated to all the other replicas")."""
    aws = fast
    aws.control.set_timing(replica_create_seconds=0, table_update_seconds=0)
    primary_ddb = _table(aws, PRIMARY)
    primary_ddb.update_table(TableName=TABLE, StreamSpecification={"StreamEnabled": True,
                                                                   "StreamViewType": "NEW_AND_OLD_IMAGES"})
    _wait(lambda: primary_ddb.describe_table(TableName=TABLE)["Table"]["TableStatus"] == "ACTIVE", what="table")
    primary_ddb.update_table(TableName=TABLE, ReplicaUpdates=[{"Create": {"RegionName": SECONDARY}}])
    _wait(lambda: {r["RegionName"]: r["ReplicaStatus"] for r in primary_ddb.describe_table(TableName=TABLE)[
        "Table"].get("Replicas", [])}.get(SECONDARY) == "ACTIVE", what="the replica")
    ecr = aws.client("ecr", SECONDARY)
    uri = ecr.create_repository(repositoryName="like-app")["repository"]["repositoryUri"]
    image = _push_app(aws, tmp_path, uri, "mysfits_like.py", LIKE_APP)
    secondary = World(aws, SECONDARY, name="mm2", image=image)
    mysfit_id = ITEM["MysfitId"]["S"]
    assert http("http://%s/mysfits/%s/like" % (secondary.dns, mysfit_id), method="POST",
                proxy=aws.endpoint)[0] == 200
    replica = aws.client("dynamodb", SECONDARY).get_item(TableName=TABLE, Key={"MysfitId": {"S": mysfit_id}})
    assert replica["Item"]["Likes"] == {"N": "1"}
    _wait(lambda: primary_ddb.get_item(TableName=TABLE, Key={"MysfitId": {"S": mysfit_id}})["Item"]["Likes"]
          == {"N": "1"}, what="the like replicated to the primary")


def test_a_reset_ends_running_builds_before_they_push_into_the_next_test(fast):
    aws = fast
    world = World(aws, PRIMARY)
    # logs in again after the pause: without the reset ending it, the build would push into the new state
    relogin = ("      - sleep 4\n      - aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login "
               "--username AWS --password-stdin ${REPOSITORY_URI%%/*}\n")
    spec = BUILDSPEC_V2 % {"extra_build": relogin, "extra_post": "", "extra_files": ""}
    _project(aws, "core-build", "aws/codebuild/standard:7.0", world.repos["core"])
    cp = _pipeline(aws, "CorePipeline", "core-repo", "core-build", world)
    _source(aws, "core-repo", "mythicalMysfitsService.py", CORE_APP, spec)
    _wait(lambda: ((_action_state(cp, "CorePipeline", "Build", "Build") or {}).get("latestExecution") or {}).get(
        "status") == "InProgress", what="the build to start")
    aws.control.reset()
    ecr = aws.client("ecr", PRIMARY)
    ecr.create_repository(repositoryName="mm-core")
    time.sleep(6)
    assert ecr.describe_images(repositoryName="mm-core")["imageDetails"] == []
