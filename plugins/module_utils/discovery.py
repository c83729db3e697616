# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Discovery of the application's names, without AWS (the one place that knows them).

Everything here works on bodies shaped as AWS returns them (``DescribeStacks``' ``Stack``,
``ListStackResources``' ``StackResourceSummaries``, ``GetPipeline``'s ``pipeline``,
``DescribeServices``' ``services``, ``GetTemplate``'s ``TemplateBody``). The module
``application_info`` reads those and calls these functions; nothing here calls AWS.

What is found, and from where (docs/design.md, "Discovery"):

* pipelines: the ``AWS::CodePipeline::Pipeline`` resources of the primary stack and of its nested
  stacks; the one whose CodeCommit Source action reads the service's repository, else the one whose
  logical id or name contains the service's title (``Core``, ``Like``);
* repository and branch: the pipeline's CodeCommit Source action;
* primary cluster and ECS service: the pipeline's Amazon ECS Deploy action;
* container and target group: the ECS service's load balancer entry (``DescribeServices``); target groups
  also from the outputs ``MythicalServiceTargetGroupArn``/``LikeServiceTargetGroupArn`` (first), else the
  stack's one ``AWS::ElasticLoadBalancingV2::TargetGroup`` whose logical id contains the service's title;
* ECR repositories: the outputs ``MythicalServiceEcrRepo``/``LikeServiceEcrRepo``/``XrayEcrRepo``
  (``Secondary...`` in a secondary stack);
* load balancer: the stack's ``AWS::ElasticLoadBalancingV2::LoadBalancer`` resource (full name from its ARN);
* secondary ECS services: the secondary stack's ``AWS::ECS::Service`` resources.

