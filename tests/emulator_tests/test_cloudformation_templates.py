"""The emulator's CloudFormation on template features the workshop's own templates use (issue 12, item 8).

Each test pins one rule, with the AWS page it follows:
- Fn::GetAZs: "Fn::GetAZs" in the CloudFormation user guide (intrinsic-function-reference-getavailabilityzones.html):
  the argument may be ``{"Ref": "AWS::Region"}`` or ``""``; both mean the region the stack is in.
- Fn::GetAtt / Fn::Sub: intrinsic-function-reference-getatt.html (short form ``!GetAtt logicalName.attributeName``),
  intrinsic-function-reference-sub.html (``${MyInstance.PublicIp}`` is a GetAtt, ``${!Literal}`` stays literal).
- Nested stacks: "AWS::CloudFormation::Stack" resource reference (aws-resource-cloudformation-stack.html):
  ``Ref`` returns the nested stack's ID, ``Fn::GetAtt`` ``Outputs.NestedStackOutputName`` its output; user guide
  "Working with nested stacks" (nested stack names ``<parent>-<logical id>-<random suffix>``).
- Outputs with a Condition: "Outputs" section (outputs-section-structure.html): an output is created (and
  exported) only when its condition is true.
- Generated names: "Name type" (aws-properties-name.html): without a name CloudFormation generates one from the
  stack name, logical id and a random string; ECR CreateRepository (API_CreateRepository.html) allows only
  ``(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*``; IAM CreateRole RoleName at most 64 characters.
- Security group rules: AWS::EC2::SecurityGroup Ingress (aws-properties-ec2-securitygroup-ingress.html):
  ``IpProtocol -1`` allows all protocols and ports (no FromPort/ToPort); for tcp/udp a port range is required
  (EC2 AuthorizeSecurityGroupIngress: "Must specify both from and to ports with TCP/UDP").
- Trust policies: IAM user guide "IAM JSON policy elements: Principal" (reference_policies_elements_principal.html):
  ``"Service"`` may be one string or an array; "Statement" may be one statement or an array.
- PipelineDeclaration types: CodePipeline API reference ActionTypeId (API_ActionTypeId.html: ``version`` is a
  String), ActionDeclaration (``runOrder`` Integer); CloudFormation converts template values to them.
- A resource that fails during create: user guide "Stack status codes": ``CREATE_FAILED`` for the resource,
  then ``ROLLBACK_IN_PROGRESS`` / ``ROLLBACK_COMPLETE``; DescribeStacks still answers.
"""
import json
import re

import botocore.exceptions
import pytest

WAIT = {"Delay": 1, "MaxAttempts": 60}
REGION = "us-west-2"
BUCKET = "emulator-nested-templates"


def _create(cfn, name, body, parameters=None, wait=True):
    cfn.create_stack(StackName=name, TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()])
    if wait:
        _settled(cfn, name)
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def _settled(cfn, name):
    import time
    for _ in range(120):
        status = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            return status
        time.sleep(0.25)
    raise AssertionError("stack %s still in progress" % name)


def _outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _failure(cfn, name):
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return [(e["LogicalResourceId"], e.get("ResourceStatusReason")) for e in events
            if e["ResourceStatus"] == "CREATE_FAILED"]


VPC = """
  VPC:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
"""


def test_get_azs_with_ref_region_and_empty_string_gives_the_stacks_zones(aws):
    body = "Resources:" + VPC + """
  One:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.0.0.0/24
      AvailabilityZone: {"Fn::Select": [0, {"Fn::GetAZs": {Ref: "AWS::Region"}}]}
  Two:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: !Select [1, !GetAZs ""]
Outputs:
  Zones:
    Value: !Join [",", !GetAZs {Ref: "AWS::Region"}]
"""
    for region in ("us-west-2", "eu-west-1"):
        cfn = aws.client("cloudformation", region)
        stack = _create(cfn, "azs", body)
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        zones = [z["ZoneName"] for z in aws.client("ec2", region).describe_availability_zones()["AvailabilityZones"]]
        assert _outputs(stack)["Zones"].split(",") == zones
        subnets = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                   for r in cfn.list_stack_resources(StackName="azs")["StackResourceSummaries"]
                   if r["ResourceType"] == "AWS::EC2::Subnet"}
        described = aws.client("ec2", region).describe_subnets(SubnetIds=[subnets["One"], subnets["Two"]])["Subnets"]
        assert {s["SubnetId"]: s["AvailabilityZone"] for s in described} == {
            subnets["One"]: zones[0], subnets["Two"]: zones[1]}


