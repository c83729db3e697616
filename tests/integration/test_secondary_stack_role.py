"""The secondary_stack role against the emulator: the core stack in the secondary regions, the facts, failures."""
import json
import os
import tempfile

import yaml

from tests.integration.harness import REPO_ROOT, recap_changed, run_playbook, write_regions_inventory

PRIMARY = "us-west-2"
SECONDARY = "us-east-1"
TEMPLATE = os.path.join(REPO_ROOT, "roles", "secondary_stack", "files", "core.yml")
CAPABILITIES = ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


def create_primary_stack(aws, name="mm-primary-region"):
    cfn = aws.client("cloudformation", PRIMARY)
    with open(TEMPLATE) as handle:
        cfn.create_stack(StackName=name, TemplateBody=handle.read(), Capabilities=CAPABILITIES,
                         Parameters=[{"ParameterKey": "IsDrRegion", "ParameterValue": "false"}])
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return outputs(cfn.describe_stacks(StackName=name)["Stacks"][0])


def outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def stack(aws, region=SECONDARY, name="mm-secondary-region"):
    return aws.client("cloudformation", region).describe_stacks(StackName=name)["Stacks"][0]


class Regions:
    """A regions inventory (host name = region) and a playbook around the role, in a temp dir."""

    def __init__(self, secondaries=(SECONDARY,)):
        self.dir = tempfile.mkdtemp(prefix="secstack-")
        self.inventory = os.path.join(self.dir, "inventory.yml")
        write_regions_inventory(self.inventory, PRIMARY, secondaries)

    def playbook(self, tasks_from=("main",)):
        tasks = [{"name": "role %s" % entry, "ansible.builtin.include_role": {
            "name": "mysfits.multi_region.secondary_stack", "tasks_from": entry}} for entry in tasks_from]
        tasks.append({"name": "save the facts", "check_mode": False, "changed_when": False, "ansible.builtin.copy": {
            "content": "{{ {'mm_region': mm_region | default(None), 'mm_regions': mm_regions | default(None)}"
                       " | to_json }}",
            "dest": os.path.join(self.dir, "{{ inventory_hostname }}.json"), "mode": "0600"}})
        path = os.path.join(self.dir, "play-%s.yml" % "-".join(tasks_from))
        with open(path, "w") as handle:
            yaml.safe_dump([{"name": "regions", "hosts": "regions", "gather_facts": False, "tasks": tasks}], handle)
        return path

    def run(self, aws, extra_vars=None, check=False, tasks_from=("main",)):
        return run_playbook(self.playbook(tasks_from), aws.env(PRIMARY), inventory=self.inventory,
                            extra_vars=extra_vars, check=check)

    def facts(self, host):
        with open(os.path.join(self.dir, "%s.json" % host)) as handle:
            return json.load(handle)




def test_creates_the_stack_publishes_the_facts_and_a_rerun_makes_no_update_call(aws):
    primary = create_primary_stack(aws)
    regions = Regions()
    run = regions.run(aws, extra_vars={"secondary_stack_tags": {"project": "mysfits"}})
    assert run.rc == 0, run

    secondary = stack(aws)
    assert secondary["StackStatus"] == "CREATE_COMPLETE"
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in secondary["Parameters"]}
    assert parameters == {"IsDrRegion": "true", "DDBTableName": primary["DynamoTable"]}
    # (moto's DescribeStacks does not report Capabilities, so they are not checked here)
    assert secondary["Tags"] == [{"Key": "project", "Value": "mysfits"}]
    out = outputs(secondary)

    region = regions.facts(SECONDARY)["mm_region"]
    assert region["region"] == SECONDARY and region["role"] == "secondary"
    assert region["stack_name"] == "mm-secondary-region" and region["stack_status"] == "CREATE_COMPLETE"
    assert region["outputs"] == out
    assert region["account"] == out["CurrentAccount"]
    assert region["ecr"] == {"core": out["SecondaryMythicalServiceEcrRepo"], "like": out["SecondaryLikeServiceEcrRepo"],
                             "xray": out["SecondaryXrayEcrRepo"]}
    assert region["load_balancer_dns"] == out["SecondaryLoadBalancerDNS"]
    assert region["load_balancer_full_name"] == out["LoadBalancerFullName"]
    assert region["cluster"] == out["EcsClusterName"]
    assert region["target_groups"] == {"core": out["CoreTargetGroupArn"], "like": out["LikeTargetGroupArn"]}
    assert region["services"] == {"core": out["CoreServiceName"], "like": out["LikeServiceName"]}

    on_primary = regions.facts(PRIMARY)
    assert on_primary["mm_region"]["role"] == "primary"
    assert on_primary["mm_region"]["ecr"] == {"core": primary["MythicalServiceEcrRepo"],
                                              "like": primary["LikeServiceEcrRepo"], "xray": primary["XrayEcrRepo"]}
    assert on_primary["mm_region"]["load_balancer_dns"] == primary["LoadBalancerDNS"]
    assert on_primary["mm_regions"] == {PRIMARY: on_primary["mm_region"], SECONDARY: region}
    assert regions.facts(SECONDARY)["mm_regions"] is None

    since = aws.control.last_seq()
    again = regions.run(aws, extra_vars={"secondary_stack_tags": {"project": "mysfits"}})
    assert again.rc == 0, again
    assert aws.control.mutating_calls(since) == []
    assert recap_changed(again, SECONDARY) == 0 and recap_changed(again, PRIMARY) == 0
    assert regions.facts(SECONDARY)["mm_region"] == region


