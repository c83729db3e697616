"""Resource Groups Tagging API GetResources lists CodePipeline pipelines, as AWS does.

Source [GR]: GetResources, Resource Groups Tagging API Reference,
https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html
(botocore's service model carries the same text):
- "Returns all the tagged or previously tagged resources that are located in the specified Amazon Web
  Services Region for the account." / "GetResources does not return untagged resources."
- TagFilters: "restrict the output to only those resources that have tags with the specified keys and, if
  included, the specified values"; "If you specify a filter that contains more than one value for a key,
  the response returns resources that match any of the specified values for that key."; "If you don't
  specify a value for a key, the response returns all resources that are tagged with that key, with any or
  no value."; "If you don't specify a TagFilter, the response includes all resources that are currently
  tagged or ever had a tag. Resources that were previously tagged, but do not currently have tags, are
  shown with an empty tag set, like this: "Tags": []"; "A request can include up to 50 keys, and each key
  can include up to 20 values."
- ResourceTypeFilters: "The format of each resource type is service[:resourceType]. For example, specifying
  a service of ec2 returns all Amazon EC2 resources (which includes EC2 instances). Specifying a resource
  type of ec2:instance returns only EC2 instances."; "You can't specify both this parameter and the
  ResourceArnList parameter in the same request. If you do, you get an Invalid Parameter exception."
- ResourcesPerPage: "You can specify a minimum of 1 and a maximum value of 100." (the reference gives no
  default; moto's, 50, is kept). Errors: InvalidParameterException ("An provided parameter value is out of
  range."), PaginationTokenExpiredException.
- PaginationToken: "Repeat the query, passing the PaginationToken response parameter value as an input to
  the next request until you recieve a null value."
"""
import json

import botocore.exceptions
import pytest

