from ansible_collections.mysfits.multi_region.plugins.module_utils.ddb_replica_check import (
    canary_key,
    counts_agree,
    describe_counts,
    replica_regions_of,
)

TABLE = {
    "AttributeDefinitions": [{"AttributeName": "MysfitId", "AttributeType": "S"},
                             {"AttributeName": "Version", "AttributeType": "N"},
                             {"AttributeName": "Blob", "AttributeType": "B"}],
    "KeySchema": [{"AttributeName": "MysfitId", "KeyType": "HASH"}],
}


def test_canary_key_follows_the_key_schema():
    assert canary_key(TABLE, token="ab12") == {"MysfitId": {"S": "mm-canary-ab12"}}
    composite = dict(TABLE, KeySchema=[{"AttributeName": "Version", "KeyType": "HASH"},
                                       {"AttributeName": "Blob", "KeyType": "RANGE"}])
    assert canary_key(composite, token="ff") == {"Version": {"N": "255"}, "Blob": {"B": b"mm-canary-ff"}}


def test_canary_keys_are_unique_by_default():
    assert canary_key(TABLE) != canary_key(TABLE)


def test_counts_agree():
    assert counts_agree({"us-west-2": 12, "us-east-1": 12})
    assert not counts_agree({"us-west-2": 12, "us-east-1": 11})
    assert describe_counts({"us-west-2": 12, "us-east-1": 11}) == "us-east-1=11, us-west-2=12"


def test_replica_regions_of_leaves_out_the_home_region():
    description = {"Replicas": [{"RegionName": "us-west-2"}, {"RegionName": "us-east-1"}, {"RegionName": "eu-west-1"}]}
    assert replica_regions_of(description, "us-west-2") == ["eu-west-1", "us-east-1"]
    assert replica_regions_of({}, "us-west-2") == []
