#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: application_info
short_description: Discover the Mythical Mysfits application's names from its primary stack
version_added: 0.1.0
description:
  - The one place that finds the names the collection works with, from nothing but the primary stack's
    name and the regions. Read-only.
  - "The table: the primary stack's output C(DynamoTable). The pipelines: the C(AWS::CodePipeline::Pipeline)
    resources of the primary stack and of its nested stacks (the workshop's pipelines belong to the nested
    stack C(MythicalCiCdStack)); a service's pipeline is the one whose CodeCommit Source action reads the
    service's repository (the output C(repository_output) of O(services)), else the one whose logical id or name
    contains the service's C(title) of O(services)."
  - "From each pipeline: the repository and branch (its CodeCommit Source action), the primary cluster and ECS
    service (its Amazon ECS Deploy action; the workshop's primary services are made outside CloudFormation).
    From each primary ECS service (C(DescribeServices)): the container and the target group of its load balancer."
  - "In every region: the ECR repositories (outputs C(primary_ecr_output) of O(services) /
    C(secondary_ecr_output) of O(services), C(XrayEcrRepo) / C(SecondaryXrayEcrRepo)), the load balancer's full
    name (the stack's C(AWS::ElasticLoadBalancingV2::LoadBalancer) resource), the target groups (output
    C(target_group_output) of O(services), else the ECS service's load balancer). In a secondary region the ECS
    services are the secondary stack's C(AWS::ECS::Service) resources (C(secondary_service_resource) of O(services),
    else the one whose logical id contains the title)."
  - Every key of O(services) that is set wins over what would be discovered.
  - A secondary stack that does not exist is listed in RV(absent); with O(plan_missing=true) its facts are
    planned from the primary's template (names the template fixes, the others marked as generated).
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  primary_stack_name:
    description: The stack Labs 0-2 created in the primary region (O(region)).
    type: str
    required: true
  secondary_regions:
    description: The secondary regions.
    type: list
    elements: str
    default: []
  secondary_stack_name:
    description: The name of the core stack in every secondary region.
    type: str
    default: mm-secondary-region
  services:
    description:
      - The services (C(mm_services)), each a dict with at least C(name). Not given, the workshop's two
        services C(core) and C(like).
      - "Keys: C(name); C(title) (default C(Core)/C(Like), else the name capitalised; used to tell the
        services' resources apart); C(pipeline), C(repository), C(branch), C(container), C(primary_cluster),
        C(primary_service) (discovered when not set); C(primary_ecr_output), C(secondary_ecr_output), C(repository_output),
        C(target_group_output) (output names; defaults for core and like are the workshop's);
        C(service_output) (an output naming the ECS service in every region; no default);
        C(secondary_service_resource) (logical id of the secondary stack's ECS service)."
    type: list
    elements: raw
  table_name:
    description: The application's table; empty, the primary stack's output C(DynamoTable), else C(MythicalMysfits-DDBTable).
    type: str
    default: ""
  plan_missing:
    description: Plan the facts of a secondary stack that does not exist from the primary's template (for check mode).
    type: bool
    default: false
  template:
    description:
      - Also return the template the primary stack runs (C(GetTemplate), original stage) and its parameters, and
        the template each existing secondary stack runs (RV(secondary_templates)).
    type: bool
    default: false
  template_on_demand:
    description:
      - With O(template=true), read the primary stack's template only when a secondary stack needs it (one is
        absent or C(ROLLBACK_COMPLETE)); RV(primary_template) then has C(parameters) only. A re-run on regions
        that are all set up reads no primary template.
    type: bool
    default: false
  enabled_regions:
    description:
      - Also read the regions the account can use (C(ec2:DescribeRegions) in O(region)), first, so that
        credentials that do not work fail the module before any other read, with a message saying what to fix.
      - O(region) or one of O(secondary_regions) that is not such a region fails the module, naming it, before any
        other read.
    type: bool
    default: false
  table:
    description: Also read the table (C(DescribeTable) in O(region)) into RV(table).
    type: bool
    default: false
  table_check:
    description:
      - "With O(table=true), also check the table as M(mysfits.multi_region.ddb_global_replica) would before adding
        replicas in O(secondary_regions) (O(mysfits.multi_region.ddb_global_replica#module:state=present)): the same
        reads beyond C(DescribeTable) (C(DescribeGlobalTable) for a table that is not a version 2019.11.21 global
        table, the write auto scaling of a provisioned table that gets a replica, the table's KMS key when a replica
        is to be created) and the same plan, returned in RV(table_check). A refusal is returned there as data; it
        does not fail this module."
      - A re-run on a table that has every replica already makes no read beyond C(DescribeTable).
    type: bool
    default: false
  service_file:
    description:
      - A file to read (C(codecommit:GetFile)) in every service's repository, on its branch, for example
        C(buildspec_prod.yml); returned in RV(service_files).
    type: str
  pipeline_records:
    description:
      - Also read, in one call for every pipeline of the primary region (the Resource Groups Tagging API's
        C(GetResources)), the tag C(mysfits.multi_region/artifact-stores) in which
        M(mysfits.multi_region.codepipeline_stage) records what it added; returned in RV(pipeline_records).
    type: bool
    default: false
  dashboard_name:
    description:
      - A dashboard to look for in the primary region (C(ListDashboards)). Not there, the module fails listing the
        dashboards there are, unless O(dashboard_create=true).
    type: str
  dashboard_create:
    description: A missing O(dashboard_name) is not an error (the dashboard role will create it).
    type: bool
    default: false
  dashboard_discover:
    description:
      - Without O(dashboard_name), find the dashboard to extend in the primary region - the one whose metric rows
        draw the application (a dimension value that is the primary's load balancer full name, the table, the
        ECS cluster or one of its ECS services), leaving out the backups M(mysfits.multi_region.cloudwatch_dashboard)
        wrote (C(<name>-backup), C(<name>-backup-<time>)). None or several found is an error listing them.
      - Reads every dashboard of the primary region (C(ListDashboards), one C(GetDashboard) each).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Needs C(cloudformation:DescribeStacks), C(cloudformation:ListStackResources), C(cloudformation:GetTemplate)
    (O(template) or O(plan_missing)), C(codepipeline:GetPipeline), C(ecs:DescribeServices),
    C(cloudwatch:ListDashboards) and C(cloudwatch:GetDashboard) (O(dashboard_name), O(dashboard_discover)),
    C(ec2:DescribeRegions) (O(enabled_regions)), C(dynamodb:DescribeTable) (O(table)), C(codecommit:GetFile)
    (O(service_file)) and C(tag:GetResources) (O(pipeline_records)); with O(table_check), those of
    M(mysfits.multi_region.ddb_global_replica) in check mode.
  - "What the roles of the collection do with these reads: they plan from them (the same functions the modules
    plan with) and run a module only where its plan has something to change; the module then reads again before
    it changes anything. A re-run that finds every region set up makes this module's reads and no other."
  - Supports check mode (it only reads).
seealso:
  - name: docs/design.md
    description: The facts and the discovery rules.
    link: https://github.com/mysfits/multi_region/blob/main/docs/design.md
"""

EXAMPLES = r"""
- name: Discover the application and every region's facts
  mysfits.multi_region.application_info:
    region: us-west-2
    primary_stack_name: mm-multi-region
    secondary_regions: [us-east-1]
  register: app

- name: A service named differently, with its own pipeline
  mysfits.multi_region.application_info:
    region: us-west-2
    primary_stack_name: my-stack
    services:
      - name: mythical
        title: Core
        pipeline: my-core-pipeline
      - name: like
"""

RETURN = r"""
services:
  description:
    - The services with everything discovered filled in (the shape of C(mm_services)), plus C(primary_cluster)
      and C(primary_service).
  returned: always
  type: list
  elements: dict
table_name:
  description: The application's table.
  returned: always
  type: str
regions:
  description: Region to its C(mm_region) fact (docs/design.md), the primary included; planned ones have C(stack_status=PLANNED).
  returned: always
  type: dict
unavailable:
  description:
    - Secondary regions that did not answer a read (access denied, an error after botocore's retries), each with
      the error. They have no facts in RV(regions); the other regions are read as usual.
  returned: always
  type: dict
absent:
  description: Secondary regions where the secondary stack does not exist.
  returned: always
  type: list
  elements: str
primary_stack:
  description: The primary stack as C(DescribeStacks) returns it.
  returned: always
  type: dict
primary_template:
  description:
    - The primary stack's template (C(body), text), its C(parameters) and C(size) in bytes (UTF-8).
    - With O(template_on_demand=true) and no secondary stack that needs it, C(parameters) only.
  returned: when O(template=true)
  type: dict
secondary_templates:
  description: Region to the template (text) its existing secondary stack runs.
  returned: when O(template=true)
  type: dict
secondary_stacks:
  description: Region to its existing secondary stack as C(DescribeStacks) returns it.
  returned: always
  type: dict
enabled_regions:
  description: The regions the account can use (C(DescribeRegions)).
  returned: when O(enabled_regions=true)
  type: list
  elements: str
table:
  description: The table as C(DescribeTable) returns it (C(Table)); null when there is no such table.
  returned: when O(table=true)
  type: dict
table_check:
  description:
    - What M(mysfits.multi_region.ddb_global_replica) returns in check mode for the table and O(secondary_regions)
      (C(changed), C(operations), C(pending_operations), C(replicas), C(table_status) and the rest of its return
      values), or, when it would refuse, C(msg) (the module's message, what to fix) with C(table_status) (null when
      the table does not exist) and C(problems) when the plan listed them; no C(operations) then.
  returned: when O(table=true) and O(table_check=true)
  type: dict
service_files:
  description:
    - Service name to the file O(service_file) in its repository and branch - C(repository), C(branch), C(path),
      C(content) (text; null when the file is absent or not UTF-8), C(exists), C(commit_id), C(blob_id).
    - A service without a repository, or whose file could not be read (the error is in C(error)), has
      C(content=null) and C(exists=null).
  returned: when O(service_file) is given
  type: dict
pipeline_records:
  description:
    - Pipeline name to the value of its tag C(mysfits.multi_region/artifact-stores), for the pipelines that have it.
    - Null when C(GetResources) was refused (a warning says so); the tags are then unknown, not absent.
  returned: when O(pipeline_records=true)
  type: dict
dashboard_body:
  description: The body (JSON text) of RV(dashboard_name) as C(GetDashboard) returned it; null when it does not exist.
  returned: when O(dashboard_name) is given or O(dashboard_discover=true)
  type: str
dashboards:
  description: The dashboards in the primary region.
  returned: when O(dashboard_name) is given or O(dashboard_discover=true)
  type: list
  elements: str
pipelines:
  description:
    - Pipeline name to its declaration (C(GetPipeline)'s C(pipeline)) for the services' pipelines, as read during
      the discovery.
  returned: success
  type: dict
dashboard_name:
  description: The dashboard to extend, as given (O(dashboard_name)) or found (O(dashboard_discover)).
  returned: when O(dashboard_name) is given or O(dashboard_discover=true)
  type: str
  sample: ReInvent-App-Dashboard
"""

try:
    import botocore.exceptions

    AWS_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)
except ImportError:
    AWS_ERRORS = ()  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_message
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils import ddb_replica_api
from ansible_collections.mysfits.multi_region.plugins.module_utils import discovery as d
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import RECORD_TAG


class Reader:
    """The AWS reads of one run, one client per service and region."""

    def __init__(self, module):
        self.module = module
        self.clients = {}
        # The secondary region being read: an AWS error there raises RegionUnavailable (the region is reported
        # in RV(unavailable)) instead of failing the module, so one region that does not answer stops no other.
        self.soft_region = None
        self.bodies = {}

    def fail(self, region, error, msg):
        if region is not None and region == self.soft_region:
            raise RegionUnavailable("%s: %s" % (msg, error))
        self.module.fail_json_aws(error, msg=msg)

    def client(self, service, region):
        key = (service, region)
        if key not in self.clients:
            self.clients[key] = aws_client(self.module, service, region=region)
        return self.clients[key]

    def stack(self, region, name):
        try:
            return self.client("cloudformation", region).describe_stacks(StackName=name, aws_retry=True)["Stacks"][0]
        except is_boto3_error_message("does not exist"):
            return None
        except AWS_ERRORS as e:  # pylint: disable=duplicate-except
            self.fail(region, e, "Could not read the stack %s in %s" % (name, region))

    def resources(self, region, stack_id, depth=0):
        """ListStackResources of a stack and (two levels deep) of its nested stacks."""
        try:
            pages = self.client("cloudformation", region).get_paginator("list_stack_resources")
            found = pages.paginate(StackName=stack_id).build_full_result()["StackResourceSummaries"]
        except AWS_ERRORS as e:
            self.fail(region, e, "Could not list the resources of the stack %s in %s" % (stack_id, region))
        if depth < 2:
            for nested in d.nested_stack_ids(found):
                found = found + self.resources(region, nested, depth + 1)
        return found

    def template(self, region, name):
        try:
            return self.client("cloudformation", region).get_template(
                StackName=name, TemplateStage="Original", aws_retry=True)["TemplateBody"]
        except AWS_ERRORS as e:
            self.fail(region, e, "Could not read the template of the stack %s in %s" % (name, region))

    def pipeline(self, region, name):
        try:
            return self.client("codepipeline", region).get_pipeline(name=name, aws_retry=True)["pipeline"]
        except is_boto3_error_code("PipelineNotFoundException"):
            return None
        except AWS_ERRORS as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not read the pipeline %s in %s" % (name, region))

    def ecs_services(self, region, cluster, names):
        names = [n for n in names if n]
        if not cluster or not names:
            return {}
        described = []
        try:
            for start in range(0, len(names), 10):  # DescribeServices takes up to 10 services
                described += self.client("ecs", region).describe_services(
                    cluster=cluster, services=names[start:start + 10], aws_retry=True).get("services", [])
        except is_boto3_error_code("ClusterNotFoundException"):
            return {}
        except AWS_ERRORS as e:  # pylint: disable=duplicate-except
            self.fail(region, e, "Could not read the ECS services %s in %s" % (", ".join(names), region))
        return d.ecs_service_details(described)

    def dashboards(self, region):
        try:
            pages = self.client("cloudwatch", region).get_paginator("list_dashboards")
            entries = pages.paginate().build_full_result().get("DashboardEntries", [])
        except AWS_ERRORS as e:
            self.module.fail_json_aws(e, msg="Could not list the dashboards in %s" % region)
        return [entry["DashboardName"] for entry in entries]

    def dashboard_body(self, region, name):
        if (region, name) in self.bodies:
            return self.bodies[(region, name)]
        try:
            body = self.client("cloudwatch", region).get_dashboard(DashboardName=name, aws_retry=True)["DashboardBody"]
        except is_boto3_error_code("ResourceNotFound"):  # deleted between the list and the read
            body = None
        except AWS_ERRORS as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not read the dashboard %s in %s" % (name, region))
        self.bodies[(region, name)] = body
        return body

    def enabled_regions(self, region):
        try:
            answer = self.client("ec2", region).describe_regions(aws_retry=True)
        except AWS_ERRORS as e:
            self.module.fail_json_aws(
                e, msg="The AWS credentials do not work in %s, or they lack permissions: ec2 describe-regions failed. "
                       "Credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
                       "AWS_SESSION_TOKEN for temporary credentials), or run where an instance role applies. "
                       "Permissions: the identity needs the actions of the collection's docs/iam-policy.json, "
                       "ec2:DescribeRegions among them" % region)
        return sorted(r["RegionName"] for r in answer.get("Regions", []))

    def table(self, region, name):
        try:
            return self.client("dynamodb", region).describe_table(TableName=name, aws_retry=True)["Table"]
        except is_boto3_error_code("ResourceNotFoundException"):
            return None
        except AWS_ERRORS as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not read the table %s in %s" % (name, region))

    def service_file(self, region, repository, branch, path):
        found = {"repository": repository, "branch": branch, "path": path, "content": None, "exists": None,
                 "commit_id": None, "blob_id": None}
        if not repository:
            return found
        try:
            answer = self.client("codecommit", region).get_file(
                repositoryName=repository, commitSpecifier=branch, filePath=path, aws_retry=True)
        except is_boto3_error_code("FileDoesNotExistException"):
            found["exists"] = False
            return found
        except AWS_ERRORS as e:  # pylint: disable=duplicate-except
            # the role that writes the file reads it again itself, and reports its own error
            found["error"] = str(e)
            return found
        found.update(exists=True, commit_id=answer.get("commitId"), blob_id=answer.get("blobId"))
        try:
            found["content"] = answer["fileContent"].decode("utf-8")
        except UnicodeDecodeError:
            pass
        return found

    def pipeline_tags(self, region, key):
        try:
            pages = self.client("resourcegroupstaggingapi", region).get_paginator("get_resources")
            mappings = pages.paginate(ResourceTypeFilters=["codepipeline:pipeline"],
                                      TagFilters=[{"Key": key}]).build_full_result().get("ResourceTagMappingList", [])
        except AWS_ERRORS as e:
            self.module.warn("Could not read the tag %s of the pipelines in %s (tag:GetResources): %s. The roles "
                             "read it pipeline by pipeline instead." % (key, region, e))
            return None
        found = {}
        for mapping in mappings:
            name = mapping.get("ResourceARN", "").split(":", 5)[-1]
            for tag in mapping.get("Tags", []):
                if tag.get("Key") == key:
                    found[name] = tag.get("Value")
        return found


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            primary_stack_name=dict(type="str", required=True),
            secondary_regions=dict(type="list", elements="str", default=[]),
            secondary_stack_name=dict(type="str", default="mm-secondary-region"),
            services=dict(type="list", elements="raw"),
            table_name=dict(type="str", default=""),
            plan_missing=dict(type="bool", default=False),
            template=dict(type="bool", default=False),
            dashboard_name=dict(type="str"),
            dashboard_create=dict(type="bool", default=False),
            dashboard_discover=dict(type="bool", default=False),
            template_on_demand=dict(type="bool", default=False),
            enabled_regions=dict(type="bool", default=False),
            table=dict(type="bool", default=False),
            table_check=dict(type="bool", default=False),
            service_file=dict(type="str"),
            pipeline_records=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    primary = module.region
    reader = Reader(module)
    result = {"changed": False, "absent": [], "secondary_stacks": {}}
    try:
        services = d.merge_services(params["services"])
    except d.DiscoveryError as e:
        module.fail_json(msg=str(e), **result)
    if params["enabled_regions"]:
        # first: credentials that do not work fail here, with the message that says what to fix
        result["enabled_regions"] = reader.enabled_regions(primary)
        unknown = [r for r in [primary] + params["secondary_regions"] if r not in result["enabled_regions"]]
        if unknown:
            module.fail_json(msg="Not a region enabled for this account (ec2 describe-regions): %s. Fix the host name "
                                 "in the inventory, or enable the opt-in region for the account first."
                                 % ", ".join(unknown), **result)

    stack = reader.stack(primary, params["primary_stack_name"])
    if stack is None:
        module.fail_json(msg="The primary stack '%s' in %s is not found. Set mm_primary_stack_name to the stack Labs "
                             "0-2 created (Lab 0 names it mm-multi-region)." % (params["primary_stack_name"], primary),
                         **result)
    result["primary_stack"] = stack
    outputs = d.outputs_of(stack)
    result["table_name"] = d.table_name(params["table_name"], outputs)
    if params["table"]:
        result["table"] = reader.table(primary, result["table_name"])
        if params["table_check"]:
            reads = ddb_replica_api.TableReads(reader.client, primary, result["table_name"], module.warn)
            result["table_check"] = ddb_replica_api.check_result(reads, result["table"], params["secondary_regions"])

    if params["dashboard_name"]:
        result["dashboards"] = reader.dashboards(primary)
        problem = d.dashboard_problem(params["dashboard_name"], result["dashboards"], params["dashboard_create"])
        if problem:
            module.fail_json(msg=problem, **result)
        result["dashboard_name"] = params["dashboard_name"]

    resources = reader.resources(primary, stack["StackId"])
    candidates = d.pipeline_candidates(resources)
    declarations = {}
    for name in [c["name"] for c in candidates] + [s["pipeline"] for s in services if s.get("pipeline")]:
        if name not in declarations:
            declaration = reader.pipeline(primary, name)
            if declaration is not None:
                declarations[name] = declaration
    try:
        services = d.resolve_services(services, outputs, candidates, declarations)
    except d.DiscoveryError as e:
        module.fail_json(msg=str(e), **result)

    cluster = next((s["primary_cluster"] for s in services if s.get("primary_cluster")), None) \
        or outputs.get(d.CLUSTER_OUTPUT)
    primary_names = dict((s["name"], s["primary_service"]) for s in services)
    details = reader.ecs_services(primary, cluster, list(primary_names.values()))
    try:
        services = d.containers(services, details, primary_names)
    except d.DiscoveryError as e:
        module.fail_json(msg=str(e), **result)
    result["services"] = services
    # The declarations read above (GetPipeline's pipeline), for the roles that follow in the same run.
    result["pipelines"] = dict((s["pipeline"], declarations[s["pipeline"]]) for s in services
                               if s.get("pipeline") in declarations)
    result["regions"] = {primary: d.region_fact(primary, "primary", stack, resources, services, details,
                                                cluster=cluster, service_names=primary_names)}
    if not params["dashboard_name"] and params["dashboard_discover"]:
        result["dashboards"] = reader.dashboards(primary)
        markers = d.dashboard_markers(result["regions"][primary], result["table_name"])
        # the collection's own backups of a listed dashboard are not read (nor chosen)
        shown = [name for name in result["dashboards"] if markers and not d.is_backup_of(name, result["dashboards"])
                 and d.dashboard_shows(reader.dashboard_body(primary, name), markers)]
        try:
            result["dashboard_name"] = d.choose_dashboard(shown, result["dashboards"], primary, markers)
        except d.DiscoveryError as e:
            module.fail_json(msg=str(e), **result)
    if result.get("dashboard_name"):
        # read once: the body of the dashboard found was read while looking for it
        result["dashboard_body"] = (reader.dashboard_body(primary, result["dashboard_name"])
                                    if result["dashboard_name"] in result["dashboards"] else None)
    if params["service_file"]:
        result["service_files"] = dict(
            (s["name"], reader.service_file(primary, s.get("repository"), s.get("branch") or "master",
                                            params["service_file"])) for s in services)
    if params["pipeline_records"]:
        result["pipeline_records"] = reader.pipeline_tags(primary, RECORD_TAG)

    template_body = None
    on_demand = params["template_on_demand"] and not params["plan_missing"]
    if params["plan_missing"] or (params["template"] and not on_demand):
        template_body = d.template_text(reader.template(primary, stack["StackId"]))

    account = result["regions"][primary]["account"]
    if params["template"]:
        result["secondary_templates"] = {}
    result["unavailable"] = {}
    for region in params["secondary_regions"]:
        if region == primary:
            continue
        reader.soft_region = region
        try:
            secondary_region(reader, d, params, result, region, account, template_body, services)
        except RegionUnavailable as e:
            result["unavailable"][region] = str(e)
        reader.soft_region = None
    if params["template"]:
        needed = result["absent"] + [r for r, s in result["secondary_stacks"].items()
                                     if s.get("StackStatus") == "ROLLBACK_COMPLETE"]
        if template_body is None and needed:
            template_body = d.template_text(reader.template(primary, stack["StackId"]))
        result["primary_template"] = {"parameters": d.parameters_of(stack)}
        if template_body is not None:
            result["primary_template"].update(body=template_body, size=len(template_body.encode("utf-8")))
    module.exit_json(**result)


class RegionUnavailable(Exception):
    """A secondary region did not answer a read (access denied, HTTP 5xx after botocore's retries...)."""


def secondary_region(reader, d, params, result, region, account, template_body, services):
    """Read one secondary region's stack into ``result`` (regions, absent, secondary_templates)."""
    secondary = reader.stack(region, params["secondary_stack_name"])
    if secondary is None or secondary["StackStatus"] == "DELETE_COMPLETE":
        result["absent"].append(region)
        if params["plan_missing"]:
            result["regions"][region] = d.plan_region_fact(region, params["secondary_stack_name"], account,
                                                           template_body, services)
        return
    result["secondary_stacks"][region] = secondary
    found = reader.resources(region, secondary["StackId"])
    if params["template"]:
        result["secondary_templates"][region] = d.template_text(reader.template(region, secondary["StackId"]))
    fact, missing_groups = d.secondary_fact(region, secondary, found, services)
    if missing_groups:
        details = reader.ecs_services(region, fact["cluster"], [fact["services"][n] for n in missing_groups])
        fact = d.secondary_fact(region, secondary, found, services, details)[0]
    result["regions"][region] = fact


if __name__ == "__main__":
    main()