Every key of a service entry set by the user wins over what is discovered.
"""

from __future__ import annotations

import json
import re

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None

TABLE_OUTPUT = "DynamoTable"
DEFAULT_TABLE = "MythicalMysfits-DDBTable"
CLUSTER_OUTPUT = "EcsClusterName"

PIPELINE_TYPE = "AWS::CodePipeline::Pipeline"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
ECS_SERVICE_TYPE = "AWS::ECS::Service"
ECS_CLUSTER_TYPE = "AWS::ECS::Cluster"
LOAD_BALANCER_TYPE = "AWS::ElasticLoadBalancingV2::LoadBalancer"
TARGET_GROUP_TYPE = "AWS::ElasticLoadBalancingV2::TargetGroup"
ECR_REPOSITORY_TYPE = "AWS::ECR::Repository"

# Keys of one entry of mm_services. Only name is required; the rest is discovered or defaulted.
SERVICE_KEYS = (
    "name", "title", "pipeline", "repository", "branch", "container",
    "primary_ecr_output", "secondary_ecr_output", "repository_output", "target_group_output",
    "service_output", "primary_cluster", "primary_service", "secondary_service_resource",
)

# The workshop's two services and the outputs its core template really has (cfn/core.yml).
DEFAULT_SERVICES = [
    {"name": "core", "title": "Core",
     "primary_ecr_output": "MythicalServiceEcrRepo", "secondary_ecr_output": "SecondaryMythicalServiceEcrRepo",
     "repository_output": "MythicalCoreGitRepositoryName", "target_group_output": "MythicalServiceTargetGroupArn"},
    {"name": "like", "title": "Like",
     "primary_ecr_output": "LikeServiceEcrRepo", "secondary_ecr_output": "SecondaryLikeServiceEcrRepo",
     "repository_output": "MythicalLikeGitRepositoryName", "target_group_output": "LikeServiceTargetGroupArn"},
]
# Containers when the primary ECS service names none (the workshop's task definitions).
DEFAULT_CONTAINERS = {"core": "service", "like": "like-service"}
XRAY_OUTPUT = {"primary": "XrayEcrRepo", "secondary": "SecondaryXrayEcrRepo"}
DNS_OUTPUT = {"primary": "LoadBalancerDNS", "secondary": "SecondaryLoadBalancerDNS"}
DEFAULT_BRANCH = "master"
GENERATED = "(generated when created)"


class DiscoveryError(Exception):
    """What could not be found, and which variable names it."""


# ------------------------------------------------------------------------------------------- services

def merge_services(given):
    """The services with every key the user did not set taken from the defaults (by name).

    ``given`` is mm_services as the user wrote it (None: the two defaults). Returns the list in the
    same order; raises DiscoveryError naming what is wrong.
    """
    if given is None:
        return [dict(entry) for entry in DEFAULT_SERVICES]
    if not isinstance(given, list) or not given:
        raise DiscoveryError("mm_services must be a non-empty list of dicts, one per service (each with at least "
                             "name); it is %s. Leave it unset for the workshop's core and like services."
                             % json.dumps(given)[:200])
    defaults = dict((entry["name"], entry) for entry in DEFAULT_SERVICES)
    seen, out = set(), []
    for index, entry in enumerate(given):
        if not isinstance(entry, dict) or not entry.get("name"):
            raise DiscoveryError("mm_services[%d] must be a dict with at least name; it is %s."
                                 % (index, json.dumps(entry)[:200]))
        unknown = sorted(set(entry) - set(SERVICE_KEYS))
        if unknown:
            raise DiscoveryError("mm_services[%d] (%s) has unknown keys %s; the keys are: %s."
                                 % (index, entry["name"], ", ".join(unknown), ", ".join(SERVICE_KEYS)))
        if entry["name"] in seen:
            raise DiscoveryError("mm_services names the service %s twice." % entry["name"])
        seen.add(entry["name"])
        merged = dict(defaults.get(entry["name"], {}))
        merged.update(dict((k, v) for k, v in entry.items() if v not in (None, "")))
        merged.setdefault("title", entry["name"][:1].upper() + entry["name"][1:])
        out.append(merged)
    return out


# ------------------------------------------------------------------------------------------- stacks

def outputs_of(stack):
    """Output key -> value of a DescribeStacks ``Stack``."""
    return dict((o["OutputKey"], o.get("OutputValue")) for o in (stack or {}).get("Outputs", []) or [])


def parameters_of(stack):
    """Parameter key -> value of a DescribeStacks ``Stack`` (resolved values where there are any)."""
    out = {}
    for p in (stack or {}).get("Parameters", []) or []:
        out[p["ParameterKey"]] = p.get("ResolvedValue", p.get("ParameterValue"))
    return out


def account_of(stack):
    outputs = outputs_of(stack)
    if outputs.get("CurrentAccount"):
        return outputs["CurrentAccount"]
    return stack["StackId"].split(":")[4]


def physical_name(physical_id):
    """The name in a physical id: an ECS service ARN (``.../service/<cluster>/<name>``) gives its last segment."""
    if not physical_id:
        return None
    if physical_id.startswith("arn:"):
        return physical_id.rsplit("/", 1)[-1]
    return physical_id


def load_balancer_full_name(arn):
    """``app/<name>/<id>`` (the CloudWatch dimension LoadBalancer) of an ELBv2 load balancer ARN."""
    if not arn or ":loadbalancer/" not in arn:
        return None
    return arn.split(":loadbalancer/", 1)[1]


def resources_of_type(resources, resource_type):
    """The live resources of one type in ListStackResources summaries (deleted ones left out)."""
    return [r for r in resources or [] if r.get("ResourceType") == resource_type
            and r.get("PhysicalResourceId") and not str(r.get("ResourceStatus", "")).startswith("DELETE")]


def nested_stack_ids(resources):
    """Physical ids (stack ARNs) of the nested stacks among ListStackResources summaries."""
    return [r["PhysicalResourceId"] for r in resources_of_type(resources, NESTED_STACK_TYPE)]


def pick_by_title(items, title, key):
    """The one item whose ``key(item)`` contains ``title`` (case-insensitive), or None when none or several do."""
    if not title:
        return None
    hits = [item for item in items if title.lower() in (key(item) or "").lower()]
    return hits[0] if len(hits) == 1 else None


# ------------------------------------------------------------------------------------------- pipelines

def pipeline_actions(pipeline):
    """Source (CodeCommit), build and deploy (Amazon ECS) facts of a GetPipeline ``pipeline``."""
    facts = {"repository": None, "branch": None, "cluster": None, "service": None, "build_project": None}
    for stage in pipeline.get("stages", []):
        for action in stage.get("actions", []):
            kind = action.get("actionTypeId", {})
            config = action.get("configuration", {}) or {}
            if kind.get("category") == "Source" and kind.get("provider") == "CodeCommit" and not facts["repository"]:
                facts["repository"] = config.get("RepositoryName")
                facts["branch"] = config.get("BranchName")
            elif kind.get("category") == "Build" and kind.get("provider") == "CodeBuild" and not facts["build_project"]:
                facts["build_project"] = config.get("ProjectName")
            elif (kind.get("category") == "Deploy" and kind.get("provider") == "ECS" and not facts["service"]
                  and action.get("region") in (None, "")):
                facts["cluster"] = config.get("ClusterName")
                facts["service"] = config.get("ServiceName")
    return facts


def pipeline_candidates(resources):
    """The pipelines among ListStackResources summaries: [{logical_id, name}]."""
    return [{"logical_id": r["LogicalResourceId"], "name": r["PhysicalResourceId"]}
            for r in resources_of_type(resources, PIPELINE_TYPE)]


def choose_pipeline(service, outputs, candidates, declarations):
    """The pipeline of ``service``: set by the user, else the candidate whose Source reads the service's
    repository (set by the user, else the output ``repository_output``), else the candidate whose
    logical id or name contains the service's title. ``declarations``: pipeline name -> GetPipeline body.
    """
    if service.get("pipeline"):
        return service["pipeline"]
    repository = service.get("repository") or outputs.get(service.get("repository_output") or "")
    if repository:
        hits = [c["name"] for c in candidates
                if pipeline_actions(declarations.get(c["name"], {})).get("repository") == repository]
        if len(hits) == 1:
            return hits[0]
    hit = pick_by_title(candidates, service.get("title"), lambda c: c["logical_id"] + " " + c["name"])
    if hit:
        return hit["name"]
    raise DiscoveryError(
        "No pipeline found for the service %s: none of the primary stack's pipelines (with its nested stacks: "
        "%s) reads its repository%s or has '%s' in its name. Set mm_services[name=%s].pipeline."
        % (service["name"], ", ".join(c["name"] for c in candidates) or "none",
           " (%s)" % repository if repository else "", service.get("title"), service["name"]))


def resolve_services(services, outputs, candidates, declarations):
    """Each service with pipeline, repository, branch and its primary cluster/ECS service filled in.

    ``declarations``: pipeline name -> GetPipeline ``pipeline`` (the chosen ones must be there).
    """
    out = []
    for service in services:
        entry = dict(service)
        entry["pipeline"] = choose_pipeline(service, outputs, candidates, declarations)
        if entry["pipeline"] not in declarations:
            raise DiscoveryError("The pipeline %s of the service %s does not exist in the primary region. "
                                 "Set mm_services[name=%s].pipeline to its pipeline (found: %s)."
                                 % (entry["pipeline"], service["name"], service["name"],
                                    ", ".join(c["name"] for c in candidates) or "none"))
        actions = pipeline_actions(declarations[entry["pipeline"]])
        entry["repository"] = (service.get("repository") or actions["repository"]
                               or outputs.get(service.get("repository_output") or ""))
        if not entry["repository"]:
            raise DiscoveryError("The pipeline %s has no CodeCommit Source action and the service %s has no "
                                 "repository. Set mm_services[name=%s].repository."
                                 % (entry["pipeline"], service["name"], service["name"]))
        entry["branch"] = service.get("branch") or actions["branch"] or DEFAULT_BRANCH
        entry["primary_cluster"] = service.get("primary_cluster") or actions["cluster"]
        entry["primary_service"] = (service.get("primary_service")
                                    or outputs.get(service.get("service_output") or "") or actions["service"])
        out.append(entry)
    return out


# ------------------------------------------------------------------------------------------- regions

def ecs_service_details(described):
    """Service name -> {container, target_group} from DescribeServices ``services``."""
    out = {}
    for svc in described or []:
        balancers = svc.get("loadBalancers") or []
        out[svc.get("serviceName")] = {
            "container": balancers[0].get("containerName") if balancers else None,
            "target_group": balancers[0].get("targetGroupArn") if balancers else None,
            "task_definition": svc.get("taskDefinition"),
        }
    return out


def stack_service_names(services, resources, outputs):
    """Service -> ECS service name in a stack: output service_output when set, else the stack's
    AWS::ECS::Service resource with logical id secondary_service_resource, else the one whose logical
    id contains the service's title."""
    ecs = resources_of_type(resources, ECS_SERVICE_TYPE)
    out = {}
    for service in services:
        if service.get("service_output") and outputs.get(service["service_output"]):
            out[service["name"]] = physical_name(outputs[service["service_output"]])
            continue
        wanted = service.get("secondary_service_resource")
        if wanted:
            hits = [r for r in ecs if r["LogicalResourceId"] == wanted]
            hit = hits[0] if hits else None
        else:
            hit = pick_by_title(ecs, service.get("title"), lambda r: r["LogicalResourceId"])
        out[service["name"]] = physical_name(hit["PhysicalResourceId"]) if hit else None
    return out


