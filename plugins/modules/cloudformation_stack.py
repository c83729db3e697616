#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudformation_stack
short_description: Start the create or update of a CloudFormation stack, only when it differs, without waiting
version_added: 0.1.0
description:
  - Reads the stack (C(DescribeStacks), and C(GetTemplate) when it exists and is stable) and compares the
    deployed template body, the parameters given and the tags with the wanted ones. Creates the stack
    (C(CreateStack)) when it does not exist, updates it (C(UpdateStack)) when something differs, and does
    nothing otherwise; a re-run without changes makes no mutating call at all.
  - Returns as soon as CloudFormation has accepted the operation; it never polls the stack. Wait for the
    result with M(mysfits.multi_region.cloudformation_wait), which backs off between polls. Several regions
    can so be started at once and waited for together.
  - A stack already in progress (an earlier run's operation) is left alone (RV(operation=in_progress)) with a
    warning; wait for it and run again.
  - A stack in a failed state (C(ROLLBACK_COMPLETE), C(*_FAILED)) is refused before any change, with the
    failed resources and their reasons from the stack events and what to do. With
    O(on_rolled_back=recreate), a C(ROLLBACK_COMPLETE) stack is deleted (the module waits for the delete,
    with backoff) and created again.
  - Check mode reads only and reports what would be done; diff mode shows the status, the parameters
    given, the tags and, for a create or a changed template, the template.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  stack_name:
    description: Name of the stack.
    type: str
    required: true
  template_body:
    description:
      - The template, YAML or JSON text (for example from P(ansible.builtin.file#lookup)).
      - Compared with C(GetTemplate)'s original body; JSON templates are compared as documents.
    type: str
    required: true
  template_url:
    description:
      - Where CloudFormation reads the template from when it creates or updates the stack (an S3 object URL),
        for a template larger than the 51,200 bytes C(TemplateBody) takes.
      - O(template_body) must be the same template; it is what is compared with the deployed one.
    type: str
    version_added: 0.1.0
  parameters:
    description:
      - Parameter key to value. Booleans become C(true)/C(false), lists are joined with commas.
      - Only these parameters are compared; parameters not given take the template's default when the stack
        is created or updated.
    type: dict
    default: {}
  tags:
    description:
      - Tag key to value, the stack's whole tag set (CloudFormation also tags the stack's resources with them).
      - Not given, the stack's tags are neither compared nor changed; V({}) removes them.
    type: dict
  capabilities:
    description: The capabilities the template needs.
    type: list
    elements: str
    choices: [CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND]
    default: [CAPABILITY_IAM, CAPABILITY_NAMED_IAM]
  role_arn:
    description:
      - ARN of a CloudFormation service role that creates, updates and deletes the stack's resources. Not
        given, CloudFormation uses the caller's permissions (or the role the stack already has).
    type: str
  on_rolled_back:
    description:
      - What to do with a stack in C(ROLLBACK_COMPLETE) (its create failed; CloudFormation cannot update it).
      - V(fail) refuses it with the reasons; V(recreate) deletes it and creates it again.
    type: str
    choices: [fail, recreate]
    default: fail
  delete_timeout:
    description: Seconds to wait for the delete of a rolled-back stack (O(on_rolled_back=recreate)).
    type: int
    default: 1800
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Needs C(cloudformation:DescribeStacks), C(cloudformation:GetTemplate), C(cloudformation:CreateStack),
    C(cloudformation:UpdateStack), C(cloudformation:DescribeStackEvents) (failed stacks only),
    C(cloudformation:DeleteStack) (O(on_rolled_back=recreate) only), C(iam:PassRole) for O(role_arn), and the
    permissions the template's resources need unless O(role_arn) is given.
  - Parameters declared C(NoEcho) are returned masked by C(DescribeStacks), so they always compare as changed;
    do not pass them to this module if an update on every run is not wanted.
  - Capabilities and the service role are not compared with the deployed stack.
  - Unlike M(amazon.aws.cloudformation), neither check mode nor a re-run creates a change set.
seealso:
  - module: mysfits.multi_region.cloudformation_wait
  - module: amazon.aws.cloudformation
"""

EXAMPLES = r"""
- name: Start the secondary stack in every secondary region (no waiting)
  mysfits.multi_region.cloudformation_stack:
    region: "{{ inventory_hostname }}"
    stack_name: mm-secondary-region
    template_body: "{{ lookup('ansible.builtin.file', 'core.yml') }}"
    parameters:
      IsDrRegion: true
      DDBTableName: MythicalMysfits-DDBTable
    capabilities: [CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND]
  register: started

# ... start other long operations here ...

- name: Wait for it, with backoff
  mysfits.multi_region.cloudformation_wait:
    region: "{{ inventory_hostname }}"
    stack_name: mm-secondary-region
  register: waited
  when: started.operation != 'none'
"""

RETURN = r"""
operation:
  description:
    - What the module did (or would do in check mode) - V(create), V(recreate), V(update), V(none) (up to date),
      V(in_progress) (another operation runs; nothing started).
  returned: always
  type: str
  sample: create
stack_status:
  description: The stack's status when read, before any operation; C(ABSENT) when it did not exist.
  returned: always
  type: str
  sample: UPDATE_COMPLETE
stack_id:
  description: The stack's id (the new id after a create).
  returned: when the stack exists or was created (not in check mode for a new stack)
  type: str
  sample: arn:aws:cloudformation:us-east-1:123456789012:stack/mm-secondary-region/6d8e2a90-0000-0000-0000-000000000000
differences:
  description: What differed from the wanted stack (C(stack) for a missing one, C(template), C(parameter <key>), C(tags)).
  returned: always
  type: list
  elements: str
  sample: ["parameter IsDrRegion"]
cloudformation:
  description:
    - The stack as read before any operation, keyed by its name, in M(amazon.aws.cloudformation_info)'s shape
      (C(stack_description), C(stack_outputs), C(stack_parameters), C(stack_tags); C(stack_events) for a failed
      stack). With RV(operation=none) this is the stack's final state, nothing to wait for.
  returned: always
  type: dict
"""

import uuid

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_message
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils import stack as st
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import fail_on_timeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import wait_for

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


class Stack:
    """The module's few CloudFormation calls."""

    def __init__(self, module, client, name):
        self.module = module
        self.client = client
        self.name = name

    def describe(self, stack=None):
        """The stack (by name, or by ``stack`` id), None when it does not exist."""
        try:
            return self.client.describe_stacks(aws_retry=True, StackName=stack or self.name)["Stacks"][0]
        except is_boto3_error_message("does not exist"):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not describe the stack %s" % self.name)

    def template(self):
        try:
            return self.client.get_template(aws_retry=True, StackName=self.name,
                                            TemplateStage="Original")["TemplateBody"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="Could not read the template of the stack %s" % self.name)

    def events(self):
        try:
            paginator = self.client.get_paginator("describe_stack_events")
            return paginator.paginate(StackName=self.name).build_full_result()["StackEvents"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="Could not read the events of the stack %s" % self.name)

    def request(self, params):
        request = {"StackName": self.name,
                   "Parameters": st.parameter_list(params["parameters"]),
                   "Capabilities": params["capabilities"],
                   # Makes botocore's retries of this one request safe.
                   "ClientRequestToken": "mysfits-%s" % uuid.uuid4()}
        if params["template_url"]:
            request["TemplateURL"] = params["template_url"]
        else:
            request["TemplateBody"] = params["template_body"]
        if params["tags"] is not None:
            request["Tags"] = st.tag_list(params["tags"])
        if params["role_arn"]:
            request["RoleARN"] = params["role_arn"]
        return request

    def create(self, params):
        try:
            return self.client.create_stack(aws_retry=True, **self.request(params))["StackId"]
        except is_boto3_error_code("AlreadyExistsException"):
            # A retried create whose first attempt reached AWS: the stack is being created.
            stack = self.describe()
            if stack is not None and stack["StackStatus"] in ("CREATE_IN_PROGRESS", "CREATE_COMPLETE"):
                return stack["StackId"]
            self.module.fail_json(msg="The stack %s appeared while it was being created (status %s); run again."
                                  % (self.name, stack["StackStatus"] if stack else "ABSENT"))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not create the stack %s" % self.name)

    def update(self, params):
        try:
            return self.client.update_stack(aws_retry=True, **self.request(params))["StackId"], True
        except is_boto3_error_message("No updates are to be performed"):
            return None, False
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not update the stack %s" % self.name)

    def delete_and_wait(self, stack_id, params, timeout):
        request = {"StackName": stack_id}
        if params["role_arn"]:
            request["RoleARN"] = params["role_arn"]
        try:
            self.client.delete_stack(aws_retry=True, **request)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="Could not delete the rolled-back stack %s" % self.name)

        def fetch():
            return (self.describe(stack_id) or {"StackStatus": "DELETE_COMPLETE"})["StackStatus"]

        try:
            status = wait_for(fetch, lambda s: not st.in_progress(s), "the delete of the stack %s" % self.name,
                              timeout=timeout, delay=2.0, max_delay=30.0)
        except WaitTimeout as e:
            fail_on_timeout(self.module, e, changed=True, operation="recreate")
        if status != "DELETE_COMPLETE":
            self.module.fail_json(msg=st.failure_message(self.name, self.module.region, status, self.events()),
                                  changed=True, operation="recreate", stack_status=status)


def validate(module):
    params = module.params
    if not params["template_body"] or not params["template_body"].strip():
        module.fail_json(msg="template_body is empty; pass the template's text, for example "
                             "\"{{ lookup('ansible.builtin.file', 'core.yml') }}\"")
    if params["delete_timeout"] < 0:
        module.fail_json(msg="delete_timeout must be 0 or more, got %s" % params["delete_timeout"])
    for key, value in (params["parameters"] or {}).items():
        if isinstance(value, dict) or value is None:
            module.fail_json(msg="parameters.%s must be a string, number, boolean or list, got %s; CloudFormation "
                                 "parameters are strings" % (key, "null" if value is None else "a dict"))
    for key, value in (params["tags"] or {}).items():
        if isinstance(value, (dict, list)) or value is None:
            kind = "null" if value is None else type(value).__name__
            module.fail_json(msg="tags.%s must be a string, got %s" % (key, kind))


def main():
    argument_spec = dict(
        stack_name=dict(type="str", required=True),
        template_body=dict(type="str", required=True),
        template_url=dict(type="str"),
        parameters=dict(type="dict", default={}),
        tags=dict(type="dict"),
        capabilities=dict(type="list", elements="str", default=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
                          choices=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]),
        role_arn=dict(type="str"),
        on_rolled_back=dict(type="str", choices=["fail", "recreate"], default="fail"),
        delete_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    params = module.params
    name = params["stack_name"]
    api = Stack(module, aws_client(module, "cloudformation"), name)

    # read
    stack = api.describe()
    deployed = api.template() if stack is not None and stack["StackStatus"] in st.STABLE else None
    # plan
    planned = st.plan(stack, deployed, params["template_body"], params["parameters"], params["tags"],
                      params["on_rolled_back"])
    operation = planned["operation"]
    events = api.events() if operation in ("blocked", "recreate") else None
    facts = {stack["StackName"]: st.stack_facts(stack, events)} if stack is not None else {}
    result = {"changed": operation in ("create", "recreate", "update"), "operation": operation,
              "stack_status": planned["status"], "differences": planned["differences"], "cloudformation": facts}
    if stack is not None:
        result["stack_id"] = stack["StackId"]
    if module._diff:
        result["diff"] = st.diff(stack, deployed, params["template_body"], params["parameters"], params["tags"],
                                 operation)
    if operation == "blocked":
        module.fail_json(msg=st.failure_message(name, module.region, planned["status"], events), **result)
    if operation == "in_progress":
        module.warn("The stack %s in %s is %s: nothing was started. Wait for it (cloudformation_wait) and run "
                    "again to apply any change." % (name, module.region, planned["status"]))
    if module.check_mode or operation in ("none", "in_progress"):
        module.exit_json(**result)

    # apply
    if operation == "recreate":
        api.delete_and_wait(stack["StackId"], params, params["delete_timeout"])
    if operation in ("create", "recreate"):
        result["stack_id"] = api.create(params)
    else:
        stack_id, changed = api.update(params)
        if not changed:
            # CloudFormation found nothing to do (for example, a template that differs only in whitespace).
            result.update(changed=False, operation="none")
            result.pop("diff", None)
        else:
            result["stack_id"] = stack_id
    module.exit_json(**result)


if __name__ == "__main__":
    main()
