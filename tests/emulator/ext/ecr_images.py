"""Container images: ECR registry logins and pushes from the build sandbox, and whether an image exists.

The CodeBuild extension runs buildspecs with stand-ins for ``docker`` and ``aws`` on ``PATH``
(``tests/emulator/sandbox/``). They reach this module through control routes (not the AWS API, so
a build's pushes never show in the call log that tests count the collection's calls with):

* ``ecr/login-password`` POST ``{"account", "region"}`` -> ``{"password"}``: what
  ``aws ecr get-login-password`` prints. ECR's authorization token is ``AWS:<password>`` base64
  encoded and "valid for 12 hours" (API reference, GetAuthorizationToken:
  https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html); a
  password is valid for the registry of the account and region it was issued for, and only for it
  ("an authorization token ... can be used to access any Amazon ECR registry that your IAM
  principal has access to" - in the registry's region: "Private registry authentication",
  https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html).
* ``docker/login`` POST ``{"registry", "username", "password"}``: the registry checks the
  credentials, as ``docker login`` does; the user name must be ``AWS`` (registry_auth.html).
* ``docker/push`` POST ``{"registry", "repository", "tag", "password", "manifest", "config"}``:
  the image goes into the emulated ECR repository of the registry's region (moto's ``PutImage``),
  refused without credentials for that registry, or when the repository does not exist there
  ("Pushing a Docker image": https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-push-ecr-image.html
  - "the repository must exist before you push").

``IMAGE_CONFIGS`` keeps what a pushed image runs (its config digest -> the application it serves,
read from the build context), for the load balancer's application (``ext/application.py``).
"""
import base64
import hashlib
import json
import re
import secrets
import threading
import time

from .. import app

TOKEN_SECONDS = 12 * 3600
_LOCK = threading.RLock()
# password -> (account, region, expiry)
TOKENS = {}
# config digest -> {"app": "core" | "like" | None, ...}
IMAGE_CONFIGS = {}
_installed = False

REGISTRY_RE = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
# Public registries an ECS task can pull from without any repository of this account.
PUBLIC_REGISTRIES = ("public.ecr.aws", "docker.io", "registry-1.docker.io", "index.docker.io", "ghcr.io",
                     "quay.io", "gcr.io", "registry.k8s.io")


def _reset():
    with _LOCK:
        TOKENS.clear()
        IMAGE_CONFIGS.clear()


def parse_image(uri):
    """``(registry or None, repository, tag or None, digest or None)`` of an image reference."""
    rest, digest = (uri.split("@", 1) + [None])[:2] if "@" in uri else (uri, None)
    registry = None
    first, _, remainder = rest.partition("/")
    if remainder and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    tag = None
    if ":" in rest.rsplit("/", 1)[-1]:
        rest, tag = rest.rsplit(":", 1)
    if tag is None and digest is None:
        tag = "latest"
    return registry, rest, tag, digest


def ecr_registry(registry):
    """``(account, region)`` of an ECR private registry host name, or None."""
    match = REGISTRY_RE.match(registry or "")
    return (match.group("account"), match.group("region")) if match else None


def issue_password(account, region):
    password = "emu" + secrets.token_hex(24)
    with _LOCK:
        TOKENS[password] = (account, region, time.time() + TOKEN_SECONDS)
    return password


def check_credentials(registry, username, password):
    """None when the credentials open ``registry``, else the registry's refusal."""
    target = ecr_registry(registry)
    if target is None:
        return "login attempted to https://%s/v2/ failed: the emulator serves only ECR private registries" % registry
    with _LOCK:
        issued = TOKENS.get(password or "")
    if username != "AWS" or issued is None or issued[2] < time.time() or issued[:2] != target:
        return "login attempted to https://%s/v2/ failed with status: 400 Bad Request" % registry
    return None


def _ecr(account, region):
    from moto.ecr.models import ecr_backends
    return ecr_backends[account][region]


def find_image(account, region, repository, tag=None, digest=None):
    """The moto Image of a private repository, or None."""
    try:
        repo = _ecr(account, region).repositories.get(repository)
    except KeyError:
        return None
    if repo is None:
        return None
    for image in repo.images:
        if digest and image.get_image_digest() == digest:
            return image
        if tag and not digest and tag in image.image_tags:
            return image
    return None


def image_status(image_uri, account, region):
    """``(available, detail)``: can a task in ``account``/``region`` pull ``image_uri``?

    detail: ``{"kind": "ecr" | "public", "digest", "app"}`` when available, else the reason
    (worded as ECS's ``CannotPullContainerError``, "Amazon ECS stopped task error messages",
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html).
    """
    registry, repository, tag, digest = parse_image(image_uri)
    target = ecr_registry(registry)
    if target is None:
        if registry is None or registry in PUBLIC_REGISTRIES:
            return True, {"kind": "public", "digest": None, "app": None}
        return False, "CannotPullContainerError: pull image manifest has been retried: %s: not found" % image_uri
    image = find_image(target[0], target[1], repository, tag, digest)
    if image is None:
        return False, ("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to "
                       "resolve ref %s: %s: not found" % (image_uri, image_uri))
    config = {}
    try:
        config_digest = json.loads(image.image_manifest).get("config", {}).get("digest")
        config = IMAGE_CONFIGS.get(config_digest, {})
    except (ValueError, AttributeError):
        pass
    return True, {"kind": "ecr", "digest": image.get_image_digest(), "app": config.get("app"),
                  "config": config}


