"""ddb_item_number against the emulator: read; set back conditionally; check mode writes nothing; diff;
idempotent; a number someone else changed is never overwritten (UpdateItem ConditionExpression,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html)."""
TABLE = "MythicalMysfits-DDBTable"
KEY = {"MysfitId": "4e53920c"}


def _table(aws, likes):
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    ddb.put_item(TableName=TABLE, Item={"MysfitId": {"S": KEY["MysfitId"]}, "Name": {"S": "Evangeline"},
                                        "Likes": {"N": str(likes)}})
    return ddb


def _likes(ddb):
    return ddb.get_item(TableName=TABLE, Key={"MysfitId": {"S": KEY["MysfitId"]}})["Item"]["Likes"]["N"]


def test_read_set_back_check_mode_and_idempotence(aws, module_runner):
    ddb = _table(aws, 7)
    args = {"table": TABLE, "key": KEY, "attribute": "Likes"}
    read = module_runner("ddb_item_number", args)
    assert (read["changed"], read["exists"], read["value"]) == (False, True, 7)

    mark = aws.control.last_seq()
    planned = module_runner("ddb_item_number", dict(args, value=5, expected=7), check=True, diff=True)
    assert planned["changed"] and planned["diff"] == {"before": {"Likes": 7}, "after": {"Likes": 5}}
    assert _likes(ddb) == "7" and aws.control.mutating_calls(since=mark, plane="data") == []

    done = module_runner("ddb_item_number", dict(args, value=5, expected=7))
    assert done["changed"] and _likes(ddb) == "5"
    again = module_runner("ddb_item_number", dict(args, value=5, expected=7))
    assert not again["changed"] and _likes(ddb) == "5"
    assert ddb.get_item(TableName=TABLE, Key={"MysfitId": {"S": KEY["MysfitId"]}})["Item"]["Name"]["S"] == "Evangeline"


def test_a_number_someone_else_changed_is_not_overwritten(aws, module_runner):
    ddb = _table(aws, 8)
    mark = aws.control.last_seq()
    result = module_runner("ddb_item_number", {"table": TABLE, "key": KEY, "attribute": "Likes",
                                               "value": 5, "expected": 7})
    assert result["failed"] and "Likes is 8, not the expected 7" in result["msg"]
    assert _likes(ddb) == "8" and aws.control.mutating_calls(since=mark, plane="data") == []
