"""ecr_replication against the emulator (moto's ECR: DescribeRegistry / PutReplicationConfiguration).

moto 5.2.5 accepts at most one replication rule ("This feature is disabled"
for more), where AWS accepts ten; merging into a second rule is therefore
covered by the unit tests only.
"""

REGION = "us-west-2"


def registry(aws):
    return aws.client("ecr").describe_registry()


def test_destinations_merge_into_existing_rule_and_second_run_is_idempotent(aws, module_runner):
    account = registry(aws)["registryId"]
    theirs = {"region": "eu-west-1", "registryId": account}
    aws.client("ecr").put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [theirs]}]})
    mark = aws.control.last_seq()
    result = module_runner("ecr_replication", {"destinations": [{"region": "us-east-1"}]}, region=REGION, diff=True)
    assert result["changed"] is True, result
    rules = registry(aws)["replicationConfiguration"]["rules"]
    assert rules == [{"destinations": [theirs, {"region": "us-east-1", "registryId": account}]}]
    assert result["diff"]["before"]["rules"][0]["destinations"] == [theirs]
    assert [c["operation"] for c in aws.control.mutating_calls(since=mark)] == ["PutReplicationConfiguration"]

    mark = aws.control.last_seq()
    again = module_runner("ecr_replication", {"destinations": [{"region": "us-east-1"}]}, region=REGION)
    assert again["changed"] is False
    assert aws.control.mutating_calls(since=mark) == []


def test_filtered_rule_in_empty_registry_and_check_mode(aws, module_runner):
    args = {"destinations": [{"region": "us-east-1"}, {"region": "eu-west-1"}],
            "repository_filters": ["mm-primary-region-mythical", "mm-primary-region-like"]}
    mark = aws.control.last_seq()
    planned = module_runner("ecr_replication", args, region=REGION, check=True)
    assert planned["changed"] is True and aws.control.mutating_calls(since=mark) == []
    assert registry(aws)["replicationConfiguration"] == {"rules": []}
    result = module_runner("ecr_replication", args, region=REGION)
    assert result["changed"] is True, result
    rule = registry(aws)["replicationConfiguration"]["rules"][0]
    assert sorted(f["filter"] for f in rule["repositoryFilters"]) == sorted(args["repository_filters"])
    assert {d["region"] for d in rule["destinations"]} == {"us-east-1", "eu-west-1"}


def test_absent_removes_only_our_destination(aws, module_runner):
    account = registry(aws)["registryId"]
    aws.client("ecr").put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [
        {"region": "eu-west-1", "registryId": account}, {"region": "us-east-1", "registryId": account}]}]})
    result = module_runner("ecr_replication", {"destinations": [{"region": "us-east-1"}], "state": "absent"},
                           region=REGION)
    assert result["changed"] is True, result
    assert registry(aws)["replicationConfiguration"]["rules"] == [
        {"destinations": [{"region": "eu-west-1", "registryId": account}]}]


def test_own_region_is_rejected_before_any_call(aws, module_runner):
    mark = aws.control.last_seq()
    result = module_runner("ecr_replication", {"destinations": [{"region": REGION}]}, region=REGION)
    assert result.get("failed") is True and result["msg"].startswith("destinations:"), result
    assert "own region" in result["msg"]
    assert aws.control.mutating_calls(since=mark) == []