def test_security_group_rule_with_ip_protocol_minus_one_needs_no_ports(aws):
    cfn = aws.client("cloudformation", REGION)
    body = "Resources:" + VPC + """
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: everything from the VPC
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {CidrIp: 10.0.0.0/16, IpProtocol: -1}
        - {CidrIp: 0.0.0.0/0, IpProtocol: tcp, FromPort: 80, ToPort: 80}
Outputs:
  Group:
    Value: !Ref Group
"""
    stack = _create(cfn, "sg", body)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    group = aws.client("ec2", REGION).describe_security_groups(GroupIds=[_outputs(stack)["Group"]])["SecurityGroups"][0]
    rules = {(p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), p["IpRanges"][0]["CidrIp"])
             for p in group["IpPermissions"]}
    assert ("-1", None, None, "10.0.0.0/16") in rules
    assert ("tcp", 80, 80, "0.0.0.0/0") in rules


def test_security_group_rule_for_tcp_without_ports_fails_the_stack(aws):
    cfn = aws.client("cloudformation", REGION)
    body = "Resources:" + VPC + """
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: tcp without ports
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {CidrIp: 10.0.0.0/16, IpProtocol: tcp}
"""
    stack = _create(cfn, "sg-bad", body)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    [(logical_id, reason)] = _failure(cfn, "sg-bad")
    assert logical_id == "Group"
    assert "from and to ports" in reason


ROLE = """
  {name}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
{statement}
"""
AS_LIST = """          - Effect: Allow
            Principal:
              Service: [codebuild.amazonaws.com, codepipeline.amazonaws.com]
            Action: [sts:AssumeRole]"""
AS_ONE = """          Effect: Allow
          Principal:
            Service: codepipeline.amazonaws.com
          Action: sts:AssumeRole"""
NOT_TRUSTED = """          - Effect: Allow
            Principal:
              Service: [codebuild.amazonaws.com]
            Action: sts:AssumeRole"""


def _pipeline(role_logical_id, name, version):
    return """
  {name}:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Name: {name}
      RoleArn: !GetAtt {role}.Arn
      ArtifactStore: {{Type: S3, Location: !Ref Bucket}}
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {{Category: Source, Owner: AWS, Provider: CodeCommit, Version: "1"}}
              OutputArtifacts: [{{Name: SourceArtifact}}]
              Configuration: {{RepositoryName: repo, BranchName: master, PollForSourceChanges: false}}
              RunOrder: 1
        - Name: Build
          Actions:
            - Name: CodeBuild
              ActionTypeId: {{Category: Build, Owner: AWS, Provider: CodeBuild, Version: {version}}}
              InputArtifacts: [{{Name: SourceArtifact}}]
              Configuration: {{ProjectName: project}}
              RunOrder: "1"
""".format(name=name, role=role_logical_id, version=version)


def test_trust_policy_with_a_service_list_or_a_single_statement_lets_codepipeline_assume_the_role(aws):
    cfn = aws.client("cloudformation", REGION)
    body = ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
            + ROLE.format(name="ListRole", statement=AS_LIST) + ROLE.format(name="OneRole", statement=AS_ONE)
            + _pipeline("ListRole", "ListPipeline", 1) + _pipeline("OneRole", "OnePipeline", 1))
    stack = _create(cfn, "trust", body)
    assert stack["StackStatus"] == "CREATE_COMPLETE", _failure(cfn, "trust")
    names = {p["name"] for p in aws.client("codepipeline", REGION).list_pipelines()["pipelines"]}
    assert {"ListPipeline", "OnePipeline"} <= names
    # the unquoted YAML date stays the text CloudFormation read
    iam = aws.client("iam", REGION)
    role_name = [r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName="trust")["StackResourceSummaries"]
                 if r["LogicalResourceId"] == "ListRole"][0]
    document = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    assert document["Version"] == "2012-10-17"


