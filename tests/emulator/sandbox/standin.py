"""Stand-ins for ``docker`` and ``aws`` inside an emulated CodeBuild build.

Called as ``standin.py docker ...`` / ``standin.py aws ...`` by the wrappers the build puts first
on ``PATH``. They behave as the tools of the project's build image would (versions from the
build's environment: ``EMULATOR_AWS_CLI_VERSION``, ``EMULATOR_DOCKER_VERSION``) and talk to the
emulator that runs the build (``EMULATOR_ENDPOINT``) through its control routes.

docker: ``build`` (reads the Dockerfile, checks every COPY/ADD source exists in the context, makes a
local image whose digest comes from its content; RUN lines are not executed), ``tag``, ``login``,
``logout``, ``push`` (into the emulated ECR of the registry's region, after a ``login`` to that
registry), ``images``, ``version``/``--version``. Containers are not run: ``docker run`` and the
like fail naming the stand-in.

aws: ``ecr get-login-password`` (AWS CLI v2, and v1 from 1.17.10), ``ecr get-login`` (v1 only),
``sts get-caller-identity``, ``--version``. Any other command fails naming the stand-in.
"""
import fnmatch
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.request

ENDPOINT = os.environ.get("EMULATOR_ENDPOINT", "")
# The local "docker daemon" (images, logins): the build's sandbox, or one folder per emulator endpoint.
STATE = os.environ.get("EMULATOR_SANDBOX_STATE") or os.path.join(
    os.environ.get("TMPDIR", "/tmp"), "emulator-docker-" + re.sub(r"\W", "_", ENDPOINT or "none"))
os.makedirs(STATE, exist_ok=True)
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"


# --------------------------------------------------------------------------- helpers

def _version(text):
    return tuple(int(p) for p in re.findall(r"\d+", text or "0")[:3])


def _load(name, default):
    path = os.path.join(STATE, name)
    if not os.path.exists(path):
        return default
    with open(path) as handle:
        return json.load(handle)


def _save(name, value):
    path = os.path.join(STATE, name)
    with open(path + ".tmp", "w") as handle:
        json.dump(value, handle)
    os.replace(path + ".tmp", path)


def _control(path, payload):
    request = urllib.request.Request(ENDPOINT.rstrip("/") + "/_emulator/" + path, method="POST",
                                     data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _fail(message, code=1):
    sys.stderr.write(message.rstrip("\n") + "\n")
    return code


def _sha(data):
    if isinstance(data, str):
        data = data.encode()
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _normalize_ref(ref):
    """docker's reference with the implied ``:latest``."""
    last = ref.rsplit("/", 1)[-1]
    if "@" in ref or ":" in last:
        return ref
    return ref + ":latest"


def _registry_of(ref):
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return None, ref


# --------------------------------------------------------------------------- docker

def _dockerfile_instructions(text):
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        lines.append(current)
        current = ""
    if current:
        lines.append(current)
    result = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


def _json_or_words(args):
    try:
        value = json.loads(args)
        if isinstance(value, list):
            return [str(v) for v in value]
    except ValueError:
        pass
    return args.split()


def _context_files(context):
    files = {}
    for root, _, names in os.walk(context):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, context).replace(os.sep, "/")
            files[rel] = path
    return files


def _classify_app(sources):
    """What a Python web service answers, from its source: the workshop's like or core (mysfits) app."""
    text = "\n".join(sources.values())
    routes = re.findall(r"""route\(\s*['"]([^'"]+)['"]""", text)
    if any(r.endswith("/like") for r in routes):
        return "like"
    if any(r.startswith("/mysfits") for r in routes):
        return "core"
    return None


def _env_reads(sources):
    """Environment variables a service reads with os.environ[...]: at start (top level) or per request."""
    startup, request = set(), set()
    for text in sources.values():
        for line in text.splitlines():
            for name in re.findall(r"""os\.environ\[\s*['"](\w+)['"]\s*\]""", line):
                (startup if not line[:1].isspace() else request).add(name)
    return sorted(startup), sorted(request - startup)


