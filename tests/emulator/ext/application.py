"""The workshop's application behind each emulated Application Load Balancer.

A request whose ``Host`` is an ALB's DNS name (``*.elb.amazonaws.com``) is answered as that load balancer
would: the listener of the port, its rules by priority (``path-pattern`` conditions; "Listener rules for
your Application Load Balancer", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html),
the target group forwarded to, and the ECS services registered with that target group. With no running
task behind the group, or only tasks that do not serve the application's port (a placeholder such as
``nginx`` listens on 80, the target groups' health checks go to 8080), the answer is ``503`` ("HTTP 503:
Service unavailable - The target groups for the load balancer have no registered targets",
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html).

What the tasks answer follows the workshop's ``app/`` (hub714/multi-region-workshop), read from the image
the service runs (``ecr_images.IMAGE_CONFIGS``: which service's source was built into it):

* core service (``mythicalMysfitsService.py``): ``GET /`` an HTML page naming the region it runs in
  ("Current region: <region>", from ``AWS_REGION``); ``GET /mysfits`` every item of the table named by
  ``DDB_TABLE_NAME`` (Scan) as ``{"mysfits": [...]}`` with the fields ``mysfitId``, ``name``, ``species``,
  ``description``, ``age`` (a number), ``goodevil``, ``lawchaos``, ``thumbImageUri``, ``profileImageUri``,
  ``likes`` (the number as a string), ``adopted``; ``?filter=<attribute>&value=<v>`` queries the index
  ``<attribute>Index``. An item without one of these attributes makes the request fail (500), as the
  app's ``item["Name"]["S"]`` does. The app has no ``/mysfits/<id>`` route: 404.
* like service (``mysfits_like.py``): ``GET /`` a JSON health message; ``POST /mysfits/<id>/like``
  increments ``Likes`` of that item (UpdateItem ``SET Likes = Likes + :n``: a missing item or one without
  ``Likes`` fails, 500) and answers ``{"Update": "Success"}``; ``CHAOSMODE`` unset fails every like (500,
  the app reads ``os.environ['CHAOSMODE']``); ``on`` fails 30 % with 500 and 30 % with 404.

The application's DynamoDB calls go to the emulator itself (so global-table replication applies) and are
marked internal: they are not in the call log (``/_emulator/calls`` lists what clients call) and no
fault is injected into them.

Clients reach it through a proxy: ``EmulatorProcess.env()`` (and so ``python -m tests.emulator.run``)
sets ``http_proxy``/``HTTP_PROXY`` to the emulator and ``no_proxy`` to the endpoint's own host, so that
``ansible.builtin.uri`` or ``curl http://<LoadBalancerDNS>/`` reach it without knowing.
"""
import fnmatch
import json
import random
import threading
from urllib.parse import parse_qs

from werkzeug.wrappers import Response

from .. import state
from . import ecr_images, ecs_deploy

INTERNAL_HEADER = "X-Emulator-Internal"
_clients = {}
_LOCK = threading.Lock()


def is_load_balancer_host(environ):
    host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
    return host.endswith(".elb.amazonaws.com")


