#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: codepipeline_info
short_description: Read AWS CodePipeline pipelines and their most recent execution
version_added: 0.1.0
description:
  - Returns the declaration of each named pipeline (C(GetPipeline)) and, optionally, its most recent
    execution (C(ListPipelineExecutions)).
  - A pipeline that does not exist is listed in RV(missing), not an error, unless O(fail_on_missing=true).
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  names:
    description: Names of the pipelines to read.
    type: list
    elements: str
    required: true
  last_execution:
    description: Also return each pipeline's most recent execution summary.
    type: bool
    default: false
  fail_on_missing:
    description: Fail, naming the missing pipelines, when one of O(names) does not exist.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read both pipelines and their last runs
  mysfits.multi_region.codepipeline_info:
    region: us-west-2
    names: [CorePipeline-mm-primary-region, LikePipeline-mm-primary-region]
    last_execution: true
    fail_on_missing: true
  register: pipelines
"""

RETURN = r"""
pipelines:
  description: Pipeline name to its declaration, version and last execution.
  returned: always
  type: dict
  contains:
    declaration:
      description:
        - The pipeline declaration as C(GetPipeline) returns it, in the API's own shape (camelCase keys),
          the shape M(mysfits.multi_region.codepipeline_stage) takes its actions in.
      type: dict
    stage_names:
      description: The stage names, in order.
      type: list
      elements: str
    version:
      description: The declaration's version.
      type: int
    last_execution:
      description: The most recent execution summary (status, pipeline_execution_id, ...), or null.
      type: dict
missing:
  description: Names of O(names) that do not exist.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore  # noqa: F401
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            names=dict(type="list", elements="str", required=True),
            last_execution=dict(type="bool", default=False),
            fail_on_missing=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    client = aws_client(module, "codepipeline")
    pipelines, missing = {}, []
    for name in module.params["names"]:
        try:
            pipeline = client.get_pipeline(name=name, aws_retry=True)["pipeline"]
        except is_boto3_error_code("PipelineNotFoundException"):
            missing.append(name)
            continue
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not read pipeline %s" % name)
        entry = {
            "declaration": pipeline,
            "stage_names": [stage["name"] for stage in pipeline.get("stages", [])],
            "version": pipeline.get("version"),
            "last_execution": None,
        }
        if module.params["last_execution"]:
            try:
                summaries = client.list_pipeline_executions(pipelineName=name, maxResults=1,
                                                            aws_retry=True).get("pipelineExecutionSummaries", [])
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="Could not list the executions of pipeline %s" % name)
            if summaries:
                entry["last_execution"] = camel_dict_to_snake_dict(summaries[0])
        pipelines[name] = entry
    if missing and module.params["fail_on_missing"]:
        module.fail_json(
            msg="Pipeline(s) not found in %s: %s. Check the names in the names option (mm_services[].pipeline) "
                "and the region." % (module.region, ", ".join(missing)),
            pipelines=pipelines, missing=missing)
    module.exit_json(changed=False, pipelines=pipelines, missing=missing)


if __name__ == "__main__":
    main()