def test_trust_policy_without_codepipeline_is_refused(aws):
    cfn = aws.client("cloudformation", REGION)
    body = ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
            + ROLE.format(name="BuildRole", statement=NOT_TRUSTED) + _pipeline("BuildRole", "Refused", 1))
    assert _create(cfn, "untrusted", body)["StackStatus"] == "ROLLBACK_COMPLETE"
    [(logical_id, reason)] = _failure(cfn, "untrusted")
    assert logical_id == "Refused" and "not authorized to perform AssumeRole" in reason


def test_get_pipeline_answers_the_api_types_and_update_pipeline_takes_it_back(aws):
    cfn = aws.client("cloudformation", REGION)
    body = ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
            + ROLE.format(name="Role", statement=AS_LIST) + _pipeline("Role", "Typed", 1))
    assert _create(cfn, "typed", body)["StackStatus"] == "CREATE_COMPLETE", _failure(cfn, "typed")
    codepipeline = aws.client("codepipeline", REGION)
    pipeline = codepipeline.get_pipeline(name="Typed")["pipeline"]
    source, build = (stage["actions"][0] for stage in pipeline["stages"])
    assert build["actionTypeId"]["version"] == "1" and source["actionTypeId"]["version"] == "1"
    assert build["runOrder"] == 1 and source["runOrder"] == 1
    assert source["configuration"]["PollForSourceChanges"] == "false"
    assert isinstance(pipeline["version"], int)
    # the collection's read-modify-write: botocore validates the declaration it sends
    pipeline["stages"][1]["actions"][0]["configuration"]["ProjectName"] = "other"
    updated = codepipeline.update_pipeline(pipeline=pipeline)["pipeline"]
    assert updated["version"] == pipeline["version"] + 1


NESTED = """
Parameters:
  Prefix: {Type: String}
Resources:
  Repo:
    Type: AWS::CodeCommit::Repository
    Properties:
      RepositoryName: !Sub "${Prefix}-${AWS::StackName}"
Outputs:
  RepoName:
    Value: !GetAtt Repo.Name
  Literal:
    Value: !Sub "${!NotAVariable}-${AWS::Region}"
"""


def _parent(url, output="RepoName"):
    return """
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: %s
      Parameters:
        Prefix: core-service
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/mysfits/${Child.Outputs.%s}"
Outputs:
  FromChild:
    Value: !GetAtt Child.Outputs.%s
  FromChildLongForm:
    Value: {"Fn::GetAtt": [Child, Outputs.Literal]}
  InSub:
    Value: !Sub "arn:aws:codecommit:${AWS::Region}:${AWS::AccountId}:${Child.Outputs.%s}"
  ChildRef:
    Value: !Ref Child
""" % (url, output, output, output)


def _upload(aws, key, body):
    s3 = aws.client("s3", REGION)
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode())
    return "https://%s.s3.%s.amazonaws.com/%s" % (BUCKET, REGION, key)


def test_nested_stack_from_s3_with_outputs_through_get_att_and_sub(aws):
    aws.control.set_timing(stack_create_seconds=1.5)
    cfn = aws.client("cloudformation", REGION)
    url = _upload(aws, "nested.yml", NESTED)
    _create(cfn, "mm-parent", _parent(url), wait=False)
    resources = cfn.list_stack_resources(StackName="mm-parent")["StackResourceSummaries"]
    nested_id = [r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "Child"][0]
    nested = cfn.describe_stacks(StackName=nested_id)["Stacks"][0]
    assert re.fullmatch(r"mm-parent-Child-[A-Z0-9]{13}", nested["StackName"])
    assert nested["StackId"] == nested_id  # the nested stack's physical id is its stack id (ARN)
    parent_id = cfn.describe_stacks(StackName="mm-parent")["Stacks"][0]["StackId"]
    assert (nested["ParentId"], nested["RootId"]) == (parent_id, parent_id)
    assert nested["StackStatus"] == "CREATE_IN_PROGRESS"  # as long as its parent
    assert _settled(cfn, "mm-parent") == "CREATE_COMPLETE"
    assert cfn.describe_stacks(StackName=nested_id)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"

    repository = "core-service-" + nested["StackName"]
    outputs = _outputs(cfn.describe_stacks(StackName="mm-parent")["Stacks"][0])
    assert outputs == {
        "FromChild": repository,
        "FromChildLongForm": "${NotAVariable}-%s" % REGION,
        "InSub": "arn:aws:codecommit:%s:123456789012:%s" % (REGION, repository),
        "ChildRef": nested_id,
    }
    aws.client("codecommit", REGION).get_repository(repositoryName=repository)
    groups = aws.client("logs", REGION).describe_log_groups(logGroupNamePrefix="/mysfits/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/mysfits/" + repository]


