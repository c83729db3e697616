"""ECS: services that run only what can be pulled, deployments that take time, the pipeline's deploy action.

moto 5.2.5 reports every service with ``runningCount == desiredCount`` and a ``COMPLETED`` rollout
at once, whatever its task definition names. Here:

* A service keeps a list of deployments (``PRIMARY`` the newest, ``ACTIVE`` the ones it replaces);
  ``CreateService``, and ``UpdateService`` with a new task definition or ``forceNewDeployment``, start
  a deployment. A deployment's tasks run only when every essential container's image can be pulled
  (an image of that region's ECR - by tag or digest - or a public image such as ``nginx`` or
  ``public.ecr.aws/...``) and the application in it starts (the environment variables it reads at
  start are set: the workshop's services read ``DDB_TABLE_NAME`` at import); otherwise its tasks stop
  with ``CannotPullContainerError`` / an essential container exiting (ECS developer guide, "Amazon ECS
  stopped task error messages", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html),
  and the service keeps running its previous deployment's tasks (rolling update: "Amazon ECS ...
  the old tasks keep running until the new ones are healthy",
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html).
  A deployment whose tasks can run is ``COMPLETED`` ``state.TIMING["ecs_deployment_seconds"]`` after
  it started; then the older deployments are gone. ``runningCount`` counts the running tasks of the
  deployment serving; a service is *steady* when it has one deployment and ``runningCount ==
  desiredCount`` (the ``services-stable`` waiter's rule, botocore's ecs waiters).
* ``deploy_image_definitions``: the CodePipeline ECS deploy action ("Amazon Elastic Container Service
  deploy action reference", https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECS.html
  and "Image definitions file reference",
  https://docs.aws.amazon.com/codepipeline/latest/userguide/file-reference.html#pipelines-create-image-definitions):
  the file is a JSON list of ``{"name": container, "imageUri": uri}``; a new revision of the service's
  task definition is registered with those images, by container name, and the service updated to it.
* ``ListTasks`` / ``DescribeTasks`` show a service's running tasks (those of the deployment that serves), each
  container with the ``imageDigest`` it runs (the ECR image's digest), so a client can compare what regions
  really run.
* ``AWS::ECS::Service`` from CloudFormation keeps ``LoadBalancers``, ``LaunchType``,
  ``NetworkConfiguration`` and ``DeploymentConfiguration`` (moto dropped them), so that the load
  balancer knows which service answers for which target group.
* CloudFormation waits for a created or updated ``AWS::ECS::Service`` to be steady ("the timeout
  length ... is based on the individual resource stabilization requirements that CloudFormation waits
  for", Knowledge Center, https://repost.aws/knowledge-center/cloudformation-stack-stuck-progress) and
  fails the resource with "Service arn:aws:ecs:...:service/... did not stabilize." after
  ``state.TIMING["ecs_stabilize_timeout_seconds"]``. AWS does not let the wait be configured ("It times
  out with an unconfigurable timeout in the range of hours", aws-cloudformation/cloudformation-coverage-
  roadmap issue 150); the figure usually given is three hours, the default here. Tests set it short
  (tests/conftest.py: 30 s).
"""
import hashlib
import copy
import threading
import time
import uuid

from moto.ecs.models import EC2ContainerServiceBackend, Service, ecs_backends

from .. import state
from . import ecr_images

_LOCK = threading.RLock()
# Provided by the platform to every Fargate task (AWS_REGION, AWS_DEFAULT_REGION, ECS metadata).
PLATFORM_ENV = {"AWS_REGION", "AWS_DEFAULT_REGION", "ECS_CONTAINER_METADATA_URI", "ECS_CONTAINER_METADATA_URI_V4",
                "AWS_EXECUTION_ENV"}
_installed = False


class DeployError(Exception):
    pass


def _backend(service):
    return ecs_backends[service._account_id][service.region_name]


def task_definition_of(backend, arn):
    try:
        return backend.describe_task_definition(arn)
    except Exception:  # noqa: BLE001 - TaskDefinitionNotFoundException: the deployment cannot run
        return None


