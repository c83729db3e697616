"""Print what each region of an inventory holds: stacks, table and replicas, pipelines, dashboard."""
import argparse
import json
import subprocess

import boto3
import botocore.exceptions


def inventory_regions(path):
    data = json.loads(subprocess.check_output(["ansible-inventory", "-i", path, "--list"]))
    primary = data.get("primary", {}).get("hosts", [])
    secondary = data.get("secondary", {}).get("hosts", [])
    return primary, secondary


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inventory", default="inventory/regions.yml")
    parser.add_argument("--table", default=None)
    parser.add_argument("--dashboard", default="MythicalMysfits-Dashboard")
    args = parser.parse_args()
    primary, secondary = inventory_regions(args.inventory)
    for region in primary + secondary:
        role = "primary" if region in primary else "secondary"
        print("\n%s (%s)" % (region, role))
        cfn = boto3.client("cloudformation", region_name=region)
        for stack in cfn.describe_stacks()["Stacks"]:
            outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
            print("  stack %-24s %-16s %s" % (stack["StackName"], stack["StackStatus"],
                                              outputs.get("LoadBalancerDNS", "")))
            if args.table is None and "DynamoTable" in outputs:
                args.table = outputs["DynamoTable"]
        ddb = boto3.client("dynamodb", region_name=region)
        try:
            table = ddb.describe_table(TableName=args.table or "MythicalMysfits-DDBTable")["Table"]
            count = ddb.scan(TableName=table["TableName"], Select="COUNT")["Count"]
            replicas = ", ".join("%s:%s" % (r["RegionName"], r.get("ReplicaStatus")) for r in table.get("Replicas", []))
            print("  table %-24s %-16s items=%d version=%s replicas=[%s]" % (
                table["TableName"], table["TableStatus"], count, table.get("GlobalTableVersion", "-"), replicas))
        except botocore.exceptions.ClientError as exc:
            print("  table: %s" % exc.response["Error"]["Code"])
        if role == "primary":
            cp = boto3.client("codepipeline", region_name=region)
            for summary in cp.list_pipelines()["pipelines"]:
                pipeline = cp.get_pipeline(name=summary["name"])["pipeline"]
                stages = " > ".join(
                    "%s[%s]" % (s["name"], ",".join(a.get("region", region) for a in s["actions"]))
                    for s in pipeline["stages"])
                stores = sorted(pipeline.get("artifactStores", {}) or ([region] if pipeline.get("artifactStore") else []))
                executions = cp.list_pipeline_executions(pipelineName=summary["name"]).get("pipelineExecutionSummaries", [])
                last = executions[0]["status"] if executions else "never run"
                print("  pipeline %s v%s: %s; artifact stores %s; last run %s" % (
                    summary["name"], pipeline["version"], stages, stores, last))
            cw = boto3.client("cloudwatch", region_name=region)
            try:
                body = json.loads(cw.get_dashboard(DashboardName=args.dashboard)["DashboardBody"])
                titles = [w.get("properties", {}).get("title", "(%s)" % w.get("type")) for w in body.get("widgets", [])]
                print("  dashboard %s: %d widgets: %s" % (args.dashboard, len(titles), "; ".join(titles)))
            except botocore.exceptions.ClientError as exc:
                print("  dashboard: %s" % exc.response["Error"]["Code"])


if __name__ == "__main__":
    main()