def test_nested_stack_unknown_output_or_missing_template_fails_the_parent(aws):
    cfn = aws.client("cloudformation", REGION)
    url = _upload(aws, "nested.yml", NESTED)
    assert _create(cfn, "bad-output", _parent(url, output="NoSuchOutput"))["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("NoSuchOutput" in (reason or "") for _, reason in _failure(cfn, "bad-output"))
    missing = "https://%s.s3.%s.amazonaws.com/missing.yml" % (BUCKET, REGION)
    assert _create(cfn, "bad-url", _parent(missing))["StackStatus"] == "ROLLBACK_COMPLETE"
    [(logical_id, reason)] = _failure(cfn, "bad-url")
    assert logical_id == "Child" and "TemplateURL" in reason
    # no nested stack is left behind
    live = [s["StackName"] for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    assert sorted(live) == ["bad-output", "bad-url"]


ECR_NAME = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")


def test_generated_names_are_valid_for_ecr_and_iam(aws):
    cfn = aws.client("cloudformation", REGION)
    body = """
Resources:
  MythicalServiceRepo:
    Type: AWS::ECR::Repository
  Xray:
    Type: AWS::ECR::Repository
  MythicalMysfitsServiceCodePipelineServiceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: [codepipeline.amazonaws.com]}, Action: sts:AssumeRole}]
Outputs:
  Repo:
    Value: !Ref MythicalServiceRepo
  Xray:
    Value: !Ref Xray
  Role:
    Value: !Ref MythicalMysfitsServiceCodePipelineServiceRole
"""
    stack_name = "mm-multi-region-MythicalCiCdStack-ABCDEFGHIJKLM"
    outputs = _outputs(_create(cfn, stack_name, body))
    assert re.fullmatch(r"mm-multi-region-mythicalcicdstack-abcdefghijklm-mythicalservicerepo-[a-z0-9]{12}",
                        outputs["Repo"])
    assert re.fullmatch(r"mm-multi-region-mythicalcicdstack-abcdefghijklm-xray-[a-z0-9]{12}", outputs["Xray"])
    assert ECR_NAME.fullmatch(outputs["Repo"]) and ECR_NAME.fullmatch(outputs["Xray"])
    names = {r["repositoryName"] for r in aws.client("ecr", REGION).describe_repositories()["repositories"]}
    assert {outputs["Repo"], outputs["Xray"]} <= names
    assert len(outputs["Role"]) <= 64 and outputs["Role"].startswith("mm-multi-region-MythicalCiCdStack-")
    aws.client("iam", REGION).get_role(RoleName=outputs["Role"])


def test_outputs_with_a_false_condition_are_neither_evaluated_nor_exported(aws):
    cfn = aws.client("cloudformation", REGION)
    body = """
Parameters:
  IsDrRegion: {Type: String, Default: "false", AllowedValues: ["true", "false"]}
Conditions:
  NotDrRegion: !Equals [!Ref IsDrRegion, "false"]
Resources:
  Repo:
    Type: AWS::ECR::Repository
  Only:
    Type: AWS::Logs::LogGroup
    Condition: NotDrRegion
Outputs:
  Always:
    Value: !Ref Repo
    Export: {Name: !Sub "${AWS::StackName}:Always"}
  PrimaryOnly:
    Condition: NotDrRegion
    Value: !GetAtt Only.Arn
    Export: {Name: !Sub "${AWS::StackName}:PrimaryOnly"}
  SameValue:
    Value: !Ref Repo
"""
    secondary = _create(cfn, "dr", body, {"IsDrRegion": "true"})
    assert secondary["StackStatus"] == "CREATE_COMPLETE", _failure(cfn, "dr")
    assert set(_outputs(secondary)) == {"Always", "SameValue"}
    primary = _create(cfn, "prod", body)
    assert set(_outputs(primary)) == {"Always", "PrimaryOnly", "SameValue"}
    exports = {e["Name"] for e in cfn.list_exports()["Exports"]}
    assert exports == {"dr:Always", "prod:Always", "prod:PrimaryOnly"}
    # an output's ExportName is its own Export, not another output's with the same value
    export_names = {o["OutputKey"]: o.get("ExportName") for o in primary["Outputs"]}
    assert export_names == {"Always": "prod:Always", "PrimaryOnly": "prod:PrimaryOnly", "SameValue": None}


@pytest.mark.parametrize("region", ["us-west-2"])
def test_a_resource_failing_during_create_rolls_the_stack_back(aws, region):
    cfn = aws.client("cloudformation", region)
    body = "Resources:" + VPC + """
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.0.0.0/24
      AvailabilityZone: mars-north-1a
"""
    stack = _create(cfn, "half-made", body)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    [(logical_id, reason)] = _failure(cfn, "half-made")
    assert logical_id == "Subnet" and "mars-north-1a" in reason
    assert aws.client("ec2", region).describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.0.0.0/16"]}])["Vpcs"] == []


def test_inline_role_policies_are_stored_as_json(aws):
    """IAM GetRolePolicy (API_GetRolePolicy.html): PolicyDocument is the (URL-encoded) JSON policy document."""
    cfn = aws.client("cloudformation", REGION)
    body = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: [s3:GetObject], Resource: "arn:aws:s3:::bucket/*"}]
