"""Resource Groups Tagging API: CodePipeline pipelines in ``GetResources``, and the documented request rules.

moto 5.2.5 answers ``GetResources`` from the backends that mix in ``TaggableResourcesMixin``; its
``CodePipelineBackend`` does not, so no pipeline is ever listed. This extension adds to the backends moto's
tagging backend walks (``iter_taggable_backends`` as ``moto.resourcegroupstaggingapi.models`` calls it) one
more per account and region: the pipelines of that region's CodePipeline backend, resource type
``codepipeline:pipeline``, ARN ``arn:<partition>:codepipeline:<region>:<account>:<name>``, with the tags
CreatePipeline/TagResource wrote and UntagResource left. moto's own code then does the rest for every
resource type alike: ``ResourceTypeFilters`` (``codepipeline`` matches every ``codepipeline:*`` type),
``TagFilters`` (every filter must match; a filter's key must be present and, with ``Values``, carry one of
them), pagination (``ResourcesPerPage`` 1..100 and ``TagsPerPage`` 100..500, else
``InvalidParameterException``; ``PaginationToken``), and the region asked. ``GetTagKeys``/``GetTagValues``
see the pipelines' tags through the same path.

API reference, GetResources
(https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html):

* TagFilters: "If you don't specify a TagFilter, the response includes all resources that are currently
  tagged or ever had a tag. Resources that were previously tagged, but do not currently have tags, are shown
  with an empty tag set": a pipeline that once had tags and has none now is listed with ``"Tags": []`` by a
  request without TagFilters, and by no request with TagFilters (it has none of their keys). A pipeline that
  never had a tag is never listed ("GetResources does not return untagged resources").
* "You can't specify both this parameter and the ResourceArnList parameter in the same request. If you do,
  you get an Invalid Parameter exception." (TagFilters, ResourceTypeFilters, and the pagination parameters
  ResourcesPerPage, TagsPerPage, PaginationToken): moto accepts such requests; here they are an
  ``InvalidParameterException``, as are more than 50 TagFilters, more than 20 Values in one, and more than
  100 ResourceTypeFilters ("A request can include up to 50 keys, and each key can include up to 20 values";
  "The array can include up to 100 items").

Tagging pipelines through the Tagging API's own TagResources/UntagResources is left as moto answers it
(the resource is reported in ``FailedResourcesMap``); the pipelines are tagged with CodePipeline's calls.
"""
from moto.core.resource_tagging import TaggableResourcesMixin, TaggedResource

RESOURCE_TYPE = "codepipeline:pipeline"
# Limits of the API reference (module docstring).
MAX_TAG_FILTERS = 50
MAX_TAG_VALUES = 20
MAX_RESOURCE_TYPE_FILTERS = 100
_installed = False


class PipelineTags(TaggableResourcesMixin):
    """The pipelines of one CodePipeline backend, as moto's tagging backend reads a taggable backend."""

    SERVICE_NAMESPACE = "codepipeline"

    def __init__(self, backend):
        self.backend = backend
        self.partition = backend.partition

    def iter_tagged_resources(self):
        for name in sorted(self.backend.pipelines):
            pipeline = self.backend.pipelines.get(name)
            if pipeline is None:
                continue  # deleted meanwhile
            yield TaggedResource(arn=pipeline.metadata["pipelineArn"], tags=dict(pipeline.tags),
                                 resource_type=RESOURCE_TYPE,
                                 extra={"include_untagged": bool(getattr(pipeline, "ever_tagged", False))})


def _pipeline_backend(account_id, region_name):
    """The CodePipeline backend of that account and region if it has been used, else None (nothing to list)."""
    from moto.codepipeline.models import codepipeline_backends
    if account_id not in codepipeline_backends:
        return None
    regions = codepipeline_backends[account_id]
    if region_name in regions:
        return regions[region_name]
    return None