def docker_build(args):
    tags, dockerfile, context = [], None, None
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-t", "--tag"):
            tags.append(args[index + 1])
            index += 2
            continue
        if arg.startswith("--tag="):
            tags.append(arg.split("=", 1)[1])
        elif arg in ("-f", "--file"):
            dockerfile = args[index + 1]
            index += 2
            continue
        elif arg in ("--build-arg", "--label", "--target", "--platform", "--network", "--cache-from"):
            index += 2
            continue
        elif arg.startswith("-"):
            pass
        else:
            context = arg
        index += 1
    if context is None:
        return _fail('"docker build" requires exactly 1 argument.\nSee \'docker build --help\'.')
    if not os.path.isdir(context):
        return _fail("unable to prepare context: path %r not found" % context)
    dockerfile_path = os.path.join(context, dockerfile or "Dockerfile") if not (
        dockerfile and os.path.isabs(dockerfile)) else dockerfile
    if not os.path.isfile(dockerfile_path):
        return _fail("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat %s: "
                     "no such file or directory" % os.path.abspath(dockerfile_path))
    with open(dockerfile_path) as handle:
        instructions = _dockerfile_instructions(handle.read())
    files = _context_files(context)
    if not any(k == "FROM" for k, _ in instructions):
        return _fail("Error response from daemon: No build stage in current context")
    copied, layers, config = {}, [], {"env": {}, "cmd": None, "entrypoint": None, "workdir": "/"}
    steps = len(instructions)
    for number, (keyword, value) in enumerate(instructions, 1):
        print("Step %d/%d : %s %s" % (number, steps, keyword, value), flush=True)
        if keyword == "FROM":
            config["base"] = value.split()[0]
        elif keyword in ("COPY", "ADD"):
            words = [w for w in _json_or_words(value) if not w.startswith("--")]
            if any(w.startswith("--from") for w in value.split()):
                continue
            sources, matched = words[:-1], []
            for source in sources:
                pattern = source.lstrip("./") or "."
                if pattern in (".", ""):
                    hits = sorted(files)
                else:
                    hits = sorted(p for p in files if p == pattern or fnmatch.fnmatch(p, pattern)
                                  or p.startswith(pattern.rstrip("/") + "/"))
                if not hits:
                    return _fail("COPY failed: file not found in build context or excluded by .dockerignore: "
                                 "stat %s: file does not exist" % source)
                matched.extend(hits)
            digest = hashlib.sha256()
            for path in matched:
                with open(files[path], "rb") as handle:
                    content = handle.read()
                copied[path] = content
                digest.update(path.encode() + b"\0" + content)
            layers.append("sha256:" + digest.hexdigest())
        elif keyword == "RUN":
            layers.append(_sha("RUN " + value))
        elif keyword == "CMD":
            config["cmd"] = _json_or_words(value)
        elif keyword == "ENTRYPOINT":
            config["entrypoint"] = _json_or_words(value)
        elif keyword == "WORKDIR":
            config["workdir"] = value
        elif keyword == "ENV":
            name, _, rest = value.replace("=", " ", 1).partition(" ")
            config["env"][name] = rest.strip().strip('"')
    command = (config["entrypoint"] or []) + (config["cmd"] or [])
    scripts = [os.path.basename(w) for w in command if w.endswith(".py")]
    sources = {p: c.decode("utf-8", "replace") for p, c in copied.items() if p.endswith(".py")}
    started = {p: t for p, t in sources.items() if os.path.basename(p) in scripts}
    if started:
        # the started script and the modules next to it that it imports
        folder = os.path.dirname(next(iter(started)))
        sources = {p: t for p, t in sources.items() if os.path.dirname(p) == folder}
        config["app"] = _classify_app(sources)
        config["startup_env"], config["request_env"] = _env_reads(sources)
    else:
        config["app"] = None
        config["startup_env"], config["request_env"] = [], []
    config["command"] = command
    body = json.dumps({"config": config, "layers": layers}, sort_keys=True)
    image_id = _sha(body)
    images = _load("images.json", {"images": {}, "refs": {}})
    images["images"][image_id] = {"config": config, "layers": layers, "config_digest": image_id}
    for tag in tags:
        images["refs"][_normalize_ref(tag)] = image_id
    _save("images.json", images)
    print(" ---> %s" % image_id[7:19])
    print("Successfully built %s" % image_id[7:19])
    for tag in tags:
        print("Successfully tagged %s" % _normalize_ref(tag))
    return 0


def _lookup(images, ref):
    if ref in images["refs"]:
        return images["refs"][ref]
    normalized = _normalize_ref(ref)
    if normalized in images["refs"]:
        return images["refs"][normalized]
    for image_id in images["images"]:
        if len(ref) >= 4 and (image_id[7:].startswith(ref) or image_id.startswith(ref)):
            return image_id
    return None


def docker_tag(args):
    args = [a for a in args if not a.startswith("-")]
    if len(args) != 2:
        return _fail('"docker tag" requires exactly 2 arguments.\nSee \'docker tag --help\'.')
    images = _load("images.json", {"images": {}, "refs": {}})
    image_id = _lookup(images, args[0])
    if image_id is None:
        return _fail("Error response from daemon: No such image: %s" % _normalize_ref(args[0]))
    images["refs"][_normalize_ref(args[1])] = image_id
    _save("images.json", images)
    return 0