def region_fact(region, role, stack, resources, services, details, cluster=None, service_names=None):
    """The mm_region fact (docs/design.md) of one region.

    ``stack``: DescribeStacks ``Stack``; ``resources``: its ListStackResources summaries; ``services``:
    the resolved services; ``details``: DescribeServices details (ecs_service_details); ``cluster`` and
    ``service_names`` (service -> ECS service name) when known from elsewhere (the primary's pipelines).
    """
    outputs = outputs_of(stack)
    if service_names is None:
        service_names = stack_service_names(services, resources, outputs)
    if not cluster:
        clusters = resources_of_type(resources, ECS_CLUSTER_TYPE)
        cluster = outputs.get(CLUSTER_OUTPUT) or (physical_name(clusters[0]["PhysicalResourceId"]) if clusters else None)
    balancers = resources_of_type(resources, LOAD_BALANCER_TYPE)
    groups = resources_of_type(resources, TARGET_GROUP_TYPE)
    ecr_key = "secondary_ecr_output" if role == "secondary" else "primary_ecr_output"
    target_groups, ecr = {}, {}
    for service in services:
        name = service["name"]
        detail = details.get(service_names.get(name)) or {}
        by_title = pick_by_title(groups, service.get("title"), lambda r: r["LogicalResourceId"])
        target_groups[name] = (outputs.get(service.get("target_group_output") or "")
                               or detail.get("target_group")
                               or (by_title["PhysicalResourceId"] if by_title else None))
        ecr[name] = outputs.get(service.get(ecr_key) or "")
    ecr["xray"] = outputs.get(XRAY_OUTPUT[role])
    return {
        "region": region,
        "role": role,
        "account": account_of(stack),
        "stack_name": stack["StackName"],
        "stack_status": stack["StackStatus"],
        "outputs": outputs,
        "cluster": cluster,
        "load_balancer_dns": outputs.get(DNS_OUTPUT[role]) or outputs.get(DNS_OUTPUT["primary"]),
        "load_balancer_full_name": (load_balancer_full_name(balancers[0]["PhysicalResourceId"])
                                    if len(balancers) == 1 else None),
        "target_groups": target_groups,
        "services": service_names,
        "ecr": ecr,
    }


