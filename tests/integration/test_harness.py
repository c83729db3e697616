"""The harness runs a module through ansible-playbook against the emulator and returns its result."""


def test_amazon_aws_module_reaches_the_emulator(aws, module_runner):
    aws.client("s3").create_bucket(Bucket="harness-bucket",
                                   CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    result = module_runner("amazon.aws.s3_bucket_info", {"name": "harness-bucket"}, region="us-west-2")
    assert not result.get("failed"), result
    assert [b["name"] for b in result["buckets"]] == ["harness-bucket"]
    assert any(c["operation"] == "ListBuckets" for c in aws.control.calls())
