"""The full, comparable state of the lab's resources, read with boto3 (read calls only).

``snapshot(client)`` returns one plain dict (JSON-serialisable, sorted) of everything the site playbook
builds or edits, so that two converges can be compared with ``==`` and a difference printed with
:func:`diff`. ``client(service, region)`` is a boto3 client factory (the ``aws`` fixture's ``client``).

What is kept, and what is normalised because it differs from one run to the next although nothing
the collection does differs (each found by comparing two fault-free converges, see docs/reliability.md):

stacks (every region, primary and secondary stack)
    name, status, parameters, outputs, and the stack's resources as (logical id, type, status).
    Dropped: ``StackId``. Physical ids are not kept as such; instead every physical id (and every
    ``/``-separated part of an ARN) that carries a generated, random part — a CloudFormation name suffix
    (``mm-primary-region-CodePipelineRole-5B09ZRHAC3KV``, ``…-artifactbucket-wadowzycqzbz``), an EC2 id
    (``vpc-0a42…``), a load balancer or target group hex id, a UUID, an Elastic IP — is replaced,
    EVERYWHERE in the snapshot (dashboard bodies, pipeline declarations, bucket names, outputs), by the
    name of the resource it belongs to, ``<region/stack/LogicalId>``. So a dashboard that points at the
    other region's load balancer, or a pipeline at another bucket, still differs. The load balancer's
    DNS name carries a random number, replaced by ``<id>``.
table (every region)
    name, status, key schema, attribute definitions, billing mode, stream specification, global
    secondary indexes (name, key schema, projection), ``GlobalTableVersion``, replicas as
    (region, status), and ALL items (a full scan, sorted by key). Dropped: ``TableId``,
    ``CreationDateTime``, ``LatestStreamArn``/``LatestStreamLabel`` (timestamps), sizes and counts
    that moto fills lazily (``TableSizeBytes``; ``ItemCount`` is implied by the items).
pipelines (primary region, every pipeline in the region)
    the ``pipeline`` declaration without ``version`` (each UpdatePipeline increments it; a retried or
    re-run no-op write would too, with no visible effect). ``metadata`` (ARN, timestamps) dropped.
repositories (primary region, the two service repositories by name: moto has no ListRepositories)
    per branch: the files at the head (path → content; every file, ``buildspec_prod.yml`` included)
    and the history as a list of (message, tree id) from the head back to the first commit — so the
    number of commits is compared as well. Commit ids are dropped: they hash the commit time.
dashboards (every region)
    every dashboard by name (the backup ``<name>-backup`` included), body parsed from JSON.
buckets
    every bucket: name, region, default encryption rules, versioning status, public access block,
    policy (parsed). Creation dates dropped. Bucket names are deterministic (the stack's artifact
    bucket is named by moto's CloudFormation from the stack name; the cross-region ones by the module
    from region, account and pipeline name) so they are kept as they are.
"""
import difflib
import json
import re

import botocore.exceptions

PRIMARY = "us-west-2"
SECONDARIES = ("us-east-1",)
STACKS = {"primary": "mm-primary-region", "secondary": "mm-secondary-region"}
TABLE = "MythicalMysfits-DDBTable"
# The emulator (moto) has no ListRepositories: the repositories are named (design.md's defaults).
REPOSITORIES = ("core-service-mm-primary-region", "like-service-mm-primary-region")

# A physical id, or a part of one, with a generated random part (see the module docstring).
_RANDOM = re.compile(
    r"-[A-Za-z0-9]{12}$"                                      # CloudFormation's generated name suffix
    r"|^[a-z]+-[0-9a-f]{8,17}(~.*)?$"                         # EC2 ids (vpc-, subnet-, rtb-...~0.0.0.0/0)
    r"|^[0-9a-f]{16}$"                                        # load balancer / target group / listener ids
    r"|^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"  # UUIDs
    r"|^\d+\.\d+\.\d+\.\d+$")                                   # Elastic IPs
_ELB_DNS = re.compile(r"^(.+?)-\d+(\.[a-z0-9-]+\.elb\.amazonaws\.com)$")


def random_tokens(stack_resources):
    """``{token: placeholder}`` for the random physical ids of ``{"region/stack": [(logical, physical)]}``."""
    tokens = {}
    for stack, resources in stack_resources.items():
        for logical, physical in resources:
            if not physical:
                continue
            placeholder = "<%s/%s>" % (stack, logical)
            parts = [physical] + physical.split(":")[-1].split("/")
            for part in parts:
                if part and _RANDOM.search(part) and part not in tokens:
                    tokens[part] = placeholder
    return tokens


