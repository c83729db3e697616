# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Global Accelerator client of ``global_accelerator`` and ``global_accelerator_info``: reads (botocore
paginators, one retry layer: botocore's, see common.py), the plan's steps applied in order, the wait for DEPLOYED.

The client is always created for us-west-2, where Global Accelerator's API is served, whatever the module's
region option says. The plans themselves are in ``global_accelerator.py`` (pure).
"""

from __future__ import annotations

import uuid

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import fail_on_timeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import wait_for
from ansible_collections.mysfits.multi_region.plugins.module_utils import global_accelerator as ga

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


PRODUCED = {"CreateAccelerator": ("Accelerator", "AcceleratorArn"), "CreateListener": ("Listener", "ListenerArn"),
            "CreateEndpointGroup": ("EndpointGroup", "EndpointGroupArn")}


def snake(state):
    """The read shape as the module returns it."""
    if not state or state.get("accelerator") is None:
        return {}
    out = camel_dict_to_snake_dict(state["accelerator"])
    out["tags"] = dict(state.get("tags") or {})
    out["listeners"] = []
    for listener in state.get("listeners") or []:
        view = camel_dict_to_snake_dict({k: v for k, v in listener.items() if k != "EndpointGroups"})
        view["endpoint_groups"] = [camel_dict_to_snake_dict(g) for g in listener.get("EndpointGroups", [])]
        out["listeners"].append(view)
    return out


class Runner:
    def __init__(self, module):
        self.module = module
        # Global Accelerator's control plane is in us-west-2 only.
        self.client = aws_client(module, "globalaccelerator", region=ga.CONTROL_REGION)
        self.operations = []

    def fail(self, error, msg):
        self.module.fail_json_aws(error, msg=msg, operations=self.operations)

    def paged(self, operation, key, **params):
        paginator = self.client.get_paginator(operation)
        try:
            # botocore retries each page's request (common.RETRY_CONFIG): one retry layer
            return paginator.paginate(**params).build_full_result()[key]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "Could not read Global Accelerator (%s)" % operation)

    def list_tags(self, arn):
        try:
            return self.client.list_tags_for_resource(aws_retry=True, ResourceArn=arn)["Tags"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "Could not read the tags of %s" % arn)

    def read(self, name):
        return ga.read_current(self.paged, self.list_tags, name)

    def describe(self, arn):
        try:
            return self.client.describe_accelerator(aws_retry=True, AcceleratorArn=arn)["Accelerator"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "Could not describe the accelerator %s" % arn)

    def wait_deployed(self, arn, deadline_left):
        try:
            return wait_for(lambda: self.describe(arn), lambda a: a.get("Status") == "DEPLOYED",
                            "the accelerator %s to be DEPLOYED" % arn, timeout=deadline_left(), delay=2.0,
                            max_delay=15.0, describe=lambda a: a.get("Status"))
        except WaitTimeout as e:
            fail_on_timeout(self.module, e, changed=bool(self.operations), operations=self.operations)

    def apply(self, steps, deadline_left, accelerator_arn=None):
        refs = {"accelerator": accelerator_arn} if accelerator_arn else {}
        for step in steps:
            operation = step["operation"]
            if operation == "Wait":
                self.wait_deployed(refs.get("accelerator", accelerator_arn), deadline_left)
                continue
            params = dict(step["params"])
            for field, ref in step.get("needs", {}).items():
                params[field] = refs[ref]
            if operation in PRODUCED:
                params["IdempotencyToken"] = str(uuid.uuid4())  # the same on each retry of this call
            method = getattr(self.client, "_".join(w.lower() for w in _words(operation)))
            self.operations.append(operation)
            try:
                answer = method(aws_retry=True, **params)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                self.fail(e, "Global Accelerator %s failed" % operation)
            if operation in PRODUCED and step.get("produces"):
                shape, field = PRODUCED[operation]
                refs[step["produces"]] = answer[shape][field]
        return refs.get("accelerator", accelerator_arn)


def _words(operation):
    word, words = "", []
    for char in operation:
        if char.isupper() and word:
            words.append(word)
            word = ""
        word += char
    words.append(word)
    return words