def push(registry, repository, tag, password, manifest, config):
    """Put an image into the ECR of ``registry``; returns ``(digest, size)`` or raises ValueError(message)."""
    target = ecr_registry(registry)
    if target is None:
        raise ValueError("denied: requested access to the resource is denied")
    with _LOCK:
        issued = TOKENS.get(password or "")
    if issued is None or issued[:2] != target or issued[2] < time.time():
        raise ValueError("no basic auth credentials")
    account, region = target
    backend = _ecr(account, region)
    if repository not in backend.repositories:
        raise ValueError("name unknown: The repository with name '%s' does not exist in the registry with id "
                         "'%s'" % (repository, account))
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    digest = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    with _LOCK:
        IMAGE_CONFIGS[manifest["config"]["digest"]] = dict(config)
    existing = find_image(account, region, repository, digest=digest)
    if existing is not None and tag in existing.image_tags:
        return digest, len(body)  # docker push of an image already there: "Layer already exists", no change
    backend.put_image(repository, body, tag, manifest.get("mediaType"), digest)
    _replicate(account, region, repository, body, tag, manifest.get("mediaType"), digest)
    return digest, len(body)


def _replicate(account, region, repository, body, tag, media_type, digest):
    """ECR private image replication: a pushed image is copied to each destination of a matching rule
    ("Private image replication", https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html:
    "the repository ... is created in the destination Region" when it does not exist)."""
    config = getattr(_ecr(account, region), "replication_config", None) or {}
    for rule in config.get("rules", []):
        filters = rule.get("repositoryFilters") or []
        if filters and not any(repository.startswith(f.get("filter", "")) for f in filters
                               if f.get("filterType", "PREFIX_MATCH") == "PREFIX_MATCH"):
            continue
        for destination in rule.get("destinations", []):
            dest_region = destination.get("region")
            dest_account = destination.get("registryId") or account
            if not dest_region or (dest_region, dest_account) == (region, account):
                continue
            backend = _ecr(dest_account, dest_region)
            if repository not in backend.repositories:
                backend.create_repository(repository, None, None, None, None, None, None)
            if find_image(dest_account, dest_region, repository, digest=digest) is not None \
                    and tag in find_image(dest_account, dest_region, repository, digest=digest).image_tags:
                continue
            backend.put_image(repository, body, tag, media_type, digest)


@app.control_route("ecr/login-password")
def _login_password(request):
    body = app._json(request)
    return 200, {"password": issue_password(str(body["account"]), str(body["region"]))}


@app.control_route("docker/login")
def _docker_login(request):
    body = app._json(request)
    refusal = check_credentials(body.get("registry"), body.get("username"), body.get("password"))
    if refusal:
        return 401, {"error": refusal}
    return 200, {"status": "Login Succeeded"}


@app.control_route("docker/push")
def _docker_push(request):
    body = app._json(request)
    try:
        digest, size = push(body["registry"], body["repository"], body["tag"], body.get("password"),
                            body["manifest"], body.get("config") or {})
    except ValueError as exc:
        return 403, {"error": str(exc)}
    return 200, {"digest": digest, "size": size}


def auth_token(password):
    return base64.b64encode(("AWS:" + password).encode()).decode()


# PutReplicationConfiguration as AWS limits it. moto refuses every configuration of more than one rule
# ("This feature is disabled"), which AWS accepts; the emulator takes the documented limits instead (the
# stricter where two documents differ): at most 10 rules and 25 unique destinations across all rules
# (ECR User Guide, "Private image replication", considerations; the API model allows 25 rules), 1 to 100
# repository filters per rule when given, 0 to 100 destinations per rule (API_ReplicationRule), and no
# destination that is the source registry itself (moto's own check, kept).
MAX_REPLICATION_RULES = 10
MAX_REPLICATION_DESTINATIONS = 25


def _put_replication_configuration(self, replication_config):
    from moto.ecr.exceptions import InvalidParameterException
    rules = replication_config.get("rules") or []
    if len(rules) > MAX_REPLICATION_RULES:
        raise InvalidParameterException(
            "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'A replication "
            "configuration can contain at most %d rules'" % MAX_REPLICATION_RULES)
    unique = set()
    for rule in rules:
        destinations = rule.get("destinations") or []
        filters = rule.get("repositoryFilters")
        if len(destinations) > 100 or (filters is not None and not 1 <= len(filters) <= 100):
            raise InvalidParameterException(
                "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'a rule has 0 to 100 "
                "destinations and, when given, 1 to 100 repository filters'")
        for dest in destinations:
            if dest["region"] == self.region_name and dest["registryId"] == self.account_id:
                raise InvalidParameterException(
                    "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
                    "'Replication destination cannot be the same as the source registry'")
            unique.add((dest["region"], dest["registryId"]))
    if len(unique) > MAX_REPLICATION_DESTINATIONS:
        raise InvalidParameterException(
            "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'at most %d unique "
            "destinations across all rules'" % MAX_REPLICATION_DESTINATIONS)
    self.replication_config = replication_config
    return {"replicationConfiguration": replication_config}


def install():
    global _installed
    if _installed:
        return
    from moto.ecr.models import ECRBackend
    ECRBackend.put_replication_configuration = _put_replication_configuration
    if _reset not in app.RESET_HOOKS:
        app.RESET_HOOKS.append(_reset)
    _installed = True