def is_other_proxy_request(environ):
    """A proxy request (absolute URI) for a host that is neither a load balancer nor the emulator itself."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
    if not raw.lower().startswith(("http://", "https://")):
        return False
    host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
    own = (state.ENDPOINT["url"] or "").split("//")[-1].split(":")[0]
    return host not in (own, "127.0.0.1", "localhost") and not host.endswith(".amazonaws.com")


def bad_gateway(environ, start_response):
    host = environ.get("HTTP_HOST") or ""
    return Response("emulator proxy: %s cannot be reached (the emulator serves only its load balancers' DNS "
                    "names)" % host, status=502)(environ, start_response)


def _find_load_balancer(host):
    from moto.elbv2.models import elbv2_backends
    for account_id, regions in list(elbv2_backends.items()):
        for region, backend in list(regions.items()):
            for lb in list(backend.load_balancers.values()):
                if (lb.dns_name or "").lower() == host:
                    return account_id, region, backend, lb
    return None


def _target_group(backend, lb, port, path):
    listeners = [listener for listener in lb.listeners.values() if int(listener.port) == port]
    if not listeners:
        return None
    listener = listeners[0]
    rules = sorted(listener.rules.values(), key=lambda r: (r.priority == "default",
                                                         int(r.priority) if str(r.priority).isdigit() else 1 << 30))
    for rule in rules:
        conditions = rule.conditions or []
        matched = True
        for condition in conditions:
            field = condition.get("Field") or condition.get("field")
            values = condition.get("Values") or condition.get("values") or \
                (condition.get("PathPatternConfig") or {}).get("Values") or []
            if field == "path-pattern" and not any(fnmatch.fnmatchcase(path, v) for v in values):
                matched = False
        if matched or getattr(rule, "is_default", False):
            for action in rule.actions:
                data = action.data if hasattr(action, "data") else action
                if (data.get("Type") or data.get("type")) == "forward":
                    arn = data.get("TargetGroupArn") or data.get("target_group_arn")
                    if not arn:
                        groups = (data.get("ForwardConfig") or {}).get("TargetGroups") or []
                        arn = groups[0].get("TargetGroupArn") if groups else None
                    return arn
    for action in listener.default_actions:
        data = action.data if hasattr(action, "data") else action
        if (data.get("Type") or data.get("type")) == "forward":
            return data.get("TargetGroupArn")
    return None


def _serving_container(account_id, region, target_group_arn):
    """(container definition, image detail) of a running task behind the target group, or None."""
    from moto.ecs.models import ecs_backends
    backend = ecs_backends[account_id][region]
    for service in list(backend.services.values()):
        if service.status != "ACTIVE":
            continue
        for mapping in service.load_balancers or []:
            arn = mapping.get("targetGroupArn") or mapping.get("TargetGroupArn")
            if arn != target_group_arn:
                continue
            current = ecs_deploy.view(service)
            if not current["running"] or not current["serving_task_definition"]:
                continue
            task_definition = ecs_deploy.task_definition_of(backend, current["serving_task_definition"])
            name = mapping.get("containerName") or mapping.get("ContainerName")
            for container in task_definition.container_definitions:
                if container.get("name") != name:
                    continue
                available, detail = ecr_images.image_status(container.get("image") or "", account_id, region)
                if available and detail.get("app"):
                    return container, detail
    return None


def _dynamodb(region):
    import boto3
    with _LOCK:
        client = _clients.get(region)
        if client is None:
            client = boto3.client("dynamodb", region_name=region, endpoint_url=state.ENDPOINT["url"],
                                  aws_access_key_id="AKIAEMULATORAPPTASK0", aws_secret_access_key="emulator-app")
            client.meta.events.register("before-sign.dynamodb.*", _mark_internal)
            _clients[region] = client
    return client


def _mark_internal(request, **kwargs):
    request.headers[INTERNAL_HEADER] = "application"


def _mysfit(item):
    return {
        "mysfitId": item["MysfitId"]["S"], "name": item["Name"]["S"], "species": item["Species"]["S"],
        "description": item["Description"]["S"], "age": int(item["Age"]["N"]), "goodevil": item["GoodEvil"]["S"],
        "lawchaos": item["LawChaos"]["S"], "thumbImageUri": item["ThumbImageUri"]["S"],
        "profileImageUri": item["ProfileImageUri"]["S"], "likes": item["Likes"]["N"],
        "adopted": item["Adopted"]["BOOL"],
    }


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mythical Mysfits</title></head>
<body><div>Current region: %s</div>
<div id="mysfitsGrid">(the emulator's stand-in for the workshop's page: the grid loads /mysfits)</div>
</body></html>
"""


def _core(method, path, query, env, region):
    if path == "/" and method in ("GET", "HEAD"):
        return 200, "text/html; charset=utf-8", _PAGE % env.get("AWS_REGION", region)
    if path == "/mysfits" and method in ("GET", "HEAD"):
        table = env.get("DDB_TABLE_NAME")
        client = _dynamodb(region)
        args = parse_qs(query)
        kind = (args.get("filter") or [None])[0]
        if kind:
            value = (args.get("value") or [None])[0]
            items = client.query(TableName=table, IndexName=kind + "Index", KeyConditions={
                kind: {"AttributeValueList": [{"S": value}], "ComparisonOperator": "EQ"}})["Items"]
        else:
            items = client.scan(TableName=table)["Items"]
        return 200, "application/json", json.dumps({"mysfits": [_mysfit(i) for i in items]})
    if path == "/mysfits":
        return 405, "text/html", "Method Not Allowed"
    return 404, "text/html", "Not Found"


def _like(method, path, query, env, region):
    parts = path.strip("/").split("/")
    if path == "/" and method in ("GET", "HEAD"):
        return 200, "application/json", json.dumps({"message": "This is for health checking purposes."})
    if len(parts) == 3 and parts[0] == "mysfits" and parts[2] == "like":
        if method != "POST":
            return 405, "text/html", "Method Not Allowed"
        chaos = env["CHAOSMODE"]  # KeyError -> 500, as the app
        if chaos == "on":
            roll = random.randint(1, 100)
            if roll < 30:
                return 500, "text/html", "Internal Server Error"
            if roll < 60:
                return 404, "text/html", "Not Found"
        _dynamodb(region).update_item(
            TableName=env.get("DDB_TABLE_NAME"), Key={"MysfitId": {"S": parts[1]}},
            UpdateExpression="SET Likes = Likes + :n", ExpressionAttributeValues={":n": {"N": "1"}})
        return 200, "application/json", json.dumps({"Update": "Success"})
    return 404, "text/html", "Not Found"