def test_a_changed_parameter_updates_the_stack(aws):
    create_primary_stack(aws)
    regions = Regions()
    assert regions.run(aws).rc == 0
    since = aws.control.last_seq()
    run = regions.run(aws, extra_vars={"secondary_stack_table_name": "Mysfits-Other"})
    assert run.rc == 0, run
    assert [c["operation"] for c in aws.control.mutating_calls(since)] == ["UpdateStack"]
    updated = stack(aws)
    assert updated["StackStatus"] == "UPDATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in updated["Parameters"]}["DDBTableName"] == "Mysfits-Other"
    assert regions.facts(SECONDARY)["mm_region"]["stack_status"] == "UPDATE_COMPLETE"


def test_check_mode_makes_no_mutating_call(aws):
    create_primary_stack(aws)
    regions = Regions()
    since = aws.control.last_seq()
    run = regions.run(aws, check=True)
    assert run.rc == 0, run
    assert aws.control.mutating_calls(since) == []
    assert "Would create the stack mm-secondary-region in us-east-1" in run.stdout
    assert recap_changed(run, SECONDARY) == 1


def test_rolled_back_stack_fails_with_the_reason_and_can_be_recreated_on_request(aws):
    create_primary_stack(aws)
    aws.control.post("cloudformation/fail-next", {"stack": "mm-secondary-region", "resource": "PublicLoadBalancer",
                                                  "reason": "You have reached your load balancer limit"})
    regions = Regions()
    first = regions.run(aws)
    assert first.rc != 0
    assert "ROLLBACK_COMPLETE" in first.stdout
    assert "PublicLoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer) CREATE_FAILED: You have reached your " \
           "load balancer limit" in " ".join(first.stdout.split())
    assert stack(aws)["StackStatus"] == "ROLLBACK_COMPLETE"

    since = aws.control.last_seq()
    second = regions.run(aws)
    assert second.rc != 0
    flat = " ".join(second.stdout.split())
    assert "You have reached your load balancer limit" in flat
    assert "secondary_stack_recreate_rolled_back=true" in flat and "delete-stack" in flat
    assert aws.control.mutating_calls(since) == []

    since = aws.control.last_seq()
    third = regions.run(aws, extra_vars={"secondary_stack_recreate_rolled_back": True})
    assert third.rc == 0, third
    operations = [c["operation"] for c in aws.control.mutating_calls(since)]
    assert operations == ["DeleteStack", "CreateStack"]
    assert stack(aws)["StackStatus"] == "CREATE_COMPLETE"