def _replacer(tokens):
    if not tokens:
        return lambda text: text
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    pattern = re.compile(r"(?<![A-Za-z0-9_-])(?:%s)(?![A-Za-z0-9_-])" % alternatives)
    return lambda text: pattern.sub(lambda m: tokens[m.group(0)], text)


def normalise(value, replace):
    """``value`` with ``replace`` applied to every string in it, dict keys included."""
    if isinstance(value, str):
        return _ELB_DNS.sub(r"\1-<id>\2", replace(value))
    if isinstance(value, dict):
        return {normalise(k, replace): normalise(v, replace) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v, replace) for v in value]
    return value


def _code(error):
    return error.response.get("Error", {}).get("Code")


def _stack(client, region, name):
    cfn = client("cloudformation", region)
    try:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    except botocore.exceptions.ClientError as error:
        if _code(error) == "ValidationError":
            return None
        raise
    summaries = []
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=name):
        summaries += page["StackResourceSummaries"]
    physical = [(r["LogicalResourceId"], r.get("PhysicalResourceId")) for r in summaries]
    return {
        "status": stack["StackStatus"],
        "parameters": {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])},
        "outputs": {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
        "resources": sorted((r["LogicalResourceId"], r["ResourceType"], r["ResourceStatus"]) for r in summaries),
    }, physical


def _table(client, region, name):
    ddb = client("dynamodb", region)
    try:
        table = ddb.describe_table(TableName=name)["Table"]
    except botocore.exceptions.ClientError as error:
        if _code(error) == "ResourceNotFoundException":
            return None
        raise
    items = []
    for page in ddb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
        items += page["Items"]
    key = [k["AttributeName"] for k in table["KeySchema"]]
    items.sort(key=lambda item: json.dumps([item.get(k) for k in key], sort_keys=True))
    return {
        "status": table["TableStatus"],
        "key_schema": table["KeySchema"],
        "attributes": sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "billing_mode": (table.get("BillingModeSummary") or {}).get("BillingMode"),
        "stream": table.get("StreamSpecification"),
        "indexes": sorted(({"name": i["IndexName"], "key_schema": i["KeySchema"], "projection": i["Projection"]}
                           for i in table.get("GlobalSecondaryIndexes", [])), key=lambda i: i["name"]),
        "global_table_version": table.get("GlobalTableVersion"),
        "replicas": sorted((r["RegionName"], r.get("ReplicaStatus")) for r in table.get("Replicas", [])),
        "items": items,
    }


def _pipelines(client, region):
    cp = client("codepipeline", region)
    names = []
    for page in cp.get_paginator("list_pipelines").paginate():
        names += [p["name"] for p in page["pipelines"]]
    result = {}
    for name in sorted(names):
        declaration = cp.get_pipeline(name=name)["pipeline"]
        declaration.pop("version", None)
        result[name] = declaration
    return result


def _history(cc, repository, commit_id):
    history = []
    while commit_id:
        commit = cc.get_commit(repositoryName=repository, commitId=commit_id)["commit"]
        history.append((commit.get("message", ""), commit["treeId"]))
        parents = commit.get("parents") or []
        commit_id = parents[0] if parents else None
    return history


def _files(cc, repository, commit_id, folder="/"):
    files = {}
    folder_view = cc.get_folder(repositoryName=repository, commitSpecifier=commit_id, folderPath=folder)
    for entry in folder_view.get("files", []):
        blob = cc.get_file(repositoryName=repository, commitSpecifier=commit_id, filePath=entry["absolutePath"])
        files[entry["absolutePath"]] = blob["fileContent"].decode()
    for sub in folder_view.get("subFolders", []):
        files.update(_files(cc, repository, commit_id, sub["absolutePath"]))
    return files


def _repositories(client, region, names):
    cc = client("codecommit", region)
    result = {}
    for name in sorted(names):
        branches = {}
        for branch in sorted(cc.list_branches(repositoryName=name).get("branches", [])):
            head = cc.get_branch(repositoryName=name, branchName=branch)["branch"]["commitId"]
            history = _history(cc, name, head)
            branches[branch] = {"files": _files(cc, name, head), "history": history, "commits": len(history)}
        result[name] = branches
    return result


