#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: codecommit_file
short_description: Ensure a file on a branch of an AWS CodeCommit repository has a given content
version_added: 0.1.0
description:
  - Reads the file on the branch (C(GetFile) with the commit specifier C(refs/heads/<branch>)); the commit it
    was read from is the branch head. When the content differs, commits the new content with C(PutFile),
    giving that commit as parent. The same content makes no commit, and a run that finds the file up to date
    makes this one read only.
  - Only when the file or the branch does not exist yet (GetFile then names no commit), the module reads the
    head with C(GetBranch) and the file again on that commit.
  - If someone pushes to the branch between the read and the commit (C(ParentCommitIdOutdatedException)),
    the module reads again once and retries, then fails with a clear message.
  - In an empty repository the first commit creates the branch.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  repository:
    description: Name of the CodeCommit repository.
    type: str
    required: true
  branch:
    description: Branch to commit to.
    type: str
    default: master
  path:
    description: Path of the file in the repository, for example C(buildspec_prod.yml).
    type: str
    required: true
  content:
    description: The file's content. Mutually exclusive with O(src); one of them is required.
    type: str
  src:
    description:
      - Path of a file, on the host the module runs on, whose bytes become the file's content.
      - Mutually exclusive with O(content).
    type: path
  restore_before_message:
    description:
      - Instead of O(content) or O(src), put back the content the file had before the newest commits with
        this message that changed it (an inverse of the commits made with that O(commit_message)).
      - The file's history is read from the branch head (C(GetCommit), C(GetFile) on each parent, at most
        O(history_limit) commits). The newest changes of the file whose message is this one are undone together;
        the content is the file at the parent of the oldest of them.
      - Nothing is committed when the newest change of the file has another message (someone edited the file
        since, and it is left as it is) or when those commits created the file; RV(restore) says why.
      - Use a O(commit_message) other than this one, so that the restore itself is not undone by the next restore.
    type: str
  history_limit:
    description: How many commits O(restore_before_message) reads back at most.
    type: int
    default: 100
  commit_message:
    description: Commit message.
    type: str
    default: Update file with Ansible
  author_name:
    description: Author name of the commit.
    type: str
  email:
    description: Author e-mail of the commit.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode makes no mutating call; diff mode shows the file's content before and after.
  - Needs C(codecommit:GetFile), C(codecommit:PutFile), and C(codecommit:GetBranch) (a new file or an empty
    repository); C(codecommit:GetCommit) for O(restore_before_message).
"""

EXAMPLES = r"""
- name: Commit the multi-region buildspec
  mysfits.multi_region.codecommit_file:
    region: us-west-2
    repository: core-service-mm-primary-region
    branch: master
    path: buildspec_prod.yml
    content: "{{ lookup('ansible.builtin.template', 'buildspec_prod.yml.j2') }}"
    commit_message: Build and push the image to every region
    author_name: Ansible
    email: ansible@example.com
  register: commit

- name: Commit a local file
  mysfits.multi_region.codecommit_file:
    repository: like-service-mm-primary-region
    path: Dockerfile
    src: files/Dockerfile
"""

RETURN = r"""
commit_id:
  description: The branch's head commit after the task (the new commit when one was made).
  returned: success, except in check mode for a branch that does not exist yet
  type: str
  sample: 4c925148EXAMPLE
blob_id:
  description: Blob id of the file's content, when known.
  returned: when the file exists after the task
  type: str
parent_commit_id:
  description: The commit the file was read from (None for an empty repository).
  returned: success
  type: str
restore:
  description:
    - With O(restore_before_message), C(from_commit) (the commit whose content was put back, or would be in check
      mode) or C(reason) (why nothing is restored).
  returned: when O(restore_before_message) is given
  type: dict
  sample: {"from_commit": "4c925148EXAMPLE"}