def test_start_returns_before_the_stack_is_complete_and_wait_finishes_it(aws):
    create_primary_stack(aws)
    aws.control.set_timing(stack_create_seconds=20)
    regions = Regions()
    started = regions.run(aws, tasks_from=("start",))
    assert started.rc == 0, started
    assert stack(aws)["StackStatus"] == "CREATE_IN_PROGRESS"
    assert regions.facts(SECONDARY)["mm_region"] is None

    waited = regions.run(aws, tasks_from=("wait",), extra_vars={"secondary_stack_poll_interval": 1})
    assert waited.rc == 0, waited
    assert stack(aws)["StackStatus"] == "CREATE_COMPLETE"
    assert regions.facts(SECONDARY)["mm_region"]["stack_status"] == "CREATE_COMPLETE"
    assert set(regions.facts(PRIMARY)["mm_regions"]) == {PRIMARY, SECONDARY}


def test_missing_primary_stack_is_a_clear_error(aws):
    regions = Regions()
    since = aws.control.last_seq()
    run = regions.run(aws)
    assert run.rc != 0
    flat = " ".join(run.stdout.split())
    assert "The primary stack 'mm-primary-region' in us-west-2 is not found" in flat
    assert aws.control.mutating_calls(since) == []


def test_service_role_is_passed_to_cloudformation(aws):
    create_primary_stack(aws)
    role = "arn:aws:iam::123456789012:role/mysfits-cfn-service-role"
    run = Regions().run(aws, extra_vars={"secondary_stack_role_arn": role})
    assert run.rc == 0, run
    assert stack(aws)["RoleARN"] == role


def test_the_secondary_stack_completes_before_any_pipeline_ran(aws):
    # The secondary region's repositories are empty until a pipeline pushes to them, and CloudFormation waits
    # for every ECS service to be steady (the emulator makes a service steady only when its images exist): the
    # template starts the services on a public placeholder image, as the workshop's template does.
    create_primary_stack(aws)
    regions = Regions()
    run = regions.run(aws)
    assert run.rc == 0, run
    secondary = stack(aws)
    assert secondary["StackStatus"] == "CREATE_COMPLETE"
    ecr = aws.client("ecr", SECONDARY)
    for repository in ecr.describe_repositories()["repositories"]:
        assert ecr.list_images(repositoryName=repository["repositoryName"])["imageIds"] == []  # nothing pushed
    assert aws.client("codebuild", PRIMARY).list_builds()["ids"] == []  # no build ran
    out = outputs(secondary)
    ecs = aws.client("ecs", SECONDARY)
    services = ecs.describe_services(cluster=out["EcsClusterName"],
                                     services=[out["CoreServiceName"], out["LikeServiceName"]])["services"]
    assert [(s["runningCount"], s["desiredCount"]) for s in services] == [(1, 1), (1, 1)]
    for service in services:
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert [c["image"] for c in definition["containerDefinitions"]] == ["docker.io/nginx:latest"]
# ------------------------------------------------------------------------------------------ the primary's template