def secondary_fact(region, stack, resources, services, details=None):
    """A secondary region's mm_region from its stack, its resources and (when read) its ECS services' details;
    with the services whose target group is known only to their ECS service (DescribeServices), when none was
    read."""
    names = stack_service_names(services, resources, outputs_of(stack))
    fact = region_fact(region, "secondary", stack, resources, services, details or {}, service_names=names)
    return fact, [name for name, arn in fact["target_groups"].items() if not arn]


def secondary_fact_of_wait(region, facts, services):
    """A secondary region's mm_region from cloudformation_wait's reading of its stack (``facts``: the stack as
    amazon.aws.cloudformation_info returns it, with ``stack_resource_list``): the fact the discovery makes from the
    same reads, or None when it would read more (the resources of nested stacks, the target group of an ECS
    service)."""
    description = (facts or {}).get("stack_description") or {}
    listed = (facts or {}).get("stack_resource_list")
    if not description.get("stack_id") or listed is None:
        return None
    stack = {"StackId": description["stack_id"], "StackName": description.get("stack_name"),
             "StackStatus": description.get("stack_status"),
             "Outputs": [{"OutputKey": o.get("output_key"), "OutputValue": o.get("output_value")}
                         for o in description.get("outputs") or []]}
    resources = [{"LogicalResourceId": r.get("logical_resource_id"), "PhysicalResourceId": r.get("physical_resource_id"),
                  "ResourceType": r.get("resource_type")} for r in listed]
    if nested_stack_ids(resources):
        return None
    fact, lacking = secondary_fact(region, stack, resources, services)
    return None if lacking else fact