def _with_pipelines(original):
    def iter_taggable_backends(account_id, region_name):
        yield from original(account_id, region_name)
        backend = _pipeline_backend(account_id, region_name)
        if backend is not None:
            yield PipelineTags(backend)
    iter_taggable_backends.__wrapped__ = original
    return iter_taggable_backends


# --- "previously tagged": a pipeline remembers it had tags --------------------------------------

def _mark_tagged(backend, name):
    pipeline = backend.pipelines.get(name)
    if pipeline is not None and pipeline.tags:
        pipeline.ever_tagged = True


def _marking_create(original):
    def create_pipeline(self, pipeline, tags, *args, **kwargs):
        result = original(self, pipeline, tags, *args, **kwargs)
        _mark_tagged(self, (pipeline or {}).get("name"))
        return result
    create_pipeline.__wrapped__ = original
    return create_pipeline


def _marking_tag(original):
    def tag_resource(self, arn, tags, *args, **kwargs):
        result = original(self, arn, tags, *args, **kwargs)
        _mark_tagged(self, arn.split(":")[-1])
        return result
    tag_resource.__wrapped__ = original
    return tag_resource


# --- GetResources request rules --------------------------------------------------------------------

def _invalid(message):
    from moto.resourcegroupstaggingapi.exceptions import ResourceGroupsTaggingAPIError
    return ResourceGroupsTaggingAPIError("InvalidParameterException", message)


def validate_get_resources(params):
    """Raise InvalidParameterException for what the API reference refuses in a GetResources request."""
    arns = params.get("ResourceARNList")
    if arns:
        given = [name for name in ("TagFilters", "ResourceTypeFilters", "ResourcesPerPage", "TagsPerPage",
                                   "PaginationToken") if params.get(name) not in (None, [], "")]
        if given:
            raise _invalid("You can't specify both ResourceARNList and %s in the same request."
                           % " or ".join(given))
    tag_filters = params.get("TagFilters") or []
    if len(tag_filters) > MAX_TAG_FILTERS:
        raise _invalid("TagFilters has %d keys: a request can include up to %d keys."
                       % (len(tag_filters), MAX_TAG_FILTERS))
    for tag_filter in tag_filters:
        if not (tag_filter or {}).get("Key"):
            raise _invalid("Each TagFilter must contain a key.")
        values = tag_filter.get("Values") or []
        if len(values) > MAX_TAG_VALUES:
            raise _invalid("TagFilter key %s has %d values: each key can include up to %d values."
                           % (tag_filter["Key"], len(values), MAX_TAG_VALUES))
    type_filters = params.get("ResourceTypeFilters") or []
    if len(type_filters) > MAX_RESOURCE_TYPE_FILTERS:
        raise _invalid("ResourceTypeFilters has %d items: the array can include up to %d items."
                       % (len(type_filters), MAX_RESOURCE_TYPE_FILTERS))


def _validating(original):
    def get_resources(self):
        validate_get_resources(dict((name, self._get_param(name)) for name in (
            "ResourceARNList", "TagFilters", "ResourceTypeFilters", "ResourcesPerPage", "TagsPerPage",
            "PaginationToken")))
        return original(self)
    get_resources.__wrapped__ = original
    return get_resources


def install():
    global _installed
    if _installed:
        return
    from moto.codepipeline.models import CodePipelineBackend
    from moto.resourcegroupstaggingapi import models
    from moto.resourcegroupstaggingapi.responses import ResourceGroupsTaggingAPIResponse

    models.iter_taggable_backends = _with_pipelines(models.iter_taggable_backends)
    # after the codepipeline extension's CreatePipeline (install order in ext/__init__.py)
    CodePipelineBackend.create_pipeline = _marking_create(CodePipelineBackend.create_pipeline)
    CodePipelineBackend.tag_resource = _marking_tag(CodePipelineBackend.tag_resource)
    ResourceGroupsTaggingAPIResponse.get_resources = _validating(ResourceGroupsTaggingAPIResponse.get_resources)
    _installed = True
