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
    (O(template) or O(plan_missing)), C(codepipeline:GetPipeline), C(ecs:DescribeServices) and
    C(cloudwatch:ListDashboards) (O(dashboard_name)), C(cloudwatch:GetDashboard) (O(dashboard_discover)).
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
  description: The primary stack's template (C(body), text), its C(parameters) and C(size) in bytes (UTF-8).
  returned: when O(template=true)
  type: dict
secondary_templates:
  description: Region to the template (text) its existing secondary stack runs.
  returned: when O(template=true)
  type: dict
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

from ansible_collections.mysfits.multi_region.plugins.module_utils import discovery as d
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client


class Reader:
    """The AWS reads of one run, one client per service and region."""

    def __init__(self, module):
        self.module = module
        self.clients = {}
        # The secondary region being read: an AWS error there raises RegionUnavailable (the region is reported
        # in RV(unavailable)) instead of failing the module, so one region that does not answer stops no other.
        self.soft_region = None

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
        try:
            return self.client("cloudwatch", region).get_dashboard(DashboardName=name, aws_retry=True)["DashboardBody"]
        except is_boto3_error_code("ResourceNotFound"):  # deleted between the list and the read
            return None
        except AWS_ERRORS as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not read the dashboard %s in %s" % (name, region))


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
        ),
        supports_check_mode=True,
    )
    params = module.params
    primary = module.region
    reader = Reader(module)
    result = {"changed": False, "absent": []}
    try:
        services = d.merge_services(params["services"])
    except d.DiscoveryError as e:
        module.fail_json(msg=str(e), **result)

    stack = reader.stack(primary, params["primary_stack_name"])
    if stack is None:
        module.fail_json(msg="The primary stack '%s' in %s is not found. Set mm_primary_stack_name to the stack Labs "
                             "0-2 created (Lab 0 names it mm-multi-region)." % (params["primary_stack_name"], primary),
                         **result)
    result["primary_stack"] = stack
    outputs = d.outputs_of(stack)
    result["table_name"] = d.table_name(params["table_name"], outputs)

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

    template_body = None
    if params["template"] or params["plan_missing"]:
        template_body = d.template_text(reader.template(primary, stack["StackId"]))
    if params["template"]:
        result["primary_template"] = {"body": template_body, "parameters": d.parameters_of(stack),
                                      "size": len(template_body.encode("utf-8"))}

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
    found = reader.resources(region, secondary["StackId"])
    if params["template"]:
        result["secondary_templates"][region] = d.template_text(reader.template(region, secondary["StackId"]))
    names = d.stack_service_names(services, found, d.outputs_of(secondary))
    fact = d.region_fact(region, "secondary", secondary, found, services, {}, service_names=names)
    missing_groups = [n for n, arn in fact["target_groups"].items() if not arn]
    if missing_groups:
        details = reader.ecs_services(region, fact["cluster"], [names[n] for n in missing_groups])
        fact = d.region_fact(region, "secondary", secondary, found, services, details, service_names=names)
    result["regions"][region] = fact


if __name__ == "__main__":
    main()
