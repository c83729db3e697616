"""PutReplicationConfiguration as AWS limits it (the emulator replaces moto's one-rule refusal).

References:
- Amazon ECR User Guide, "Private image replication" (considerations): a replication configuration holds up
  to 10 rules, with up to 25 unique destinations across all rules; a rule's repository filters select the
  repositories it replicates (PREFIX_MATCH).
- Amazon ECR API reference, ReplicationRule: ``destinations`` 0 to 100 items, ``repositoryFilters`` 1 to 100
  items when given; PutReplicationConfiguration answers ``InvalidParameterException`` for a configuration that
  does not satisfy its constraints (a destination that is the source registry itself is one).
"""
import boto3
import botocore.config
import botocore.exceptions
import pytest

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "us-east-2", "us-west-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
           "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
           "ca-central-1", "sa-east-1", "eu-south-1", "ap-east-1", "me-south-1", "af-south-1", "ap-northeast-3",
           "eu-central-2", "ap-south-2", "ap-southeast-3", "me-central-1", "il-central-1", "ca-west-1"]


def rule(prefix, *regions):
    return {"destinations": [{"region": r, "registryId": ACCOUNT} for r in regions],
            "repositoryFilters": [{"filter": prefix, "filterType": "PREFIX_MATCH"}]}


def _refused(ecr, config):
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ecr.put_replication_configuration(replicationConfiguration=config)
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    return error.value.response["Error"]["Message"]


def test_several_rules_are_accepted_up_to_ten(aws):
    ecr = aws.client("ecr", region="us-west-2")
    config = {"rules": [rule("team-", "eu-central-1"), rule("mm-", "us-east-1", "eu-west-1")]}
    ecr.put_replication_configuration(replicationConfiguration=config)
    assert ecr.describe_registry()["replicationConfiguration"] == config
    ten = {"rules": [rule("p%d-" % i, "us-east-1") for i in range(10)]}
    ecr.put_replication_configuration(replicationConfiguration=ten)
    assert "at most 10 rules" in _refused(ecr, {"rules": ten["rules"] + [rule("p10-", "us-east-1")]})
    assert ecr.describe_registry()["replicationConfiguration"] == ten


def test_at_most_25_unique_destinations_across_the_rules(aws):
    ecr = aws.client("ecr", region="us-west-2")
    # the same 25 destinations in two rules count once
    ok = {"rules": [rule("a-", *REGIONS[:25]), rule("b-", *REGIONS[:25])]}
    ecr.put_replication_configuration(replicationConfiguration=ok)
    assert "25 unique destinations" in _refused(ecr, {"rules": [rule("a-", *REGIONS[:13]),
                                                               rule("b-", *REGIONS[13:26])]})


def test_the_source_registry_and_an_empty_filter_list_are_refused(aws):
    ecr = aws.client("ecr", region="us-west-2")
    assert "same as the source registry" in _refused(ecr, {"rules": [rule("mm-", "us-west-2")]})
    # botocore checks the list sizes before sending; the emulator checks them again for a client that does not
    unchecked = boto3.client("ecr", region_name="us-west-2", endpoint_url=aws.endpoint,
                             aws_access_key_id="AKIAEMULATOR0000TEST", aws_secret_access_key="emulator-dummy-secret",
                             config=botocore.config.Config(parameter_validation=False))
    empty = {"destinations": [{"region": "us-east-1", "registryId": ACCOUNT}], "repositoryFilters": []}
    assert "1 to 100 repository filters" in _refused(unchecked, {"rules": [empty]})
    assert "0 to 100" in _refused(unchecked, {"rules": [rule("mm-", *(REGIONS[:1] * 101))]})