def task_problem(account_id, region, task_definition):
    """None when tasks of ``task_definition`` can run, else why they stop."""
    if task_definition is None:
        return "the task definition does not exist"
    for container in task_definition.container_definitions:
        if container.get("essential", True) is False:
            continue
        available, detail = ecr_images.image_status(container.get("image") or "", account_id, region)
        if not available:
            return detail
        config = detail.get("config") or {}
        env = {e.get("name") for e in container.get("environment") or []} | PLATFORM_ENV
        missing = [name for name in config.get("startup_env", []) if name not in env]
        if missing:
            return ("Essential container in task exited: container %s exited with code 1 (KeyError: %r - the "
                    "application reads it at start)" % (container.get("name"), missing[0]))
    return None


def _deployments(service):
    deployments = service.__dict__.get("_emu_deployments")
    if deployments is None:
        deployments = [{"id": "ecs-svc/%d" % (uuid.uuid4().int % 10 ** 19), "taskDefinition": service.task_definition,
                        "createdAt": time.time()}]
        service.__dict__["_emu_deployments"] = deployments
    return deployments


def _start_deployment(service, task_definition_arn):
    with _LOCK:
        deployments = _deployments(service)
        deployments.append({"id": "ecs-svc/%d" % (uuid.uuid4().int % 10 ** 19),
                            "taskDefinition": task_definition_arn, "createdAt": time.time()})


def view(service, now=None):
    """What ECS would report for the service now: counts, deployments, the task definition serving."""
    now = time.time() if now is None else now
    backend = _backend(service)
    desired = int(service.__dict__.get("desired_count") or 0) if service.status == "ACTIVE" else 0
    with _LOCK:
        deployments = _deployments(service)
        wait = state.TIMING.get("ecs_deployment_seconds")
        states = []
        for deployment in deployments:
            problem = task_problem(service._account_id, service.region_name,
                                   task_definition_of(backend, deployment["taskDefinition"]))
            ready = problem is None and now >= deployment["createdAt"] + wait
            states.append((deployment, problem, ready))
        # the newest deployment that runs tasks replaces every older one
        serving = None
        for index in range(len(states) - 1, -1, -1):
            if states[index][2]:
                serving = index
                break
        if serving is not None and serving > 0:
            del deployments[:serving]
            states = states[serving:]
            serving = 0
    primary, primary_problem, primary_ready = states[-1]
    running = desired if serving is not None else 0
    shown = []
    for index, (deployment, problem, ready) in enumerate(states):
        is_primary = index == len(states) - 1
        count = running if index == serving else 0
        if is_primary:
            rollout = "COMPLETED" if ready else "IN_PROGRESS"
        else:
            rollout = "COMPLETED"
        shown.append({
            "id": deployment["id"], "status": "PRIMARY" if is_primary else "ACTIVE",
            "taskDefinition": deployment["taskDefinition"], "desiredCount": desired if is_primary else count,
            "pendingCount": desired if is_primary and not ready and desired else 0,
            "runningCount": count, "failedTasks": 1 if (is_primary and problem and desired) else 0,
            "createdAt": deployment["createdAt"], "updatedAt": max(deployment["createdAt"], now - 1),
            "launchType": service.launch_type, "rolloutState": rollout,
            "rolloutStateReason": ("ECS deployment %s completed." % deployment["id"]) if rollout == "COMPLETED"
            else ("ECS deployment %s in progress." % deployment["id"]),
        })
    serving_td = states[serving][0]["taskDefinition"] if serving is not None else None
    return {
        "desired": desired, "running": running, "pending": 0 if primary_ready else desired,
        "deployments": list(reversed(shown)), "steady": len(states) == 1 and running == desired and (
            primary_ready or desired == 0),
        "problem": primary_problem if desired else None, "serving_task_definition": serving_td if desired else None,
    }


def steady(service):
    return view(service)["steady"]


# --- moto Service attributes computed at read time ------------------------------------------------

def _prop(name, compute):
    def getter(self):
        return compute(self)

    def setter(self, value):
        self.__dict__["_emu_raw_" + name] = value
    return property(getter, setter)


