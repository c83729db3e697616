"""ecr_replication's merge: add destinations, never drop other rules or destinations."""
import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import ecr_replication as er

ACCOUNT = "123456789012"


def dests(*regions):
    return er.normalise_destinations([{"region": r} for r in regions], ACCOUNT, "us-west-2")


def test_empty_configuration_gets_one_rule():
    config, changed = er.merge_replication({"rules": []}, dests("us-east-1"))
    assert changed
    assert config == {"rules": [{"destinations": [{"region": "us-east-1", "registryId": ACCOUNT}]}]}


def test_none_configuration_is_empty():
    config, changed = er.merge_replication(None, dests("us-east-1"), ["core"])
    assert changed and config["rules"][0]["repositoryFilters"] == [{"filter": "core", "filterType": "PREFIX_MATCH"}]


def test_destination_added_to_rule_with_same_filters_keeping_others():
    current = {"rules": [
        {"destinations": [{"region": "eu-west-1", "registryId": "999999999999"}],
         "repositoryFilters": [{"filter": "other", "filterType": "PREFIX_MATCH"}]},
        {"destinations": [{"region": "eu-central-1", "registryId": ACCOUNT}]},
    ]}
    config, changed = er.merge_replication(current, dests("us-east-1"))
    assert changed
    assert config["rules"][0] == current["rules"][0]
    assert config["rules"][1]["destinations"] == [{"region": "eu-central-1", "registryId": ACCOUNT},
                                                  {"region": "us-east-1", "registryId": ACCOUNT}]


def test_different_filters_make_a_new_rule():
    current = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": ACCOUNT}]}]}
    config, changed = er.merge_replication(current, dests("us-east-1"), ["core-", "like-"])
    assert changed and len(config["rules"]) == 2 and config["rules"][0] == current["rules"][0]


def test_filter_order_does_not_matter_and_present_is_idempotent():
    first, dummy = er.merge_replication(None, dests("us-east-1", "eu-west-1"), ["b", "a"])
    again, changed = er.merge_replication(first, dests("eu-west-1", "us-east-1"), ["a", "b"])
    assert not changed and again == first


def test_absent_removes_only_given_destinations_then_the_empty_rule():
    config, dummy = er.merge_replication(None, dests("us-east-1", "eu-west-1"))
    config, changed = er.merge_replication(config, dests("us-east-1"), state="absent")
    assert changed and config["rules"][0]["destinations"] == [{"region": "eu-west-1", "registryId": ACCOUNT}]
    config, changed = er.merge_replication(config, dests("eu-west-1"), state="absent")
    assert changed and config == {"rules": []}
    dummy, changed = er.merge_replication(config, dests("eu-west-1"), state="absent")
    assert not changed


@pytest.mark.parametrize("destinations,words", [
    ([], "at least one"),
    ([{"region": "moon-1"}], "not an AWS region"),
    ([{"region": "us-west-2"}], "own region"),
    ([{"region": "us-east-1", "registry_id": "abc"}], "12-digit"),
    ([["us-east-1"]], "region name or a dict"),
    ([{"region": "us-east-1", "regoin": "x"}], "region name or a dict"),
])
def test_bad_destinations(destinations, words):
    with pytest.raises(er.ReplicationError) as raised:
        er.normalise_destinations(destinations, ACCOUNT, "us-west-2")
    assert raised.value.parameter == "destinations" and words in str(raised.value)


def test_region_names_are_accepted_as_destinations():
    assert er.normalise_destinations(["us-east-1", {"region": "eu-west-1"}], ACCOUNT, "us-west-2") == [
        {"region": "us-east-1", "registryId": ACCOUNT}, {"region": "eu-west-1", "registryId": ACCOUNT}]


def test_rule_limits():
    full = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": ACCOUNT}],
                       "repositoryFilters": [{"filter": "r%d" % i, "filterType": "PREFIX_MATCH"}]}
                      for i in range(er.MAX_RULES)]}
    with pytest.raises(er.ReplicationError) as raised:
        er.merge_replication(full, dests("us-east-1"), ["new"])
    assert raised.value.parameter == "repository_filters"
    with pytest.raises(er.ReplicationError):
        er.merge_replication(None, dests("us-east-1"), ["Upper Case"])