def _dashboards(client, region):
    cw = client("cloudwatch", region)
    names = []
    for page in cw.get_paginator("list_dashboards").paginate():
        names += [d["DashboardName"] for d in page["DashboardEntries"]]
    return {name: json.loads(cw.get_dashboard(DashboardName=name)["DashboardBody"]) for name in sorted(names)}


def _optional(call, missing_codes, pick):
    try:
        return pick(call())
    except botocore.exceptions.ClientError as error:
        if _code(error) in missing_codes:
            return None
        raise


def _buckets(client):
    s3 = client("s3", PRIMARY)
    result = {}
    for bucket in sorted(b["Name"] for b in s3.list_buckets()["Buckets"]):
        region = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
        local = client("s3", region)
        result[bucket] = {
            "region": region,
            "encryption": _optional(lambda: local.get_bucket_encryption(Bucket=bucket),
                                    ("ServerSideEncryptionConfigurationNotFoundError",),
                                    lambda r: r["ServerSideEncryptionConfiguration"]["Rules"]),
            "versioning": local.get_bucket_versioning(Bucket=bucket).get("Status"),
            "public_access_block": _optional(lambda: local.get_public_access_block(Bucket=bucket),
                                             ("NoSuchPublicAccessBlockConfiguration",),
                                             lambda r: r["PublicAccessBlockConfiguration"]),
            "policy": _optional(lambda: local.get_bucket_policy(Bucket=bucket), ("NoSuchBucketPolicy",),
                                lambda r: json.loads(r["Policy"])),
        }
    return result


def stack_tokens(client, primary=PRIMARY, secondaries=SECONDARIES, stacks=None):
    """``{token: placeholder}`` of the stacks as they are now (for :func:`snapshot`'s ``tokens`` once a stack
    is gone: what still names its resources is then normalised as before)."""
    stacks = stacks or STACKS
    physical = {}
    for region in [primary] + list(secondaries):
        for _role, name in sorted(stacks.items()):
            found = _stack(client, region, name)
            if found is not None:
                physical["%s/%s" % (region, name)] = found[1]
    return random_tokens(physical)


def snapshot(client, primary=PRIMARY, secondaries=SECONDARIES, stacks=None, table=TABLE,
             repositories=REPOSITORIES, tokens=None):
    """Everything the site playbook builds or edits, as one comparable dict (see the module docstring).

    ``tokens``: more ``{token: placeholder}`` (:func:`stack_tokens` of an earlier state), used for tokens the
    current stacks do not name.
    """
    stacks = stacks or STACKS
    regions = [primary] + list(secondaries)
    state = {"stacks": {}, "table": {}, "dashboards": {}}
    physical = {}
    for region in regions:
        for _role, name in sorted(stacks.items()):
            found = _stack(client, region, name)
            if found is not None:
                key = "%s/%s" % (region, name)
                state["stacks"][key], physical[key] = found
        state["table"][region] = _table(client, region, table)
        state["dashboards"][region] = _dashboards(client, region)
    state["pipelines"] = _pipelines(client, primary)
    state["repositories"] = _repositories(client, primary, repositories)
    state["buckets"] = _buckets(client)
    state = normalise(state, _replacer(dict(tokens or {}, **random_tokens(physical))))
    # One canonical form: tuples become lists, so that a snapshot equals its JSON round trip.
    return json.loads(json.dumps(state, sort_keys=True, default=str))


def diff(expected, actual, limit=120):
    """A unified diff of two snapshots (for assertion messages), at most ``limit`` lines."""
    lines = list(difflib.unified_diff(
        json.dumps(expected, indent=1, sort_keys=True).splitlines(),
        json.dumps(actual, indent=1, sort_keys=True).splitlines(),
        "reference", "this run", lineterm="", n=2))
    if len(lines) > limit:
        lines = lines[:limit] + ["... %d more lines" % (len(lines) - limit)]
    return "\n".join(lines)


def items_by_key(state, region, key="MysfitId"):
    """The table's items in a region, keyed by ``key`` (raises on a duplicate key)."""
    items = (state["table"].get(region) or {}).get("items", [])
    keyed = {}
    for item in items:
        value = json.dumps(item[key], sort_keys=True)
        assert value not in keyed, "duplicate item %s in %s" % (value, region)
        keyed[value] = item
    return keyed