def template_with(comment, pad=0):
    """The collection's template with a comment of its own (and ``pad`` bytes of comment lines)."""
    with open(TEMPLATE) as handle:
        body = handle.read()
    lines = "".join("# %s\n" % ("x" * 76) for _ in range(pad // 79 + 1)) if pad else ""
    return body + "\n# %s\n%s" % (comment, lines)


def create_stack_from(aws, region, name, body, dr):
    cfn = aws.client("cloudformation", region)
    template = {"TemplateBody": body}
    if len(body.encode("utf-8")) > 51200:
        # Over CloudFormation's TemplateBody limit: from S3, as a participant would have to.
        s3 = aws.client("s3", region)
        s3.create_bucket(Bucket="primary-templates", CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_object(Bucket="primary-templates", Key="core.yml", Body=body.encode("utf-8"))
        template = {"TemplateURL": "https://primary-templates.s3.%s.amazonaws.com/core.yml" % region}
    cfn.create_stack(StackName=name, Capabilities=CAPABILITIES,
                     Parameters=[{"ParameterKey": "IsDrRegion", "ParameterValue": "true" if dr else "false"}],
                     **template)
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def deployed_template(aws, region, name):
    return aws.client("cloudformation", region).get_template(StackName=name, TemplateStage="Original")["TemplateBody"]


def stack_calls(aws, since):
    return [c["operation"] for c in aws.control.calls(since) if c["service"] == "cloudformation"
            and c["operation"] in ("CreateStack", "UpdateStack", "DeleteStack")]


def test_the_secondary_stack_runs_the_template_the_primary_runs(aws):
    body = template_with("the primary's own copy of core.yml")
    create_stack_from(aws, PRIMARY, "mm-primary-region", body, dr=False)
    run = Regions().run(aws)
    assert run.rc == 0, run
    assert deployed_template(aws, SECONDARY, "mm-secondary-region") == body
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack(aws)["Parameters"]}
    assert parameters["IsDrRegion"] == "true"


def test_a_secondary_stack_made_by_the_lab_command_is_adopted_not_updated(aws):
    create_stack_from(aws, PRIMARY, "mm-primary-region", template_with("primary, updated since"), dr=False)
    # The participant ran the lab's own create-stack before, with an older copy of the template.
    older = template_with("the participant's older copy")
    create_stack_from(aws, SECONDARY, "mm-secondary-region", older, dr=True)
    since = aws.control.last_seq()
    regions = Regions()
    run = regions.run(aws)
    assert run.rc == 0, run
    assert stack_calls(aws, since) == []
    assert deployed_template(aws, SECONDARY, "mm-secondary-region") == older
    assert recap_changed(run, SECONDARY) == 0
    assert regions.facts(SECONDARY)["mm_region"]["stack_status"] == "CREATE_COMPLETE"


def test_a_template_named_explicitly_replaces_the_adopted_one(aws):
    create_stack_from(aws, PRIMARY, "mm-primary-region", template_with("primary"), dr=False)
    create_stack_from(aws, SECONDARY, "mm-secondary-region", template_with("older"), dr=True)
    run = Regions().run(aws, extra_vars={"secondary_stack_template": TEMPLATE})
    assert run.rc == 0, run
    with open(TEMPLATE) as handle:
        assert deployed_template(aws, SECONDARY, "mm-secondary-region") == handle.read()


def test_a_template_larger_than_the_template_body_limit_is_staged_in_s3(aws):
    body = template_with("large", pad=16000)
    assert len(body.encode("utf-8")) > 51200
    create_stack_from(aws, PRIMARY, "mm-primary-region", body, dr=False)
    regions = Regions()
    since = aws.control.last_seq()
    check = regions.run(aws, check=True)
    assert check.rc == 0, check
    assert aws.control.mutating_calls(since, plane=None) == []
    run = regions.run(aws)
    assert run.rc == 0, run
    account = regions.facts(PRIMARY)["mm_region"]["account"]
    bucket = "mm-templates-%s-%s" % (account, SECONDARY)
    s3 = aws.client("s3", SECONDARY)
    staged = s3.get_object(Bucket=bucket, Key="mm-secondary-region/template")["Body"].read().decode("utf-8")
    assert staged == body
    assert deployed_template(aws, SECONDARY, "mm-secondary-region") == body
    blocked = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(blocked.values())
    # A second run changes nothing (the stack is adopted, the object is not rewritten).
    since = aws.control.last_seq()
    again = regions.run(aws)
    assert again.rc == 0, again
    assert recap_changed(again, SECONDARY) == 0
    assert aws.control.mutating_calls(since) == []

    # Teardown's step (tasks/unstage.yml): the staged template and the bucket the role made go; a second
    # run changes nothing.
    gone = regions.run(aws, tasks_from=("wait", "unstage"))
    assert gone.rc == 0, gone
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    again = regions.run(aws, tasks_from=("wait", "unstage"))
    assert again.rc == 0 and recap_changed(again, SECONDARY) == 0, again


def test_teardown_keeps_a_bucket_the_user_named_but_takes_the_staged_template(aws):
    body = template_with("large", pad=16000)
    create_stack_from(aws, PRIMARY, "mm-primary-region", body, dr=False)
    s3 = aws.client("s3", SECONDARY)
    s3.create_bucket(Bucket="team-templates")  # us-east-1 takes no LocationConstraint
    s3.put_object(Bucket="team-templates", Key="other/template", Body=b"theirs")
    regions = Regions()
    named = {"secondary_stack_template_bucket": "team-templates"}
    run = regions.run(aws, extra_vars=named)
    assert run.rc == 0, run
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="team-templates")["Contents"])
    assert keys == ["mm-secondary-region/template", "other/template"]
    gone = regions.run(aws, tasks_from=("wait", "unstage"), extra_vars=named)
    assert gone.rc == 0, gone
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="team-templates")["Contents"]] == ["other/template"]
