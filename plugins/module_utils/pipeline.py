# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans for the CodePipeline and CodeCommit modules: pure functions, no boto3.

``codepipeline_stage`` reads a pipeline declaration (``GetPipeline``), computes
the declaration it wants (:func:`plan_stage`) and writes it back
(``UpdatePipeline``) through :func:`apply_stage`, which only needs two
callables; the orchestration is therefore testable with any client.

Artifact stores
  A pipeline whose actions all run in its own region has one ``artifactStore``.
  As soon as one action runs in another region, CodePipeline needs
  ``artifactStores``: a map region -> store with one entry per region used
  (the pipeline's own region included) and no ``artifactStore``. The plan
  converts between the two forms, keeps every existing store (with its
  encryption key) and adds a store for each new region: the one the user gave
  in ``artifact_stores`` or a bucket named by :func:`artifact_bucket_name`.

Concurrency
  CodePipeline has no conditional write: ``UpdatePipeline`` replaces the whole
  declaration and does not reject a stale ``version``. :func:`apply_stage`
  therefore reads, plans, re-reads just before writing and compares versions;
  if the version moved it re-plans once on the fresh declaration, and if it
  moved again it gives up (:class:`ConcurrentChange`). A change made by someone
  else in the short window between the second read and the write is still
  overwritten: that window cannot be closed with this API.
"""

from __future__ import annotations

import copy
import hashlib
import re

# aws partitions' region names: us-east-1, eu-central-2, us-gov-west-1, us-iso-east-1, ...
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$")

# CodePipeline runs these action kinds only in the pipeline's own region
# ("cross-Region actions are not supported for source actions, third-party
# actions or custom actions").
SAME_REGION_ONLY_CATEGORIES = ("Source",)
SAME_REGION_ONLY_OWNERS = ("ThirdParty", "Custom")

ACTION_TYPE_KEYS = ("category", "owner", "provider", "version")
STAGE_OWNED_KEYS = ("name", "actions")


class PlanError(Exception):
    """Bad input, found before any mutating call; names the offending parameter."""

    def __init__(self, parameter, message):
        self.parameter = parameter
        super().__init__("%s: %s" % (parameter, message))


class ConcurrentChange(Exception):
    """The pipeline changed under us twice in a row."""


def artifact_bucket_name(pipeline, account, region):
    """Deterministic artifact bucket name: ``codepipeline-<region>-<account>-<8 hex of sha256(pipeline)>``.

    At most 13 + 14 + 1 + 12 + 1 + 8 = 49 characters, lowercase, valid for S3
    and unique per account, region and pipeline.
    """
    digest = hashlib.sha256(pipeline.encode("utf-8")).hexdigest()[:8]
    return ("codepipeline-%s-%s-%s" % (region, account, digest)).lower()


def account_from_arn(arn):
    """The account id in an ARN (``arn:aws:codepipeline:us-west-2:123456789012:name``), or None."""
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


def _config_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def normalise_action(action, pipeline_region=None):
    """An action as the API stores it, for comparison or sending.

    API defaults are filled in (``runOrder`` 1, empty artifact lists and
    configuration), configuration values become strings, unset (None/empty)
    optional keys are dropped. With ``pipeline_region`` an explicit region equal
    to the pipeline's own is dropped too (it means the same thing).
    """
    out = {}
    for key, value in action.items():
        if value is None or (key in ("namespace", "roleArn", "region") and value == ""):
            continue
        out[key] = copy.deepcopy(value)
    out["runOrder"] = int(out.get("runOrder", 1))
    out["configuration"] = {k: _config_value(v) for k, v in (out.get("configuration") or {}).items()
                            if v is not None}
    for key in ("inputArtifacts", "outputArtifacts"):
        out[key] = [{"name": a["name"]} if isinstance(a, dict) else {"name": a} for a in (out.get(key) or [])]
    type_id = out.get("actionTypeId")
    if isinstance(type_id, dict):
        out["actionTypeId"] = {k: _config_value(v) for k, v in type_id.items() if v is not None}
    for key in ("outputVariables", "commands"):
        if key in out and not out[key]:
            del out[key]
    if pipeline_region and out.get("region") == pipeline_region:
        del out["region"]
    return out


def normalise_stage(stage, pipeline_region=None):
    """A stage for comparison: its actions normalised and keyed by name (their order is not meaningful)."""
    out = {k: copy.deepcopy(v) for k, v in stage.items() if k != "actions" and v not in (None, [], {})}
    out["actions"] = {a.get("name"): normalise_action(a, pipeline_region) for a in stage.get("actions", [])}
    return out


def stages_equal(left, right, pipeline_region):
    return normalise_stage(left, pipeline_region) == normalise_stage(right, pipeline_region)


def store_map(declaration, pipeline_region):
    """Region -> artifact store of a declaration, whichever form it uses."""
    if declaration.get("artifactStores"):
        return copy.deepcopy(declaration["artifactStores"])
    if declaration.get("artifactStore"):
        return {pipeline_region: copy.deepcopy(declaration["artifactStore"])}
    return {}


def regions_used(stages, pipeline_region):
    """Every region an action of ``stages`` runs in, the pipeline's own included."""
    regions = {pipeline_region}
    for stage in stages:
        for action in stage.get("actions", []):
            regions.add(action.get("region") or pipeline_region)
    return regions


def store_from_option(region, spec):
    """``artifact_stores`` entry -> API artifact store."""
    if not isinstance(spec, dict):
        raise PlanError("artifact_stores", "the entry for %s must be a dict with 'bucket' (and optionally "
                        "'encryption_key'), got %r" % (region, spec))
    bucket = spec.get("bucket") or spec.get("location")
    if not bucket:
        raise PlanError("artifact_stores", "the entry for %s needs 'bucket': the S3 bucket of that region "
                        "that holds the pipeline's artifacts" % region)
    store = {"type": "S3", "location": bucket}
    key = spec.get("encryption_key") or spec.get("encryptionKey")
    if key:
        store["encryptionKey"] = key if isinstance(key, dict) else {"id": key, "type": "KMS"}
    return store


def _validate_region(region, parameter):
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        raise PlanError(parameter, "%r is not an AWS region name (like us-east-1)" % (region,))


def validate_actions(actions, pipeline_region):
    if not actions:
        raise PlanError("actions", "a stage needs at least one action")
    names = set()
    for index, action in enumerate(actions):
        if not isinstance(action, dict) or not action.get("name"):
            raise PlanError("actions", "action #%d has no 'name'" % (index + 1))
        name = action["name"]
        if name in names:
            raise PlanError("actions", "two actions are named %r; action names must be unique in a stage" % name)
        names.add(name)
        type_id = action.get("actionTypeId")
        missing = [k for k in ACTION_TYPE_KEYS if not isinstance(type_id, dict) or not type_id.get(k)]
        if missing:
            raise PlanError("actions", "action %r: actionTypeId needs %s (e.g. {category: Deploy, owner: AWS, "
                            "provider: ECS, version: '1'})" % (name, ", ".join(missing)))
        region = action.get("region")
        if region:
            _validate_region(region, "actions")
            if region != pipeline_region:
                if type_id["category"] in SAME_REGION_ONLY_CATEGORIES or type_id["owner"] in SAME_REGION_ONLY_OWNERS:
                    raise PlanError("actions", "action %r (%s, owner %s) cannot run in another region (%s) than "
                                    "the pipeline's (%s): CodePipeline supports cross-region actions only for "
                                    "AWS-owned non-source actions; drop 'region'" % (
                                        name, type_id["category"], type_id["owner"], region, pipeline_region))


def validate_artifacts(stages):
    """Every input artifact must be produced by an earlier stage or an earlier runOrder of the same stage."""
    produced = set()
    for stage in stages:
        by_order = sorted(stage.get("actions", []), key=lambda a: int(a.get("runOrder", 1)))
        stage_produced = {}
        for action in by_order:
            order = int(action.get("runOrder", 1))
            available = produced | {n for o, names in stage_produced.items() if o < order for n in names}
            for artifact in action.get("inputArtifacts") or []:
                name = artifact["name"] if isinstance(artifact, dict) else artifact
                if name not in available:
                    yield stage.get("name"), action.get("name"), name
            stage_produced.setdefault(order, set()).update(
                a["name"] if isinstance(a, dict) else a for a in action.get("outputArtifacts") or [])
        for names in stage_produced.values():
            produced |= names


# ---------------------------------------------------------------- what the module added (a pipeline tag)

RECORD_TAG = "mysfits.multi_region/artifact-stores"
RECORD_FORMS = ("artifactStore", "artifactStores")
RECORD_KINDS = {"g": "generated", "u": "given"}
TAG_VALUE_MAX = 256  # CodePipeline Tag: value of 0 to 256 characters


def role_digest(role_arn):
    """8 hex digits of sha256(role ARN): which service role a generated bucket's policy grants."""
    return hashlib.sha256((role_arn or "").encode("utf-8")).hexdigest()[:8]


def parse_record(text):
    """The value of the :data:`RECORD_TAG` tag -> ``{"form", "role", "added": {region: kind}}``; None for no tag.

    Format (tag values allow letters, digits, spaces and ``_ . : / = + - @``):
    ``form=artifactStore role=1a2b3c4d us-east-1=g eu-west-1=u``: the form the pipeline's
    store had before the module added any, the digest of the role its generated buckets grant,
    and each region whose store the module added, ``g`` with a bucket it generated, ``u`` with
    a bucket given in ``artifact_stores``.
    """
    if text is None:
        return None
    record = {"form": None, "role": None, "added": {}}
    for token in text.split():
        key, sep, value = token.partition("=")
        if not sep:
            break
        if key == "form" and value in RECORD_FORMS:
            record["form"] = value
        elif key == "role" and re.match(r"^[0-9a-f]{8}$", value):
            record["role"] = value
        elif REGION_PATTERN.match(key) and value in RECORD_KINDS:
            record["added"][key] = RECORD_KINDS[value]
        else:
            break
    else:
        if record["form"]:
            return record
    raise PlanError("pipeline", "the pipeline's tag %s has the value %r, which this module did not write; "
                    "remove the tag (UntagResource) only if the pipeline is back to what it was before the "
                    "collection, or write it again as form=artifactStore|artifactStores role=<8 hex> "
                    "<region>=g|u ..." % (RECORD_TAG, text))


def format_record(record):
    """The tag value of a record (see :func:`parse_record`); None when the module has added nothing."""
    if not record or not record["added"]:
        return None
    kinds = {v: k for k, v in RECORD_KINDS.items()}
    tokens = ["form=%s" % record["form"]]
    if record.get("role"):
        tokens.append("role=%s" % record["role"])
    tokens += ["%s=%s" % (region, kinds[kind]) for region, kind in sorted(record["added"].items())]
    text = " ".join(tokens)
    if len(text) > TAG_VALUE_MAX:
        raise PlanError("actions", "the module records the regions whose artifact store it added in the pipeline "
                        "tag %s, whose value can hold at most %d characters; %d regions do not fit" % (
                            RECORD_TAG, TAG_VALUE_MAX, len(record["added"])))
    return text


def adopted_record(declaration, pipeline_region, account):
    """What a pipeline without the tag says about itself.

    A store whose bucket has the generated name (pipeline, account and region in it) was
    added by this module; when every store besides the pipeline region's is such a store,
    the pipeline had a single ``artifactStore`` before. Anything else is the team's own.
    """
    stores = store_map(declaration, pipeline_region)
    pipeline = declaration.get("name") or ""
    added = {}
    for region, store in stores.items():
        if region != pipeline_region and store.get("location") == artifact_bucket_name(pipeline, account or "", region):
            added[region] = "generated"
    others = set(stores) - {pipeline_region}
    if "artifactStores" not in declaration or (others and others == set(added)):
        form = "artifactStore"
    else:
        form = "artifactStores"
    return {"form": form, "role": None, "added": added}


# ---------------------------------------------------------------- the plan

def _merge_actions(existing, given, absent, purge):
    """The stage's actions: ``given`` replace theirs by name (or all of them with ``purge``), ``absent`` go.

    ``purge`` needs ``given``: removing actions by name alone (``absent`` without ``given``) keeps the others.
    """
    if purge and given:
        merged = list(given)
    else:
        by_name = {a.get("name"): a for a in given}
        merged = [by_name.pop(a.get("name"), a) for a in existing]
        merged += [a for a in given if a.get("name") in by_name]
    return [a for a in merged if a.get("name") not in absent]


def _validate_absent(absent_actions, actions):
    for name in absent_actions:
        if not isinstance(name, str) or not name:
            raise PlanError("absent_actions", "each entry must be an action name (a string), got %r" % (name,))
    both = sorted(set(absent_actions) & {a.get("name") for a in actions if isinstance(a, dict)})
    if both:
        raise PlanError("absent_actions", "%s also in actions; an action is either wanted (actions) or removed "
                        "(absent_actions)" % ", ".join(repr(n) for n in both))


def plan_stage(declaration, name, actions, pipeline_region, account, state="present", after=None, before=None,
               artifact_stores=None, create_artifact_buckets=True, purge_actions=True, absent_actions=None,
               record=None):
    """The declaration after ensuring stage ``name`` (``state=present``) or its absence.

    ``actions`` are merged into the stage's actions by name (``purge_actions=False``) or
    replace them (``purge_actions=True``); ``absent_actions`` names actions to remove. A stage
    left with no action is removed. ``record`` is the value of the pipeline's
    :data:`RECORD_TAG` tag (None: no tag).

    Artifact stores: a region an action needs gets one (given or generated). A store is only
    ever removed if the record says this module added it, no action of the pipeline runs in
    its region any more, and this run removed actions (``absent_actions``, ``state=absent``,
    or ``purge_actions`` dropping them). With only the pipeline's region left, the store map
    goes back to a single ``artifactStore`` only if the pipeline had one before.

    Returns a dict: ``changed`` (the declaration), ``declaration`` (the new one, ``version``
    as read), ``buckets`` (region -> generated bucket to ensure before writing: the stores
    this plan adds, and every generated store's bucket when the pipeline's role changed),
    ``released`` (region -> generated bucket no store uses any more, to delete on request),
    ``record_before``/``record`` (tag values, None for no tag), ``stage_changed``,
    ``stores_changed``. Raises :class:`PlanError` on bad input.
    """
    _validate_region(pipeline_region, "region")
    absent = list(absent_actions or [])
    actions = list(actions or [])
    _validate_absent(absent, actions)
    new = copy.deepcopy(declaration)
    stages = new.get("stages", [])
    names = [s.get("name") for s in stages]
    existing_index = names.index(name) if name in names else None
    existing = stages[existing_index] if existing_index is not None else None
    pipeline = declaration.get("name")
    found = parse_record(record)
    old_record = found or adopted_record(declaration, pipeline_region, account)
    result = {"changed": False, "declaration": new, "buckets": {}, "released": {}, "stage_changed": False,
              "stores_changed": False, "record_before": record}

    if state == "present":
        for option, value in (("after", after), ("before", before)):
            if value is None:
                continue
            if value == name:
                raise PlanError(option, "the stage cannot be placed relative to itself (%r)" % value)
            if value not in names:
                raise PlanError(option, "pipeline %s has no stage %r; its stages are: %s" % (
                    pipeline, value, ", ".join(n for n in names if n != name)))
        if actions or not absent:
            validate_actions(actions, pipeline_region)
        for region in (artifact_stores or {}):
            _validate_region(region, "artifact_stores")
        wanted = _merge_actions((existing or {}).get("actions", []), [normalise_action(a) for a in actions],
                                set(absent), purge_actions)
    else:
        wanted = []

    position = None
    if existing is not None:
        del stages[existing_index]
    if wanted:
        desired = {k: copy.deepcopy(v) for k, v in (existing or {}).items() if k not in STAGE_OWNED_KEYS}
        desired["name"] = name
        desired["actions"] = wanted
        if after is not None:
            position = [s["name"] for s in stages].index(after) + 1
        elif before is not None:
            position = [s["name"] for s in stages].index(before)
        elif existing_index is not None:
            position = existing_index
        else:
            position = len(stages)
        stages.insert(position, desired)
        missing = list(validate_artifacts(stages))
        ours = [m for m in missing if m[0] == name]
        if ours:
            raise PlanError("actions", "; ".join(
                "action %r needs input artifact %r, which no earlier stage or runOrder produces" % (a, art)
                for _stage, a, art in ours) + " (check the artifact name and the stage position after/before)")
        stage_changed = (existing is None or existing_index != position
                         or not stages_equal(existing, desired, pipeline_region))
        if not stage_changed:
            # keep exactly what AWS has, so the declaration we would send equals the one we read
            stages[position] = existing
    else:
        stage_changed = existing is not None

    old_stores = store_map(declaration, pipeline_region)
    stores = copy.deepcopy(old_stores)
    now_used = regions_used(stages, pipeline_region)
    # Regions whose actions this run removed; their store goes if the module added it and nothing else uses it.
    # purge_actions=false without absent_actions removes nothing, so no store either.
    removed_from = set()
    if existing is not None:
        kept_names = {a.get("name") for a in wanted}
        removed_from = regions_used([{"actions": [a for a in existing.get("actions", [])
                                                  if a.get("name") not in kept_names]}], pipeline_region)
    added = dict(old_record["added"])
    for region in sorted(removed_from - now_used - {pipeline_region}):
        if region in added and region in stores:
            del stores[region]
    for region, spec in (artifact_stores or {}).items():
        if region in now_used or region in stores:
            stores[region] = store_from_option(region, spec)
    # The role the generated buckets' policies grant: recorded as a digest. A pipeline without the tag
    # (its stores adopted) has granted nothing yet.
    role_changed = (found or {}).get("role") != role_digest(declaration.get("roleArn"))
    for region in sorted(now_used):
        generated = artifact_bucket_name(pipeline or "", account or "", region)
        if region not in stores:
            if not create_artifact_buckets:
                raise PlanError("artifact_stores", "an action runs in %s, where pipeline %s has no artifact "
                                "store; give one in artifact_stores or set create_artifact_buckets=true" % (
                                    region, pipeline))
            if not account:
                raise PlanError("artifact_stores", "cannot name an artifact bucket for %s without the account "
                                "id; give the store in artifact_stores" % region)
            stores[region] = {"type": "S3", "location": generated}
        if region != pipeline_region and (region not in old_stores or region in added):
            # a store given in artifact_stores in place of a generated one: its bucket is the user's
            added[region] = "generated" if stores[region].get("location") == generated else "given"
        # A generated bucket is ensured (created, secured, the role granted) when its store is added, and
        # again when the pipeline's role is not the one its policy grants; otherwise a re-run reads no bucket.
        if region != pipeline_region and stores[region].get("location") == generated and (
                region not in old_stores or (role_changed and added.get(region) == "generated")):
            result["buckets"][region] = generated
    # Regions the module added whose store is gone (now, or by an earlier run that stopped before it
    # updated the tag): forgotten, and their generated bucket released.
    for region in sorted(added):
        if region not in stores:
            if added[region] == "generated":
                result["released"][region] = artifact_bucket_name(pipeline or "", account or "", region)
            del added[region]

    form = old_record["form"]
    if set(stores) == {pipeline_region} and form == "artifactStore":
        new_form = {"artifactStore": stores[pipeline_region]}
    elif "artifactStores" not in declaration and set(stores) == {pipeline_region}:
        new_form = {"artifactStore": stores[pipeline_region]}
    else:
        new_form = {"artifactStores": stores}
    old_form = {k: declaration[k] for k in RECORD_FORMS if k in declaration}
    stores_changed = new_form != old_form
    if stores_changed:
        new.pop("artifactStore", None)
        new.pop("artifactStores", None)
        new.update(new_form)

    new_record = {"form": form, "role": role_digest(declaration.get("roleArn")), "added": added}
    result.update(changed=stage_changed or stores_changed, stage_changed=stage_changed,
                  stores_changed=stores_changed, record=format_record(new_record))
    return result


def record_for_the_write(plan):
    """The tag value to write BEFORE UpdatePipeline: what was recorded plus what the plan adds.

    Written first, a run that stops between the two writes still knows on its next run which
    stores it added and the form the pipeline had. Removals are recorded after the update.
    None when nothing has to be written first.
    """
    old, new = parse_record(plan["record_before"]), parse_record(plan["record"])
    if new is None:
        return None
    if old is None:
        return plan["record"]
    union = {"form": old["form"], "role": new["role"], "added": dict(old["added"], **new["added"])}
    text = format_record(union)
    return None if text == plan["record_before"] else text


def apply_stage(get_pipeline, update_pipeline, plan_kwargs, ensure_buckets=None, check_mode=False,
                read_record=None, write_record=None, release_buckets=None):
    """Read, plan, write: the whole ``codepipeline_stage`` change, with one re-plan on a concurrent change.

    ``get_pipeline(name)`` returns GetPipeline's answer; ``update_pipeline(declaration)``
    sends UpdatePipeline and returns its answer; ``ensure_buckets(buckets, role_arn)``
    makes sure the generated buckets exist and grant the pipeline's role (never called in check mode);
    ``read_record(pipeline_arn)`` returns the :data:`RECORD_TAG` tag's value or None,
    ``write_record(pipeline_arn, value)`` writes it (None: removes the tag);
    ``release_buckets(buckets)`` deletes generated buckets no store uses any more and
    returns those it deleted. ``plan_kwargs`` are :func:`plan_stage`'s keyword arguments
    except ``declaration``, ``account`` and ``record``.

    Order: buckets ensured -> tag (what is added) -> UpdatePipeline -> buckets released -> tag
    (final). Returns a dict with ``changed``, ``before``, ``after``, ``plan``, ``replanned``,
    ``account``, ``record_changed`` and ``released`` (region -> bucket deleted, or to delete in check mode).
    """
    name = plan_kwargs["pipeline"]
    kwargs = {k: v for k, v in plan_kwargs.items() if k != "pipeline"}
    replanned = False
    for attempt in (1, 2):
        answer = get_pipeline(name)
        before = answer["pipeline"]
        arn = (answer.get("metadata") or {}).get("pipelineArn")
        account = account_from_arn(arn)
        record = read_record(arn) if read_record else None
        plan = plan_stage(before, account=account, record=record, **kwargs)
        outcome = {"changed": plan["changed"], "before": before, "after": before, "plan": plan,
                   "replanned": replanned, "account": account, "released": {},
                   "record_changed": plan["record"] != record}
        if check_mode:
            outcome.update(after=plan["declaration"] if plan["changed"] else before, released=dict(plan["released"]))
            return outcome
        if ensure_buckets and plan["buckets"]:
            ensure_buckets(plan["buckets"], before.get("roleArn"))
        first = record_for_the_write(plan)
        if write_record and first is not None and first != record:
            write_record(arn, first)
            record = first
        if plan["changed"]:
            fresh = get_pipeline(name)["pipeline"]
            if fresh.get("version") != before.get("version"):
                if attempt == 1:
                    replanned = True
                    continue
                raise ConcurrentChange(
                    "pipeline %s changed while this task was updating it (version %s, then %s); nothing was "
                    "written, so the other change is kept. Run the task again once the other change is done." % (
                        name, before.get("version"), fresh.get("version")))
            written = update_pipeline(plan["declaration"])
            outcome["after"] = written.get("pipeline", plan["declaration"])
        if release_buckets and plan["released"]:
            outcome["released"] = release_buckets(plan["released"]) or {}
        if write_record and plan["record"] != record:
            write_record(arn, plan["record"])
        return outcome
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- CodeCommit

def file_change(current, desired):
    """Whether a file with ``current`` bytes (None: absent) must be committed to hold ``desired`` bytes."""
    return current is None or current != desired


class OutdatedParent(Exception):
    """PutFile said the parent commit is no longer the branch head (someone pushed meanwhile)."""


def ensure_file(read, put, desired, check_mode=False):
    """Make a file hold ``desired`` bytes: read, compare, commit on the head read; one re-read on a push race.

    ``read()`` returns ``(head commit id or None, current bytes or None, blob id or None)``;
    ``put(parent)`` commits and returns PutFile's answer (None when AWS says the
    content is the same), raising :class:`OutdatedParent` when the parent is stale.
    Returns a dict with ``changed``, ``commit_id``, ``parent_commit_id``,
    ``blob_id``, ``before``. Raises :class:`ConcurrentChange` when the branch moved twice.
    """
    head, current, blob = read()
    result = {"changed": False, "commit_id": head, "parent_commit_id": head, "blob_id": blob, "before": current}
    if not file_change(current, desired):
        return result
    result["changed"] = True
    if check_mode:
        return result
    for attempt in (1, 2):
        try:
            answer = put(head)
        except OutdatedParent:
            if attempt == 2:
                raise ConcurrentChange("the branch moved twice while committing (someone else is pushing to it); "
                                       "nothing was committed, run the task again")
            head, current, blob = read()
            result.update(parent_commit_id=head, commit_id=head, blob_id=blob, before=current)
            if not file_change(current, desired):
                result["changed"] = False
                return result
            continue
        if answer is None:
            result["changed"] = False
            return result
        result.update(commit_id=answer["commitId"], blob_id=answer.get("blobId"))
        return result
    raise AssertionError("unreachable")


def text_for_diff(content):
    if content is None:
        return ""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return "<binary content, %d bytes>" % len(content)


# ---------------------------------------------------------------- deployment targets

ORPHAN_PROBLEM = ("has deploy actions in %s but is not in the inventory: keep it in the inventory (or remove it "
                  "with playbooks/teardown.yml); the buildspecs are not rewritten until then")
DEFERRED_PROBLEM = ("not added to %s: the buildspec, shared by every region, cannot be rewritten while %s is "
                    "not known")


def existing_deploy_actions(declaration, stage_name, pipeline_region):
    """Region -> ``{action, imagedefinitions}`` of the ECS deploy actions already in stage ``stage_name`` of a
    GetPipeline declaration: the first ECS action of each region other than the pipeline's (the lab's hand-made
    stage has one, named CrossRegionDeploy). ``imagedefinitions`` is the action's ``FileName`` ('' when unset)."""
    found = {}
    for stage in (declaration or {}).get("stages") or []:
        if stage.get("name") != stage_name:
            continue
        for action in stage.get("actions") or []:
            region = action["region"] if "region" in action else pipeline_region
            provider = (action.get("actionTypeId") or {}).get("provider", "")
            if region != pipeline_region and region not in found and provider == "ECS":
                found[region] = {"action": action.get("name"),
                                 "imagedefinitions": (action.get("configuration") or {}).get("FileName") or ""}
    return found


def deploy_targets(declaration, stage_name, pipeline, pipeline_region, service, regions, inventory_regions,
                   secondaries, unknown, absent_regions, input_artifact):
    """What the pipeline_cross_region role ensures for one service's pipeline, from its declaration as read.

    ``regions``: region -> mm_region facts (``ecr``, ``cluster`` and ``services`` by service name);
    ``inventory_regions``: the secondary regions of the inventory; ``secondaries``: those with facts in this run
    (sorted); ``unknown``: those without; ``absent_regions``: the regions taken out (teardown).

    The names of a region's action and imagedefinitions file are given once and then found in the stage, never
    recomputed from how many regions there are: a first action gets the lab's names (``CrossRegionDeploy``,
    ``imagedefinitions_secondary.json``) when the inventory has one secondary region, else names with the region.
    The buildspec, one file for every region, can be rewritten (``buildspec_ok``) only when every region it must
    serve is known: no unknown region and no region with an action in the stage that the inventory lacks
    (``orphans``). Otherwise only the regions that already deploy keep their actions (``targets``), and the others
    wait (``deferred``); ``problems`` says why, by region.

    Returns ``existing``, ``primary_uri``, ``orphans``, ``buildspec_ok``, ``restore`` (no secondary region stays
    and at least one is taken out), ``targets``, ``deferred``, ``problems``, ``actions`` (the stage's actions for
    codepipeline_stage) and ``absent_actions`` (the actions of the regions taken out). A region or service missing
    from ``regions`` raises KeyError.
    """
    existing = existing_deploy_actions(declaration, stage_name, pipeline_region)
    absent = list(absent_regions)
    orphans = sorted(set(existing) - set(inventory_regions) - set(absent))
    kept = set(existing) - set(absent)
    lab_names = not kept and len(inventory_regions) == 1
    buildspec_ok = not unknown and not orphans
    chosen = list(secondaries) if buildspec_ok else [r for r in secondaries if r in existing]
    deferred = [] if buildspec_ok else [r for r in secondaries if r not in existing]
    targets = []
    for region in chosen:
        found = existing.get(region, {})
        facts = regions[region]
        uri = facts["ecr"][service]
        targets.append({
            "region": region,
            "repository_uri": uri,
            "registry": uri.split("/")[0],
            "cluster": facts["cluster"],
            "service": facts["services"][service],
            "action": found.get("action") or stage_name + ("" if lab_names else "-" + region),
            "imagedefinitions": found.get("imagedefinitions")
            or "imagedefinitions_%s.json" % ("secondary" if lab_names else region),
        })
    actions = [{
        "name": target["action"],
        "region": target["region"],
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
        "runOrder": 1,
        "inputArtifacts": [{"name": input_artifact}],
        "configuration": {"ClusterName": target["cluster"], "ServiceName": target["service"],
                          "FileName": target["imagedefinitions"]},
    } for target in targets]
    problems = {region: ORPHAN_PROBLEM % pipeline for region in orphans}
    waiting = ", ".join(list(unknown) + orphans)
    problems.update({region: DEFERRED_PROBLEM % (pipeline, waiting) for region in deferred})
    return {
        "existing": existing,
        "primary_uri": regions[pipeline_region]["ecr"][service],
        "orphans": orphans,
        "buildspec_ok": buildspec_ok,
        "restore": not secondaries and bool(absent),
        "targets": targets,
        "deferred": deferred,
        "problems": problems,
        "actions": actions,
        "absent_actions": [existing[r]["action"] for r in absent if r in existing],
    }


# ---------------------------------------------------------------- executions

TERMINAL_STATUSES = ("Succeeded", "Failed", "Stopped", "Superseded", "Cancelled")
FAILED_STATUSES = ("Failed", "Stopped", "Superseded", "Cancelled")


def failed_actions(state, execution_id=None):
    """Actions that failed in GetPipelineState's answer (for ``execution_id`` when given)."""
    failures = []
    for stage in state.get("stageStates", []):
        for action in stage.get("actionStates", []):
            latest = action.get("latestExecution") or {}
            if latest.get("status") != "Failed":
                continue
            if execution_id and latest.get("pipelineExecutionId") not in (None, execution_id) and \
                    (stage.get("latestExecution") or {}).get("pipelineExecutionId") not in (None, execution_id):
                continue
            failures.append({
                "stage": stage.get("stageName"),
                "action": action.get("actionName"),
                "message": (latest.get("errorDetails") or {}).get("message") or latest.get("summary") or "",
            })
    return failures


def approval_actions(declaration):
    """``{(stage, action)}`` of the manual approval actions (category ``Approval``) in a GetPipeline declaration."""
    return {(stage.get("name"), action.get("name"))
            for stage in (declaration or {}).get("stages", [])
            for action in stage.get("actions", [])
            if (action.get("actionTypeId") or {}).get("category") == "Approval"}


def pending_approvals(state, approvals, execution_id=None):
    """Approval actions waiting for an answer (``InProgress``) in GetPipelineState's answer, for
    ``execution_id`` when given: ``[{stage, action, token}]``. ``approvals``: :func:`approval_actions`."""
    pending = []
    for stage in state.get("stageStates", []):
        stage_execution = (stage.get("latestExecution") or {}).get("pipelineExecutionId")
        for action in stage.get("actionStates", []):
            if (stage.get("stageName"), action.get("actionName")) not in approvals:
                continue
            latest = action.get("latestExecution") or {}
            if latest.get("status") != "InProgress":
                continue
            owner = latest.get("pipelineExecutionId") or stage_execution
            if execution_id and owner not in (None, execution_id):
                continue
            pending.append({"stage": stage.get("stageName"), "action": action.get("actionName"),
                            "token": latest.get("token")})
    return pending


def approval_message(pipeline, region, execution_id, pending):
    """What a converge says when the execution it waits for waits on a manual approval."""
    first = pending[0]
    return ("execution %s of pipeline %s waits for a manual approval: stage %s, action %s. Not waiting for it: "
            "approve or reject it in the CodePipeline console (https://console.aws.amazon.com/codesuite/codepipeline/"
            "pipelines/%s/view?region=%s, Review) or with aws codepipeline put-approval-result --region %s "
            "--pipeline-name %s --stage-name %s --action-name %s --token %s --result "
            "summary=...,status=Approved; then run again. To wait for the approval instead, set "
            "wait_for_approval=true (the role variable pipeline_cross_region_wait_for_approval)."
            % (execution_id, pipeline, first["stage"], first["action"], pipeline, region, region, pipeline,
               first["stage"], first["action"], first.get("token") or "<token from get-pipeline-state>"))


def execution_for_revision(summaries, revision):
    """The newest execution summary whose source revisions include ``revision`` (a commit id), or None."""
    for summary in summaries:
        for source in summary.get("sourceRevisions") or []:
            if source.get("revisionId") == revision:
                return summary
    return None


def restore_point(changes, message):
    """Where to take a file's content from to undo the newest commits with ``message`` that changed it.

    ``changes``: the commits that changed the file, newest first (an iterable, read only as far as needed),
    each a dict with ``commit``, ``message``, ``parent`` (its first parent's id) and ``parent_has_file``.
    The newest changes whose message is ``message`` (compared without surrounding whitespace) are the ones to
    undo; the content to restore is the file at the parent of the oldest of them.

    Returns ``(parent commit id, None)``, or ``(None, reason)`` when there is nothing to restore: the newest
    change is someone else's (the file was edited since, and is left as it is), the file did not exist before
    those commits (PutFile cannot remove a file), or no change is known.
    """
    wanted = (message or "").strip()
    oldest = None
    for change in changes:
        if (change.get("message") or "").strip() != wanted:
            break
        oldest = change
    if oldest is None:
        return None, "the newest change of the file is not a commit with the message %r: left as it is" % wanted
    if not oldest.get("parent_has_file"):
        return None, ("the file did not exist before commit %s (%r): it is left in place (remove it by hand if it "
                      "is not wanted)" % (oldest["commit"], wanted))
    return oldest["parent"], None