def containers(services, details, primary_names):
    """Each service's container: set by the user, else the primary ECS service's load-balanced container."""
    out = []
    for service in services:
        entry = dict(service)
        found = (details.get(primary_names.get(service["name"])) or {}).get("container")
        entry["container"] = service.get("container") or found or DEFAULT_CONTAINERS.get(service["name"])
        if not entry["container"]:
            raise DiscoveryError("The container of the service %s is not known: its primary ECS service %s names "
                                 "no load-balanced container. Set mm_services[name=%s].container."
                                 % (service["name"], primary_names.get(service["name"]), service["name"]))
        out.append(entry)
    return out


def table_name(given, outputs):
    return given or outputs.get(TABLE_OUTPUT) or DEFAULT_TABLE


# ------------------------------------------------------------------------------------------- templates

_SHORT_FORMS = ("Ref", "Condition")


def _cfn_constructor(loader, tag_suffix, node):
    name = tag_suffix.lstrip("!")
    key = name if name in _SHORT_FORMS else "Fn::" + name
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


def parse_template(body):
    """A CloudFormation template (GetTemplate's TemplateBody: YAML text with short forms, JSON text, or a dict)."""
    if isinstance(body, dict):
        return body
    text = body or ""
    try:
        return json.loads(text)
    except ValueError:
        pass

    class Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        pass

    Loader.add_multi_constructor("!", _cfn_constructor)
    return yaml.load(text, Loader=Loader)  # nosec - SafeLoader subclass


def template_text(body):
    """GetTemplate's TemplateBody as text (botocore hands JSON templates over as a dict)."""
    if isinstance(body, dict):
        return json.dumps(body, indent=2)
    return body


def resolve_value(value, pseudo, refs=None, attributes=None):
    """A template value made of literals, Ref, !Sub, !Join and !GetAtt over known names; None when it needs more.

    ``pseudo``: pseudo parameter -> value; ``refs``: logical id -> what its Ref gives; ``attributes``:
    (logical id, attribute) -> value.
    """
    known = dict(pseudo)
    known.update(refs or {})
    attributes = attributes or {}
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            names = re.findall(r"\$\{([^}!]+)\}", text)
            values = dict((name, known.get(name, attributes.get(tuple(name.split(".", 1))))) for name in names)
            if any(v is None for v in values.values()):
                return None
            return re.sub(r"\$\{([^}!]+)\}", lambda m: values[m.group(1)], text)
        if fn == "Ref":
            return known.get(arg)
        if fn == "Fn::GetAtt" and isinstance(arg, list) and len(arg) == 2:
            return attributes.get(tuple(arg))
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            parts = [resolve_value(v, pseudo, refs, attributes) for v in arg[1]]
            return None if any(p is None for p in parts) else arg[0].join(parts)
    return None