def _events(service):
    current = view(service)
    events = list(service.__dict__.get("_emu_raw_events") or [])
    if current["problem"]:
        events = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, service.name + current["problem"])),
                   "createdAt": time.time(),
                   "message": "(service %s) was unable to place a task. Reason: %s." % (
                       service.name, current["problem"])}] + events
    elif current["steady"]:
        events = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, service.name + "steady")), "createdAt": time.time(),
                   "message": "(service %s) has reached a steady state." % service.name}] + events
    return events


def _update_service(self, service_properties):
    cluster = service_properties.get("cluster", "default")
    name = (service_properties.get("service") or "").split("/")[-1]
    new_td = service_properties.get("task_definition")
    force = service_properties.get("force_new_deployment", False)
    before = None
    try:
        before = self._get_service(cluster, name)
        _deployments(before)
        previous_td = before.task_definition
    except Exception:  # noqa: BLE001 - moto raises ServiceNotFound below
        previous_td = None
    service = _ORIGINAL["update_service"](self, service_properties)
    if new_td:
        resolved = self.describe_task_definition(new_td).arn
        service.task_definition = resolved
        if resolved != previous_td or force:
            _start_deployment(service, resolved)
    elif force:
        _start_deployment(service, service.task_definition)
    return service


def _create_service(self, *args, **kwargs):
    service = _ORIGINAL["create_service"](self, *args, **kwargs)
    _deployments(service)
    return service


# --- the pipeline's ECS deploy action --------------------------------------------------------------

def deploy_image_definitions(account_id, region, cluster, service_name, file_name, content):
    """Register a task definition revision with the file's images and update the service.

    Returns the deployment id; raises DeployError with the action's error message.
    """
    import json
    try:
        definitions = json.loads(content)
    except ValueError as exc:
        raise DeployError("Exception while trying to parse the image definitions file %s: %s" % (file_name, exc))
    if not isinstance(definitions, list) or not definitions or not all(
            isinstance(d, dict) and d.get("name") and d.get("imageUri") for d in definitions):
        raise DeployError("The image definitions file %s must be a JSON list of {\"name\": <container name>, "
                          "\"imageUri\": <image>} objects" % file_name)
    backend = ecs_backends[account_id][region]
    try:
        service = backend._get_service(cluster, service_name)
    except Exception:  # noqa: BLE001 - ClusterNotFound / ServiceNotFound
        raise DeployError("The Amazon ECS service %s does not exist in cluster %s in %s" % (
            service_name, cluster, region))
    if service.status != "ACTIVE":
        raise DeployError("The Amazon ECS service %s is %s" % (service_name, service.status))
    current = task_definition_of(backend, service.task_definition)
    if current is None:
        raise DeployError("The task definition %s of service %s does not exist" % (service.task_definition,
                                                                                  service_name))
    containers = copy.deepcopy(current.container_definitions)
    names = {c.get("name") for c in containers}
    for definition in definitions:
        if definition["name"] not in names:
            raise DeployError("The container %s named in %s does not exist in the task definition %s:%d "
                              "(its containers: %s)" % (definition["name"], file_name, current.family,
                                                        current.revision, ", ".join(sorted(names))))
    images = {d["name"]: d["imageUri"] for d in definitions}
    for container in containers:
        if container.get("name") in images:
            container["image"] = images[container["name"]]
    revision = backend.register_task_definition(
        family=current.family, container_definitions=containers, volumes=current.volumes,
        network_mode=current.network_mode, tags=current.tags, placement_constraints=current.placement_constraints,
        requires_compatibilities=current.requires_compatibilities, cpu=current.cpu, memory=current.memory,
        task_role_arn=getattr(current, "task_role_arn", None),
        execution_role_arn=getattr(current, "execution_role_arn", None),
        proxy_configuration=current.proxy_configuration, runtime_platform=current.runtime_platform,
        ipc_mode=current.ipc_mode, pid_mode=current.pid_mode, ephemeral_storage=current.ephemeral_storage)
    backend.update_service({"cluster": cluster, "service": service.arn, "task_definition": revision.arn,
                            "force_new_deployment": True})
    return _deployments(service)[-1]["id"], service


