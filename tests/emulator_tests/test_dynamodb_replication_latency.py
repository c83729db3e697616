"""DynamoDB publishes ReplicationLatency for every source and destination region pair of a global table.

[MON] "Monitoring global tables" (version 2019.11.21), Amazon DynamoDB developer guide,
      https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html:
      "ReplicationLatency - The elapsed time between when an item is written to a replica table, and when that
      item appears in another replica in the global table. ReplicationLatency is expressed in milliseconds and
      is emitted for every source- and destination-Region pair."
[DIM] DynamoDB metrics and dimensions: ReplicationLatency, Units: Milliseconds, Dimensions: TableName,
      ReceivingRegion (the metric is in the source region's CloudWatch; ReceivingRegion names the destination).
"""
import datetime

from tests.emulator_tests.test_dynamodb_global import PRIMARY, SECONDARY, TABLE, THIRD, _item, _make_global


def _latency(aws, source, receiving):
    now = datetime.datetime.now(datetime.timezone.utc)
    answer = aws.client("cloudwatch", source).get_metric_statistics(
        Namespace="AWS/DynamoDB", MetricName="ReplicationLatency",
        Dimensions=[{"Name": "TableName", "Value": TABLE}, {"Name": "ReceivingRegion", "Value": receiving}],
        StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1),
        Period=60, Statistics=["SampleCount", "Maximum"])
    return answer["Datapoints"]


def test_each_replicated_write_publishes_latency_in_the_source_region_per_receiving_region(aws):
    primary = _make_global(aws, regions=(SECONDARY, THIRD))
    for number in range(3):
        primary.put_item(TableName=TABLE, Item=_item("m%d" % number))       # [MON] source = PRIMARY
    aws.client("dynamodb", SECONDARY).put_item(TableName=TABLE, Item=_item("from-secondary"))
    for receiving in (SECONDARY, THIRD):
        points = _latency(aws, PRIMARY, receiving)                           # [DIM]
        assert sum(p["SampleCount"] for p in points) == 3
        assert all(p["Unit"] == "Milliseconds" and p["Maximum"] >= 0 for p in points)
    assert sum(p["SampleCount"] for p in _latency(aws, SECONDARY, PRIMARY)) == 1
    assert sum(p["SampleCount"] for p in _latency(aws, SECONDARY, THIRD)) == 1
    # nothing is published in the receiving region for the pair it receives, nor for a pair with no writes
    assert _latency(aws, SECONDARY, SECONDARY) == []
    assert _latency(aws, THIRD, PRIMARY) == []


def test_a_dropped_replication_publishes_no_latency(aws):
    primary = _make_global(aws)
    aws.control.post("dynamodb/drop-replication", {"table": TABLE, "region": SECONDARY, "count": 1})
    primary.put_item(TableName=TABLE, Item=_item("lost"))
    assert _latency(aws, PRIMARY, SECONDARY) == []
    primary.put_item(TableName=TABLE, Item=_item("kept"))
    assert sum(p["SampleCount"] for p in _latency(aws, PRIMARY, SECONDARY)) == 1
