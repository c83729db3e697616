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


# The comparison and the canary's shape, on items as DynamoDB's Scan returns them (typed values).
from ansible_collections.mysfits.multi_region.plugins.module_utils.ddb_replica_check import (  # noqa: E402
    canary_item,
    compare,
    describe_differences,
    is_canary,
    item_digest,
    snapshot,
    table_digest,
)

ITEM = {"MysfitId": {"S": "m-1"}, "Name": {"S": "Evangeline"}, "Age": {"N": "43"}, "Adopted": {"BOOL": False},
        "Tags": {"SS": ["b", "a"]}, "Likes": {"N": "0"}}


def test_item_digest_is_canonical_and_ignores_legacy_replication_attributes():
    reordered = dict(reversed(list(ITEM.items())), Tags={"SS": ["a", "b"]})
    assert item_digest(reordered) == item_digest(ITEM)
    assert item_digest(dict(ITEM, **{"aws:rep:updateregion": {"S": "us-east-1"}})) == item_digest(ITEM)
    assert item_digest(dict(ITEM, Likes={"N": "1"})) != item_digest(ITEM)


def test_compare_names_missing_extra_and_different_keys():
    home = snapshot([ITEM, dict(ITEM, MysfitId={"S": "m-2"})], ["MysfitId"])
    other = snapshot([dict(ITEM, Likes={"N": "5"}), dict(ITEM, MysfitId={"S": "m-3"})], ["MysfitId"])
    differences = compare({"us-west-2": home, "us-east-1": other}, "us-west-2")
    assert differences == {"us-east-1": {"missing": ["m-2"], "extra": ["m-3"], "different": ["m-1"]}}
    assert describe_differences(differences, "us-west-2") == (
        "us-east-1: 1 missing (m-2); 1 not in us-west-2 (m-3); 1 different (m-1)")
    assert compare({"us-west-2": home, "us-east-1": home}, "us-west-2") == {}
    assert table_digest(home["items"]) != table_digest(other["items"])


def test_canary_is_shaped_as_the_tables_items_and_marked():
    key = canary_key(TABLE, token="ab12")
    item = canary_item(TABLE, key, sample=ITEM, attributes={"Name": {"S": "Replication check"}},
                       written_at="2026-12-01T00:00:00Z")
    assert item == {"MysfitId": {"S": "mm-canary-ab12"}, "Name": {"S": "Replication check"}, "Age": {"N": "0"},
                    "Adopted": {"BOOL": False}, "Tags": {"SS": ["mm-canary"]}, "Likes": {"N": "0"},
                    "mm_canary": {"S": "mysfits.multi_region 2026-12-01T00:00:00Z"}}
    assert is_canary(item) and not is_canary(ITEM)
    assert not is_canary(dict(ITEM, mm_canary={"S": "someone else's"}))
    # an empty table: key and marker only
    assert canary_item(TABLE, key) == dict(key, mm_canary={"S": "mysfits.multi_region"})


def test_canaries_are_listed_apart_from_the_data():
    marked = canary_item(TABLE, canary_key(TABLE, token="ff"), sample=ITEM)
    snap = snapshot([ITEM, marked], ["MysfitId"])
    assert list(snap["items"]) == ["m-1"] and snap["canaries"] == [{"MysfitId": {"S": "mm-canary-ff"}}]