def deployment_outcome(service, deployment_id):
    """'done', 'running' or the problem of a deployment started by the deploy action."""
    current = view(service)
    primary = current["deployments"][0]
    if primary["id"] != deployment_id:
        return "superseded"
    if current["steady"]:
        return "done"
    return current["problem"] or "running"


# --- CloudFormation: AWS::ECS::Service keeps what it declares, and is waited for -----------------

def _cfn_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    from moto.ecs.models import Cluster, TaskDefinition
    from moto.core.utils import pascal_to_camelcase, remap_nested_keys
    properties = cloudformation_json["Properties"]
    cluster = properties["Cluster"]
    cluster = cluster.name if isinstance(cluster, Cluster) else str(cluster).split("/")[-1]
    task_definition = properties.get("TaskDefinition")
    if isinstance(task_definition, TaskDefinition):
        task_definition = task_definition.arn
    load_balancers = remap_nested_keys(properties.get("LoadBalancers", []), pascal_to_camelcase)
    network = properties.get("NetworkConfiguration")
    if network:
        network = remap_nested_keys(network, pascal_to_camelcase)
    backend = ecs_backends[account_id][region_name]
    service = backend.create_service(
        cluster, properties.get("ServiceName") or resource_name, properties.get("DesiredCount", 1),
        task_definition_str=task_definition, load_balancers=load_balancers,
        launch_type=properties.get("LaunchType"), network_configuration=network)
    return service


def _cfn_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    from moto.ecs.models import TaskDefinition
    properties = cloudformation_json["Properties"]
    task_definition = properties.get("TaskDefinition")
    if isinstance(task_definition, TaskDefinition):
        task_definition = task_definition.arn
    backend = ecs_backends[account_id][region_name]
    return backend.update_service({"cluster": original_resource.cluster_name, "service": original_resource.name,
                                   "task_definition": task_definition,
                                   "desired_count": properties.get("DesiredCount")})


def stack_services(stack):
    """The ECS services a stack created (moto Service objects)."""
    result = []
    for resource in stack.resource_map._parsed_resources.values():
        if isinstance(resource, Service):
            result.append(resource)
    return result


def stack_gate(stack, started):
    """CloudFormation's wait for the stack's ECS services: (ready, failure or None).

    failure: (logical id, reason) once ``ecs_stabilize_timeout_seconds`` have passed since ``started``
    with a service still not steady.
    """
    waiting = []
    for logical_id, resource in stack.resource_map._parsed_resources.items():
        if isinstance(resource, Service) and resource.status == "ACTIVE" and not steady(resource):
            waiting.append((logical_id, resource))
    if not waiting:
        return True, None
    if time.time() >= started + state.TIMING.get("ecs_stabilize_timeout_seconds"):
        logical_id, service = waiting[0]
        problem = view(service)["problem"] or "tasks did not reach a running state"
        return False, (logical_id, "Service arn:aws:ecs:%s:%s:service/%s/%s did not stabilize. (%s)" % (
            service.region_name, service._account_id, service.cluster_name, service.name, problem))
    return False, None


# --- the tasks a service runs: ListTasks / DescribeTasks -------------------------------------------

class ServiceTask:
    """A running task of a service, in the shape DescribeTasks serialises (the ECS API's Task)."""

    def __init__(self, service, deployment_id, index, task_definition, account_id, region):
        seed = uuid.uuid5(uuid.NAMESPACE_URL, "%s/%s/%d" % (service.arn, deployment_id, index))
        self.id = seed.hex
        self.task_arn = "arn:aws:ecs:%s:%s:task/%s/%s" % (region, account_id, service.cluster_name, self.id)
        self.cluster_arn = service.cluster_arn
        self.task_definition_arn = task_definition.arn
        self.last_status = self.desired_status = "RUNNING"
        self.health_status = "UNKNOWN"
        self.group = "service:%s" % service.name
        self.started_by = deployment_id
        self.launch_type = service.launch_type
        self.platform_family = "Linux"
        self.cpu, self.memory = task_definition.cpu, task_definition.memory
        self.tags, self.attachments, self.overrides = [], [], {}
        self.containers = []
        for container in task_definition.container_definitions:
            available, detail = ecr_images.image_status(container.get("image") or "", account_id, region)
            entry = {"containerArn": "%s/%s" % (self.task_arn, container.get("name")), "taskArn": self.task_arn,
                     "name": container.get("name"), "image": container.get("image"), "lastStatus": "RUNNING"}
            if available:
                # ECS resolves every container's image name and tag to a digest (ContainerImage, API reference;
                # ContainerDefinition.versionConsistency, enabled by default): a public image's digest is the
                # registry's, the same in every region.
                entry["imageDigest"] = detail.get("digest") or public_digest(container.get("image") or "")
            self.containers.append(entry)