"""

import base64

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import ConcurrentChange
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import OutdatedParent
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import ensure_file
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import restore_point
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import text_for_diff

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


# GetFile errors that may mean "no such branch" (GetFile names no BranchDoesNotExistException; its documented
# answer for a commit specifier that resolves to nothing is CommitDoesNotExistException). GetBranch tells.
NO_COMMIT_ERRORS = ["CommitDoesNotExistException", "InvalidCommitException", "BranchDoesNotExistException"]


def read(module, client, repository, branch, path):
    """(head commit id or None, file bytes or None, blob id or None).

    One GetFile on the branch when the file exists: its commitId is the commit the branch pointed at when the
    file was read, i.e. the head to commit on. GetBranch only when GetFile cannot tell the head (the file or the
    branch does not exist), followed by a GetFile on that very commit, so that the content compared and the
    parent given to PutFile always come from the same commit.
    """
    try:
        answer = client.get_file(aws_retry=True, repositoryName=repository, commitSpecifier="refs/heads/" + branch,
                                 filePath=path)
    except is_boto3_error_code("RepositoryDoesNotExistException"):
        module.fail_json(msg="repository: no CodeCommit repository named %s in %s" % (repository, module.region))
    except is_boto3_error_code(["FileDoesNotExistException"] + NO_COMMIT_ERRORS):  # pylint: disable=duplicate-except
        return read_at_branch_head(module, client, repository, branch, path)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read %s from branch %s of %s" % (path, branch, repository))
    return answer["commitId"], file_bytes(answer), answer.get("blobId")


def read_at_branch_head(module, client, repository, branch, path):
    """GetBranch, then GetFile on the head commit id: the read when the file or the branch is missing."""
    try:
        head = client.get_branch(aws_retry=True, repositoryName=repository, branchName=branch)["branch"]["commitId"]
    except is_boto3_error_code("RepositoryDoesNotExistException"):
        module.fail_json(msg="repository: no CodeCommit repository named %s in %s" % (repository, module.region))
    except is_boto3_error_code("BranchDoesNotExistException"):  # pylint: disable=duplicate-except
        return None, None, None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read branch %s of %s" % (branch, repository))
    try:
        answer = client.get_file(aws_retry=True, repositoryName=repository, commitSpecifier=head, filePath=path)
    except is_boto3_error_code("FileDoesNotExistException"):
        return head, None, None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read %s from %s" % (path, repository))
    return head, file_bytes(answer), answer.get("blobId")


def file_bytes(answer):
    content = answer["fileContent"]
    if isinstance(content, str):  # botocore decodes blobs; keep bytes either way
        content = base64.b64decode(content)
    return content


def put(module, client, params, path, desired, parent):
    """PutFile on ``parent``; None when CodeCommit says the content is already there."""
    repository, branch = params["repository"], params["branch"]
    kwargs = dict(repositoryName=repository, branchName=branch, fileContent=desired, filePath=path,
                  commitMessage=params["commit_message"])
    if parent:
        kwargs["parentCommitId"] = parent
    if params["author_name"]:
        kwargs["name"] = params["author_name"]
    if params["email"]:
        kwargs["email"] = params["email"]
    try:
        return client.put_file(aws_retry=True, **kwargs)
    except is_boto3_error_code("ParentCommitIdOutdatedException"):
        raise OutdatedParent()
    except is_boto3_error_code("SameFileContentException"):  # pylint: disable=duplicate-except
        return None
    except is_boto3_error_code(["ParentCommitIdRequiredException", "BranchDoesNotExistException"]) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="branch: %s does not exist in %s, which is not empty; create the branch "
                             "first (PutFile creates a branch only in an empty repository)" % (branch, repository))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not commit %s to %s/%s" % (path, repository, branch))


def file_changes(module, client, repository, branch, path, limit):
    """The commits that changed ``path``, newest first (a generator: read only as far as it is consumed).

    Walks first parents from the branch head; a commit changed the file when the file's blob id differs between
    it and its parent (or the file exists in one of them only).
    """
    def blob_at(commit):
        try:
            return client.get_file(aws_retry=True, repositoryName=repository, commitSpecifier=commit,
                                   filePath=path).get("blobId")
        except is_boto3_error_code("FileDoesNotExistException"):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not read %s at commit %s of %s" % (path, commit, repository))

    head, _content, blob = read(module, client, repository, branch, path)
    current = head
    for _step in range(limit):
        if current is None or blob is None:
            return
        try:
            commit = client.get_commit(aws_retry=True, repositoryName=repository, commitId=current)["commit"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not read commit %s of %s" % (current, repository))
        parents = commit.get("parents") or []
        parent = parents[0] if parents else None
        parent_blob = blob_at(parent) if parent else None
        if parent_blob != blob:
            yield {"commit": current, "message": commit.get("message"), "parent": parent,
                   "parent_has_file": parent_blob is not None}
        current, blob = parent, parent_blob
    module.fail_json(msg="history_limit: %d commits of %s were read without reaching the file's content before the "
                         "commits to undo; raise history_limit" % (limit, repository))


def restored_content(module, client, params, path):
    """(content to put back or None, the ``restore`` result)."""
    repository = params["repository"]
    changes = file_changes(module, client, repository, params["branch"], path, params["history_limit"])
    point, reason = restore_point(changes, params["restore_before_message"])
    if point is None:
        return None, {"reason": reason}
    try:
        answer = client.get_file(aws_retry=True, repositoryName=repository, commitSpecifier=point, filePath=path)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read %s at commit %s of %s" % (path, point, repository))
    return file_bytes(answer), {"from_commit": point}


def main():
    argument_spec = dict(
        repository=dict(type="str", required=True),
        branch=dict(type="str", default="master"),
        path=dict(type="str", required=True),
        content=dict(type="str"),
        src=dict(type="path"),
        restore_before_message=dict(type="str"),
        history_limit=dict(type="int", default=100),
        commit_message=dict(type="str", default="Update file with Ansible"),
        author_name=dict(type="str"),
        email=dict(type="str"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("content", "src", "restore_before_message")],
        required_one_of=[("content", "src", "restore_before_message")],
    )
    params = module.params
    repository, branch, path = params["repository"], params["branch"], params["path"].lstrip("/")
    if not path:
        module.fail_json(msg="path: give the file's path inside the repository, e.g. buildspec_prod.yml")
    if params["restore_before_message"] is not None:
        if params["restore_before_message"].strip() == params["commit_message"].strip():
            module.fail_json(msg="commit_message: give the restoring commit a message other than "
                                 "restore_before_message, or the next restore would undo this one")
        if params["history_limit"] < 1:
            module.fail_json(msg="history_limit: read at least 1 commit (it is %d)" % params["history_limit"])
        client = aws_client(module, "codecommit")
        desired, restore = restored_content(module, client, params, path)
        if desired is None:
            module.exit_json(changed=False, restore=restore)
    elif params["src"] is not None:
        try:
            with open(params["src"], "rb") as handle:
                desired = handle.read()
        except OSError as e:
            module.fail_json(msg="src: cannot read %s: %s" % (params["src"], e))
    else:
        desired = to_bytes(params["content"], errors="surrogate_or_strict")

    if not desired:
        module.fail_json(msg="%s: the content is empty; CodeCommit cannot store an empty file" % (
            "src" if params["src"] is not None else "content"))
    if params["restore_before_message"] is None:
        client = aws_client(module, "codecommit")
    try:
        outcome = ensure_file(lambda: read(module, client, repository, branch, path),
                              lambda parent: put(module, client, params, path, desired, parent),
                              desired, check_mode=module.check_mode)
    except ConcurrentChange as e:
        module.fail_json(msg="%s/%s: %s" % (repository, branch, e))
    before = outcome.pop("before")
    result = dict(outcome)
    if params["restore_before_message"] is not None:
        result["restore"] = restore
    if module._diff:
        header = "%s:%s@%s" % (repository, path, branch)
        result["diff"] = dict(before_header=header, before=text_for_diff(before),
                              after_header=header, after=text_for_diff(desired if outcome["changed"] else before))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