def serve(environ, start_response):
    host = (environ.get("HTTP_HOST") or "").lower()
    name, _, port = host.partition(":")
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO") or "/"
    found = _find_load_balancer(name)
    if found is None:
        response = Response("emulator: no load balancer has the DNS name %s" % name, status=502)
        return response(environ, start_response)
    account_id, region, backend, lb = found
    target_group = _target_group(backend, lb, int(port or 80), path)
    serving = _serving_container(account_id, region, target_group) if target_group else None
    if serving is None:
        body = "<html><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>"
        return Response(body, status=503, mimetype="text/html")(environ, start_response)
    container, detail = serving
    env = {e.get("name"): e.get("value") for e in container.get("environment") or []}
    env.setdefault("AWS_REGION", region)
    env.setdefault("AWS_DEFAULT_REGION", region)
    handler = _like if detail["app"] == "like" else _core
    try:
        status, mimetype, body = handler(method, path, environ.get("QUERY_STRING", ""), env, region)
    except Exception:  # noqa: BLE001 - the app's unhandled exception: Flask answers 500
        status, mimetype, body = 500, "text/html", "<h1>Internal Server Error</h1>"
    if method == "HEAD":
        body = ""
    return Response(body, status=status, content_type=mimetype)(environ, start_response)


# --- target health: the ECS tasks behind a target group -------------------------------------------

def task_targets(account_id, region, target_group_arn):
    """``[(ip, port, state, reason, description)]`` of the ECS tasks registered with a target group.

    ECS registers each running task of a service that names the target group ("Use load balancing to
    distribute Amazon ECS service traffic", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html);
    a target is ``healthy`` when the task serves the health check (the application's port answers ``/``),
    ``unhealthy`` (``Target.FailedHealthChecks``) when it does not (a placeholder on another port)
    ("Health checks for your target groups", target-group-health-checks.html).
    """
    import hashlib
    from moto.ecs.models import ecs_backends
    backend = ecs_backends[account_id][region]
    result = []
    for service in list(backend.services.values()):
        if service.status != "ACTIVE":
            continue
        for mapping in service.load_balancers or []:
            if (mapping.get("targetGroupArn") or mapping.get("TargetGroupArn")) != target_group_arn:
                continue
            current = ecs_deploy.view(service)
            if not current["running"]:
                continue
            task_definition = ecs_deploy.task_definition_of(backend, current["serving_task_definition"])
            name = mapping.get("containerName") or mapping.get("ContainerName")
            port = str(mapping.get("containerPort") or mapping.get("ContainerPort") or 8080)
            serves = False
            for container in task_definition.container_definitions if task_definition else []:
                if container.get("name") == name:
                    available, detail = ecr_images.image_status(container.get("image") or "", account_id, region)
                    serves = bool(available and detail.get("app"))
            seed = int(hashlib.sha256(service.arn.encode()).hexdigest(), 16)
            for index in range(current["running"]):
                ip = "10.0.%d.%d" % (100 + seed % 100, 10 + index)
                if serves:
                    result.append((ip, port, "healthy", None, None))
                else:
                    result.append((ip, port, "unhealthy", "Target.FailedHealthChecks", "Health checks failed"))
    return result


def _describe_target_health(self, target_group_arn, targets):
    from moto.elbv2.models import FakeHealthStatus
    found = _ORIGINAL_HEALTH(self, target_group_arn, targets)
    ecs_targets = task_targets(self.account_id, self.region_name, target_group_arn)
    wanted = {(t.get("Id"), str(t.get("Port") or "")) for t in targets or []}
    for ip, port, status, reason, description in ecs_targets:
        if wanted and (ip, port) not in wanted and (ip, "") not in wanted:
            continue
        found.append(FakeHealthStatus(ip, port, port, status, reason, description))
    return found


_ORIGINAL_HEALTH = None


def install():
    global _ORIGINAL_HEALTH
    from moto.elbv2.models import ELBv2Backend
    if _ORIGINAL_HEALTH is None:
        _ORIGINAL_HEALTH = ELBv2Backend.describe_target_health
        ELBv2Backend.describe_target_health = _describe_target_health