def public_digest(image):
    """The digest a public registry gives an image reference: stable, the same wherever it is pulled."""
    return "sha256:" + hashlib.sha256(("public-image:" + image).encode()).hexdigest()


def service_tasks(service):
    """The running tasks of a service now (those of the deployment that serves)."""
    current = view(service)
    if not current["running"] or not current["serving_task_definition"]:
        return []
    backend = _backend(service)
    task_definition = task_definition_of(backend, current["serving_task_definition"])
    deployment = [d for d in current["deployments"] if d["taskDefinition"] == current["serving_task_definition"]]
    deployment_id = deployment[0]["id"] if deployment else "ecs-svc"
    return [ServiceTask(service, deployment_id, index, task_definition, service._account_id, service.region_name)
            for index in range(current["running"])]


def _list_tasks(self, cluster_str=None, container_instance=None, family=None, started_by=None, service_name=None,
                desiredStatus=None):
    tasks = _ORIGINAL["list_tasks"](self, cluster_str, container_instance, family, started_by, service_name,
                                    desiredStatus)
    if container_instance or (desiredStatus and desiredStatus != "RUNNING"):
        return tasks
    cluster = self._get_cluster(cluster_str or "default")
    for service in list(self.services.values()):
        if service.cluster_name != cluster.name or service.status != "ACTIVE":
            continue
        if service_name and service_name.split("/")[-1] != service.name:
            continue
        for task in service_tasks(service):
            if family and not task.task_definition_arn.split("/")[-1].startswith(family + ":"):
                continue
            if started_by and started_by != task.started_by:
                continue
            tasks.append(task)
    return tasks


def _describe_tasks(self, cluster_str, tasks):
    found = _ORIGINAL["describe_tasks"](self, cluster_str, tasks)
    wanted = {t.split("/")[-1] for t in tasks or []}
    cluster = self._get_cluster(cluster_str or "default")
    for service in list(self.services.values()):
        if service.cluster_name != cluster.name or service.status != "ACTIVE":
            continue
        for task in service_tasks(service):
            if task.id in wanted or task.task_arn in (tasks or []):
                found.append(task)
    return found


_ORIGINAL = {}


def install():
    global _installed
    if _installed:
        return
    _ORIGINAL["update_service"] = EC2ContainerServiceBackend.update_service
    _ORIGINAL["create_service"] = EC2ContainerServiceBackend.create_service
    _ORIGINAL["list_tasks"] = EC2ContainerServiceBackend.list_tasks
    _ORIGINAL["describe_tasks"] = EC2ContainerServiceBackend.describe_tasks
    EC2ContainerServiceBackend.list_tasks = _list_tasks
    EC2ContainerServiceBackend.describe_tasks = _describe_tasks
    EC2ContainerServiceBackend.update_service = _update_service
    EC2ContainerServiceBackend.create_service = _create_service
    Service.running_count = _prop("running_count", lambda s: view(s)["running"])
    Service.pending_count = _prop("pending_count", lambda s: view(s)["pending"])
    Service.deployments = _prop("deployments", lambda s: view(s)["deployments"])
    Service.events = _prop("events", _events)
    Service.create_from_cloudformation_json = classmethod(_cfn_create)
    Service.update_from_cloudformation_json = classmethod(_cfn_update)
    _installed = True