def plan_region_fact(region, stack_name, account, template_body, services):
    """The mm_region a secondary stack not created yet will have, from the primary's template.

    Names the template fixes (for example ``ClusterName: !Sub Cluster-${AWS::StackName}``) are planned as
    they will be; names CloudFormation generates are marked GENERATED.
    """
    template = parse_template(template_body) or {}
    resources = template.get("Resources", {}) or {}
    template_outputs = template.get("Outputs", {}) or {}
    pseudo = {"AWS::StackName": stack_name, "AWS::Region": region, "AWS::AccountId": account,
              "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}

    def of_type(kind):
        return [{"LogicalResourceId": k, "ResourceType": v.get("Type"), "Properties": v.get("Properties") or {}}
                for k, v in resources.items() if isinstance(v, dict) and v.get("Type") == kind]

    def name_of(res, prop):
        name = resolve_value(res["Properties"].get(prop), pseudo) if prop in res["Properties"] else None
        return name or "%s-%s-%s" % (stack_name, res["LogicalResourceId"], GENERATED)

    clusters = of_type(ECS_CLUSTER_TYPE)
    balancers = of_type(LOAD_BALANCER_TYPE)
    ecs = of_type(ECS_SERVICE_TYPE)
    registry = "%s.dkr.ecr.%s.amazonaws.com/" % (account, region)

    # ECR repositories: Ref gives the name, RepositoryUri the URI (CloudFormation generates lowercase names).
    refs, attributes = {}, {}
    for res in of_type(ECR_REPOSITORY_TYPE):
        name = name_of(res, "RepositoryName")
        if GENERATED in name:
            name = name.lower()
        refs[res["LogicalResourceId"]] = name
        attributes[(res["LogicalResourceId"], "RepositoryUri")] = registry + name

    def ecr_uri(output):
        value = (template_outputs.get(output) or {}).get("Value") if output else None
        return resolve_value(value, pseudo, refs, attributes) if value is not None else None

    service_names, target_groups, ecr = {}, {}, {}
    for service in services:
        wanted = service.get("secondary_service_resource")
        hit = ([r for r in ecs if r["LogicalResourceId"] == wanted] or [None])[0] if wanted else \
            pick_by_title(ecs, service.get("title"), lambda r: r["LogicalResourceId"])
        service_names[service["name"]] = name_of(hit, "ServiceName") if hit else None
        target_groups[service["name"]] = None
        ecr[service["name"]] = ecr_uri(service.get("secondary_ecr_output"))
    ecr["xray"] = ecr_uri(XRAY_OUTPUT["secondary"])
    lb_name = name_of(balancers[0], "Name") if balancers else None
    return {
        "region": region,
        "role": "secondary",
        "account": account,
        "stack_name": stack_name,
        "stack_status": "PLANNED",
        "outputs": {},
        "cluster": name_of(clusters[0], "ClusterName") if clusters else None,
        "load_balancer_dns": "%s.%s.elb.amazonaws.com %s" % (lb_name, region, GENERATED) if lb_name else None,
        "load_balancer_full_name": "app/%s/%s" % (lb_name, GENERATED) if lb_name else None,
        "target_groups": target_groups,
        "services": service_names,
        "ecr": ecr,
    }


# ------------------------------------------------------------------------------------------- dashboards

def dashboard_problem(name, names, create):
    """None when the dashboard ``name`` is among ``names`` (ListDashboards) or may be created; else the message."""
    if name in names or create:
        return None
    return ("The dashboard %s does not exist in the primary region. Dashboards there: %s. Set mm_dashboard_name to "
            "the dashboard Lab 2 made, or mm_dashboard_create: true to create a new one."
            % (name, ", ".join(sorted(names)) or "none"))


def dashboard_markers(region_fact_, table):
    """What identifies the application in a dashboard's metric rows: dimension values of its load balancer,
    table, cluster and ECS services (the Lab 2 widgets draw AWS/ApplicationELB, AWS/DynamoDB and AWS/ECS)."""
    markers = [region_fact_.get("load_balancer_full_name"), table, region_fact_.get("cluster")]
    markers += sorted((region_fact_.get("services") or {}).values())
    return [m for m in markers if m]


def dashboard_shows(body, markers):
    """True when a metric row of the dashboard ``body`` (GetDashboard ``DashboardBody``, text) has one of
    ``markers`` as a dimension value. A body that is not JSON shows nothing."""
    try:
        parsed = json.loads(body or "{}")
    except ValueError:
        return False
    wanted = set(markers)
    for widget in (parsed.get("widgets") or []) if isinstance(parsed, dict) else []:
        properties = widget.get("properties") if isinstance(widget, dict) else None
        for row in (properties or {}).get("metrics") or [] if isinstance(properties, dict) else []:
            if isinstance(row, list) and any(isinstance(v, str) and v in wanted for v in row):
                return True
    return False


def is_backup_of(name, others):
    """True when ``name`` is a backup the dashboard module wrote of one of ``others``: ``<name>-backup`` (the first)
    or ``<name>-backup-<UTC time>`` (backup_mode=every_change)."""
    return any(name == other + "-backup" or name.startswith(other + "-backup-") for other in others if other != name)


def choose_dashboard(shown, names, region, markers):
    """The dashboard to extend among ``shown`` (the dashboards whose widgets draw the application's metrics),
    leaving out the collection's own backups; raises DiscoveryError when none or several remain.
    ``names``: every dashboard of the region (for the message)."""
    left = sorted(n for n in shown if not is_backup_of(n, shown))
    if len(left) == 1:
        return left[0]
    if not left:
        raise DiscoveryError(
            "No dashboard in %s draws the application's metrics (a metric row with %s). Dashboards there: %s. "
            "Set mm_dashboard_name to the dashboard Lab 2 made, or set mm_dashboard_name and "
            "mm_dashboard_create: true to create a new one."
            % (region, " or ".join(markers) or "its resources", ", ".join(sorted(names)) or "none"))
    raise DiscoveryError(
        "Several dashboards in %s draw the application's metrics: %s. Set mm_dashboard_name to the one to extend."
        % (region, ", ".join(left)))