PRIMARY, SECONDARY = "us-west-2", "eu-west-1"
ACCOUNT = "123456789012"
KEY = "mysfits.multi_region/artifact-stores"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture
def role_arn(aws):
    iam = aws.client("iam")
    return iam.create_role(RoleName="TaggingPipelineRole",
                           AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


def _pipeline(aws, role_arn, name, region=PRIMARY, tags=None):
    action = {"actionTypeId": {"owner": "AWS", "version": "1"}, "runOrder": 1}
    declaration = {
        "name": name, "roleArn": role_arn,
        "artifactStore": {"type": "S3", "location": "artifacts-%s" % region},
        "stages": [
            {"name": "Source", "actions": [dict(action, name="Source", configuration={
                "RepositoryName": "repo", "BranchName": "main"}, outputArtifacts=[{"name": "Src"}],
                actionTypeId={"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"})]},
            {"name": "Build", "actions": [dict(action, name="Build", configuration={"ProjectName": "build"},
                                               inputArtifacts=[{"name": "Src"}], actionTypeId={
                "category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"})]},
        ],
    }
    kwargs = {"pipeline": declaration}
    if tags:
        kwargs["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
    aws.client("codepipeline", region).create_pipeline(**kwargs)
    return "arn:aws:codepipeline:%s:%s:%s" % (region, ACCOUNT, name)


def _tagging(aws, region=PRIMARY):
    return aws.client("resourcegroupstaggingapi", region)


def _all(aws, region=PRIMARY, **kwargs):
    """What the collection reads: every page of the paginator, as {arn: {key: value}}."""
    found = {}
    for page in _tagging(aws, region).get_paginator("get_resources").paginate(**kwargs):
        for mapping in page["ResourceTagMappingList"]:
            assert mapping["ResourceARN"] not in found
            found[mapping["ResourceARN"]] = {t["Key"]: t["Value"] for t in mapping["Tags"]}
    return found


def _store_filter(**extra):
    return dict(ResourceTypeFilters=["codepipeline:pipeline"], TagFilters=[dict(Key=KEY, **extra)])


def test_tagged_pipeline_listed_with_its_tags_untagged_one_not(aws, role_arn):  # [GR] TagFilters, untagged
    tagged = _pipeline(aws, role_arn, "Tagged", tags={KEY: "us-west-2,eu-west-1", "team": "mysfits"})
    _pipeline(aws, role_arn, "Untagged")
    other_key = _pipeline(aws, role_arn, "OtherKey", tags={"team": "mysfits"})
    assert _all(aws, **_store_filter()) == {tagged: {KEY: "us-west-2,eu-west-1", "team": "mysfits"}}
    # without filters: every tagged pipeline, the untagged one still not
    assert set(_all(aws)) == {tagged, other_key}


def test_tag_resource_adds_the_pipeline(aws, role_arn):
    arn = _pipeline(aws, role_arn, "LaterTagged")
    assert _all(aws, **_store_filter()) == {}
    aws.client("codepipeline").tag_resource(resourceArn=arn, tags=[{"key": KEY, "value": "us-west-2"}])
    assert _all(aws, **_store_filter()) == {arn: {KEY: "us-west-2"}}


def test_values_filter_matches_any_of_the_values(aws, role_arn):  # [GR] TagFilters Values
    one = _pipeline(aws, role_arn, "One", tags={KEY: "a"})
    two = _pipeline(aws, role_arn, "Two", tags={KEY: "b"})
    _pipeline(aws, role_arn, "Three", tags={KEY: "c"})
    assert set(_all(aws, **_store_filter(Values=["a"]))) == {one}
    assert set(_all(aws, **_store_filter(Values=["a", "b", "zz"]))) == {one, two}
    assert _all(aws, **_store_filter(Values=["zz"])) == {}


def test_every_filter_must_match(aws, role_arn):  # [GR] "resources that satisfy all filters"
    both = _pipeline(aws, role_arn, "Both", tags={KEY: "a", "team": "x"})
    _pipeline(aws, role_arn, "KeyOnly", tags={KEY: "a"})
    found = _all(aws, ResourceTypeFilters=["codepipeline:pipeline"],
                 TagFilters=[{"Key": KEY}, {"Key": "team", "Values": ["x"]}])
    assert set(found) == {both}


def test_untagged_pipeline_is_not_listed_by_the_filter_but_shown_empty_without(aws, role_arn):  # [GR]
    arn = _pipeline(aws, role_arn, "Untag", tags={KEY: "us-west-2"})
    aws.client("codepipeline").untag_resource(resourceArn=arn, tagKeys=[KEY])
    assert aws.client("codepipeline").list_tags_for_resource(resourceArn=arn)["tags"] == []
    # with a TagFilter: only resources with that tag
    assert _all(aws, **_store_filter()) == {}
    # without one: "ever had a tag" resources, with "Tags": []
    assert _all(aws, ResourceTypeFilters=["codepipeline:pipeline"]) == {arn: {}}


def test_resource_type_filters(aws, role_arn):  # [GR] ResourceTypeFilters service[:resourceType]
    arn = _pipeline(aws, role_arn, "Typed", tags={KEY: "x"})
    aws.client("sqs").create_queue(QueueName="tagged-queue", tags={KEY: "x"})
    assert set(_all(aws, ResourceTypeFilters=["codepipeline"], TagFilters=[{"Key": KEY}])) == {arn}
    assert _all(aws, ResourceTypeFilters=["codepipeline:webhook"], TagFilters=[{"Key": KEY}]) == {}
    everything = _all(aws, TagFilters=[{"Key": KEY}])
    assert arn in everything and any(":sqs:" in a for a in everything)  # other types still answered by moto
    assert set(_all(aws, ResourceTypeFilters=["sqs"], TagFilters=[{"Key": KEY}])) == {
        a for a in everything if ":sqs:" in a}


def test_only_the_region_asked(aws, role_arn):  # [GR] "located in the specified ... Region"
    here = _pipeline(aws, role_arn, "Here", tags={KEY: "x"})
    there = _pipeline(aws, role_arn, "There", region=SECONDARY, tags={KEY: "y"})
    assert _all(aws, PRIMARY, **_store_filter()) == {here: {KEY: "x"}}
    assert _all(aws, SECONDARY, **_store_filter()) == {there: {KEY: "y"}}
    assert _all(aws, "ap-southeast-1", **_store_filter()) == {}


def test_pages_of_one_return_every_pipeline(aws, role_arn):  # [GR] ResourcesPerPage, PaginationToken
    arns = {_pipeline(aws, role_arn, "Paged%d" % n, tags={KEY: str(n)}) for n in range(3)}
    tagging = _tagging(aws)
    seen, token, pages = [], None, 0
    while True:
        kwargs = dict(_store_filter(), ResourcesPerPage=1)
        if token:
            kwargs["PaginationToken"] = token
        page = tagging.get_resources(**kwargs)
        pages += 1
        assert len(page["ResourceTagMappingList"]) <= 1
        seen.extend(m["ResourceARN"] for m in page["ResourceTagMappingList"])
        token = page.get("PaginationToken")
        if not token:
            break
    assert pages >= 3 and sorted(seen) == sorted(arns)
    # and through boto3's paginator with a page size of 1
    assert set(_all(aws, PaginationConfig={"PageSize": 1}, **_store_filter())) == arns


def test_unknown_pagination_token_is_refused(aws):  # [GR] errors
    with pytest.raises(botocore.exceptions.ClientError) as error:
        _tagging(aws).get_resources(PaginationToken="not-a-token")
    assert error.value.response["Error"]["Code"] == "PaginationTokenExpiredException"


@pytest.mark.parametrize("size", [0, 101, 1000])
def test_resources_per_page_outside_1_to_100_is_refused(aws, role_arn, size):  # [GR] ResourcesPerPage
    _pipeline(aws, role_arn, "Any", tags={KEY: "x"})
    with pytest.raises(botocore.exceptions.ClientError) as error:
        _tagging(aws).get_resources(ResourcesPerPage=size, **_store_filter())
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"


@pytest.mark.parametrize("kwargs", [
    {"TagFilters": [{"Key": KEY}]},
    {"ResourceTypeFilters": ["codepipeline:pipeline"]},
    {"ResourcesPerPage": 10},
])
def test_resource_arn_list_with_filters_or_paging_is_refused(aws, role_arn, kwargs):  # [GR] ResourceARNList
    arn = _pipeline(aws, role_arn, "ByArn", tags={KEY: "x"})
    with pytest.raises(botocore.exceptions.ClientError) as error:
        _tagging(aws).get_resources(ResourceARNList=[arn], **kwargs)
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    listed = _tagging(aws).get_resources(ResourceARNList=[arn])["ResourceTagMappingList"]
    assert listed == [{"ResourceARN": arn, "Tags": [{"Key": KEY, "Value": "x"}]}]


def test_too_many_tag_filters_or_values_are_refused(aws):  # [GR] "up to 50 keys ... up to 20 values"
    tagging = _tagging(aws)
    for tag_filters in ([{"Key": "k%d" % n} for n in range(51)], [{"Key": KEY, "Values": [str(n) for n in range(21)]}]):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            tagging.get_resources(TagFilters=tag_filters)
        assert error.value.response["Error"]["Code"] == "InvalidParameterException"


def test_deleted_pipeline_is_gone(aws, role_arn):
    _pipeline(aws, role_arn, "Gone", tags={KEY: "x"})
    aws.client("codepipeline").delete_pipeline(name="Gone")
    assert _all(aws, **_store_filter()) == {}
    assert _all(aws) == {}