def docker_login(args, docker_version):
    username = password = server = None
    from_stdin = False
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-u", "--username"):
            username = args[index + 1]
            index += 2
            continue
        if arg in ("-p", "--password"):
            password = args[index + 1]
            index += 2
            continue
        if arg == "--password-stdin":
            if docker_version < (17, 7):
                return _fail("unknown flag: --password-stdin\nSee 'docker login --help'.", 125)
            from_stdin = True
        elif arg in ("-e", "--email") or arg.startswith("--email="):
            # --email was removed from docker login in Docker 17.06
            if docker_version >= (17, 6):
                flag = "shorthand flag: 'e' in -e" if arg == "-e" else "flag: --email"
                return _fail("unknown %s\nSee 'docker login --help'." % flag, 125)
            index += 2 if arg in ("-e", "--email") else 1
            continue
        elif arg.startswith("--username="):
            username = arg.split("=", 1)[1]
        elif arg.startswith("--password="):
            password = arg.split("=", 1)[1]
        elif not arg.startswith("-"):
            server = arg
        index += 1
    if from_stdin:
        password = sys.stdin.read().strip()
    if server is None:
        return _fail("Error response from daemon: the build's docker stand-in has no Docker Hub access; name the "
                     "registry to log in to")
    server = re.sub(r"^https?://", "", server).rstrip("/")
    if not password:
        return _fail("Error: Cannot perform an interactive login from a non TTY device")
    if password and not from_stdin:
        sys.stderr.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n")
    status, body = _control("docker/login", {"registry": server, "username": username, "password": password})
    if status != 200:
        return _fail("Error response from daemon: %s" % body.get("error"))
    logins = _load("logins.json", {})
    logins[server] = {"username": username, "password": password}
    _save("logins.json", logins)
    print("Login Succeeded")
    return 0


def docker_logout(args):
    logins = _load("logins.json", {})
    for server in [a for a in args if not a.startswith("-")]:
        logins.pop(re.sub(r"^https?://", "", server).rstrip("/"), None)
    _save("logins.json", logins)
    return 0


def docker_push(args):
    refs = [a for a in args if not a.startswith("-")]
    if len(refs) != 1:
        return _fail('"docker push" requires exactly 1 argument.\nSee \'docker push --help\'.')
    ref = _normalize_ref(refs[0])
    images = _load("images.json", {"images": {}, "refs": {}})
    image_id = images["refs"].get(ref)
    if image_id is None:
        return _fail("An image does not exist locally with the tag: %s" % refs[0].split(":")[0]
                     if ":" not in refs[0].rsplit("/", 1)[-1] else
                     "An image does not exist locally with the tag: %s" % refs[0])
    registry, path = _registry_of(ref)
    repository, _, tag = path.rpartition(":")
    print("The push refers to repository [%s]" % ref.rsplit(":", 1)[0])
    if registry is None:
        return _fail("denied: requested access to the resource is denied")
    login = _load("logins.json", {}).get(registry)
    if login is None:
        return _fail("no basic auth credentials")
    image = images["images"][image_id]
    manifest = {
        "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, "size": len(json.dumps(image["config"])), "digest": image_id},
        "layers": [{"mediaType": LAYER_TYPE, "size": 1024, "digest": layer} for layer in image["layers"]],
    }
    status, body = _control("docker/push", {"registry": registry, "repository": repository, "tag": tag,
                                            "password": login["password"], "manifest": manifest,
                                            "config": image["config"]})
    if status != 200:
        return _fail(body.get("error") or "push failed")
    for layer in image["layers"]:
        print("%s: Pushed" % layer[7:19])
    print("%s: digest: %s size: %d" % (tag, body["digest"], body["size"]))
    return 0


def docker_images(args):
    images = _load("images.json", {"images": {}, "refs": {}})
    print("REPOSITORY                                 TAG                 IMAGE ID")
    for ref, image_id in sorted(images["refs"].items()):
        repository, _, tag = ref.rpartition(":")
        print("%-42s %-19s %s" % (repository, tag, image_id[7:19]))
    return 0