Outputs:
  Role:
    Value: !Ref Role
"""
    role = _outputs(_create(cfn, "inline", body))["Role"]
    document = aws.client("iam", REGION).get_role_policy(RoleName=role, PolicyName="inline")["PolicyDocument"]
    assert document == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/*"}]}


def test_template_body_over_51200_characters_is_refused_and_s3_takes_it(aws):
    """CreateStack/UpdateStack/CreateChangeSet (API reference): TemplateBody "Maximum length of 51200";
    a larger template goes to S3 and is passed as TemplateURL (quotas: "Template size: 1 MB" in S3)."""
    cfn = aws.client("cloudformation", REGION)
    padding = "#" + "x" * 99 + "\n"
    small = "Resources:\n  Group:\n    Type: AWS::Logs::LogGroup\n"
    large = small + padding * (51200 // len(padding) + 1)
    assert len(large) > 51200
    for call in (lambda: cfn.create_stack(StackName="big", TemplateBody=large),
                 lambda: cfn.validate_template(TemplateBody=large),
                 lambda: cfn.create_change_set(StackName="big", ChangeSetName="c", ChangeSetType="CREATE",
                                               TemplateBody=large)):
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ValidationError"
        assert "51200" in raised.value.response["Error"]["Message"]
    assert [s["StackName"] for s in cfn.list_stacks()["StackSummaries"]] == []
    url = _upload(aws, "large.yml", large)
    cfn.create_stack(StackName="big", TemplateURL=url)
    assert _settled(cfn, "big") == "CREATE_COMPLETE"
    assert cfn.get_template(StackName="big")["TemplateBody"] == large
    changed = small + "    Properties: {RetentionInDays: 7}\n"
    exactly = changed + "#" * (51200 - len(changed) - 1) + "\n"
    assert len(exactly) == 51200
    cfn.update_stack(StackName="big", TemplateBody=exactly)
    assert _settled(cfn, "big") == "UPDATE_COMPLETE"
    huge = _upload(aws, "huge.yml", small + padding * (1024 * 1024 // len(padding) + 1))
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cfn.create_stack(StackName="huge", TemplateURL=huge)
    assert raised.value.response["Error"]["Code"] == "ValidationError"