def docker(args):
    version_text = os.environ.get("EMULATOR_DOCKER_VERSION", "24.0.7")
    version = _version(version_text)
    if not args or args[0] in ("--version", "-v"):
        print("Docker version %s, build emulator" % version_text)
        return 0
    command, rest = args[0], args[1:]
    if command == "version":
        print("Client:\n Version:\t%s\n\nServer:\n Engine:\n  Version:\t%s" % (version_text, version_text))
        return 0
    if command == "build":
        return docker_build(rest)
    if command == "image" and rest[:1] == ["build"]:
        return docker_build(rest[1:])
    if command == "tag":
        return docker_tag(rest)
    if command == "login":
        return docker_login(rest, version)
    if command == "logout":
        return docker_logout(rest)
    if command == "push":
        return docker_push(rest)
    if command in ("images", "image"):
        return docker_images(rest)
    return _fail("docker %s: the emulated CodeBuild's docker stand-in only builds, tags, logs in and pushes "
                 "images (tests/emulator/sandbox/standin.py)" % command, 125)


# --------------------------------------------------------------------------- aws

def _aws_usage_error(major, message):
    sys.stderr.write("\nusage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
                     "To see help text, you can run:\n\n  aws help\n  aws <command> help\n"
                     "  aws <command> <subcommand> help\n%s\n" % message)
    return 252 if major >= 2 else 2


def aws(args):
    version_text = os.environ.get("EMULATOR_AWS_CLI_VERSION", "2.15.0")
    version = _version(version_text)
    major = version[0]
    options, words = {}, []
    flags = set()
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("--") and "=" in arg:
            key, value = arg[2:].split("=", 1)
            options[key] = value
        elif arg in ("--region", "--output", "--profile", "--endpoint-url", "--query"):
            options[arg[2:]] = args[index + 1] if index + 1 < len(args) else ""
            index += 1
        elif arg == "--registry-ids":
            ids = []
            while index + 1 < len(args) and not args[index + 1].startswith("--"):
                ids.append(args[index + 1])
                index += 1
            options["registry-ids"] = ids
        elif arg.startswith("--"):
            flags.add(arg[2:])
        else:
            words.append(arg)
        index += 1
    if "version" in flags:
        if major >= 2:
            print("aws-cli/%s Python/3.11.6 Linux/5.10 exe/x86_64.ubuntu.22 prompt/off" % version_text)
        else:
            sys.stderr.write("aws-cli/%s Python/2.7.12 Linux/4.14 botocore/1.8.0\n" % version_text)
        return 0
    region = options.get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    account = os.environ.get("EMULATOR_ACCOUNT_ID", "123456789012")
    if words[:2] == ["ecr", "get-login-password"]:
        if major < 2 and version < (1, 17, 10):
            return _aws_usage_error(major, "aws: error: argument operation: Invalid choice, valid choices are:\n\n"
                                           "batch-check-layer-availability | batch-delete-image\n"
                                           "batch-get-image | complete-layer-upload\n"
                                           "create-repository | ... | get-login\n")
        if not region:
            return _fail("You must specify a region. You can also configure your region by running "
                         "\"aws configure\".", 253 if major >= 2 else 255)
        status, body = _control("ecr/login-password", {"account": account, "region": region})
        if status != 200:
            return _fail(body.get("error") or "GetAuthorizationToken failed", 254 if major >= 2 else 255)
        print(body["password"])
        return 0
    if words[:2] == ["ecr", "get-login"]:
        if major >= 2:
            return _aws_usage_error(major, "aws: error: argument operation: Invalid choice, valid choices are:\n\n"
                                           "batch-check-layer-availability | batch-delete-image\n"
                                           "... | get-login-password | ...")
        if not region:
            return _fail("You must specify a region. You can also configure your region by running "
                         "\"aws configure\".", 255)
        registries = options.get("registry-ids") or [account]
        for registry_id in registries:
            status, body = _control("ecr/login-password", {"account": registry_id, "region": region})
            if status != 200:
                return _fail(body.get("error") or "GetAuthorizationToken failed", 255)
            email = "" if "no-include-email" in flags else " -e none"
            print("docker login -u AWS -p %s%s https://%s.dkr.ecr.%s.amazonaws.com" % (
                body["password"], email, registry_id, region))
        return 0
    if words[:2] == ["sts", "get-caller-identity"]:
        print(json.dumps({"UserId": "AROAEMULATOR:codebuild", "Account": account,
                          "Arn": "arn:aws:sts::%s:assumed-role/codebuild/AWSCodeBuild" % account}, indent=4))
        return 0
    return _fail("aws %s: the emulated CodeBuild's AWS CLI stand-in knows only 'ecr get-login-password', "
                 "'ecr get-login', 'sts get-caller-identity' and '--version' (tests/emulator/sandbox/standin.py)"
                 % " ".join(words[:2]), 255)


def main(argv):
    if not argv:
        return _fail("usage: standin.py docker|aws ...")
    tool, args = argv[0], argv[1:]
    if tool == "docker":
        return docker(args)
    if tool == "aws":
        return aws(args)
    return _fail("unknown tool %s" % tool)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
