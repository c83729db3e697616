"""codecommit_file against the emulator's CodeCommit file API."""
import base64

import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import pipeline as pl
from ansible_collections.mysfits.multi_region.plugins.modules import codecommit_file as module_code

REPO = "core-service-mm-primary-region"
REGION = "us-west-2"


def make_repo(aws, files=None, name=REPO):
    cc = aws.client("codecommit")
    cc.create_repository(repositoryName=name)
    head = None
    for path, content in (files or {}).items():
        kwargs = dict(repositoryName=name, branchName="master", filePath=path, fileContent=content,
                      commitMessage="initial")
        if head:
            kwargs["parentCommitId"] = head
        head = cc.put_file(**kwargs)["commitId"]
    return head


def file_on_master(aws, path, name=REPO):
    return aws.client("codecommit").get_file(repositoryName=name, commitSpecifier="master",
                                             filePath=path)["fileContent"]


def args(**extra):
    base = {"repository": REPO, "branch": "master", "path": "buildspec_prod.yml", "content": "version: 0.2\n",
            "commit_message": "Multi-region buildspec", "author_name": "Ansible", "email": "ansible@example.com"}
    base.update(extra)
    return base


def test_changed_file_is_committed_on_the_head_then_idempotent(aws, module_runner):
    old_head = make_repo(aws, {"buildspec_prod.yml": b"version: 0.1\n", "Dockerfile": b"FROM scratch\n"})
    mark = aws.control.last_seq()
    result = module_runner("codecommit_file", args(), region=REGION, diff=True)
    assert result["changed"] is True, result
    assert result["parent_commit_id"] == old_head
    head = aws.client("codecommit").get_branch(repositoryName=REPO, branchName="master")["branch"]["commitId"]
    assert result["commit_id"] == head != old_head
    assert file_on_master(aws, "buildspec_prod.yml") == b"version: 0.2\n"
    assert file_on_master(aws, "Dockerfile") == b"FROM scratch\n"
    commit = aws.client("codecommit").get_commit(repositoryName=REPO, commitId=head)["commit"]
    assert commit["message"] == "Multi-region buildspec" and commit["parents"] == [old_head]
    assert commit["author"]["name"] == "Ansible" and commit["author"]["email"] == "ansible@example.com"
    assert result["diff"]["before"] == "version: 0.1\n" and result["diff"]["after"] == "version: 0.2\n"
    assert [c["operation"] for c in aws.control.mutating_calls(since=mark) if c["service"] == "codecommit"] == [
        "PutFile"]

    mark = aws.control.last_seq()
    again = module_runner("codecommit_file", args(), region=REGION)
    assert again["changed"] is False and again["commit_id"] == head
    assert aws.control.mutating_calls(since=mark) == []


def test_check_mode_makes_no_commit(aws, module_runner):
    old_head = make_repo(aws, {"buildspec_prod.yml": b"version: 0.1\n"})
    mark = aws.control.last_seq()
    result = module_runner("codecommit_file", args(), region=REGION, check=True, diff=True)
    assert result["changed"] is True and result["diff"]["after"] == "version: 0.2\n"
    assert aws.control.mutating_calls(since=mark) == []
    assert aws.client("codecommit").get_branch(repositoryName=REPO, branchName="master")["branch"][
        "commitId"] == old_head


def test_new_file_and_empty_repository(aws, module_runner, tmp_path):
    make_repo(aws)
    source = tmp_path / "buildspec.yml"
    source.write_bytes(b"version: 0.2\nphases: {}\n")
    src_args = args(src=str(source))
    del src_args["content"]
    result = module_runner("codecommit_file", src_args, region=REGION)
    assert result["changed"] is True, result
    assert result["parent_commit_id"] is None
    assert file_on_master(aws, "buildspec_prod.yml") == b"version: 0.2\nphases: {}\n"


@pytest.mark.parametrize("extra,words", [
    ({"repository": "no-such-repo"}, "repository: no CodeCommit repository named no-such-repo"),
    ({"branch": "release"}, "branch: release does not exist"),
    ({"content": ""}, "content: the content is empty"),
])
def test_bad_input_fails_without_commit(aws, module_runner, extra, words):
    make_repo(aws, {"buildspec_prod.yml": b"version: 0.1\n"})
    mark = aws.control.last_seq()
    result = module_runner("codecommit_file", args(**extra), region=REGION)
    assert result.get("failed") is True and words in result["msg"], result
    assert [c for c in aws.control.mutating_calls(since=mark) if c["status"] < 400] == []


# A push by someone else between the module's read and its PutFile cannot be
# produced through ansible-playbook; these tests run the module's own read and
# put functions (the ones main() hands to pipeline.ensure_file) in-process on a
# real boto3 client, with a foreign commit pushed just before PutFile.

class StubModule:
    region = REGION

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)

    fail_json_aws = fail_json


class RetryFree:
    """The amazon.aws client takes aws_retry=; a plain boto3 client does not."""

    def __init__(self, client, before_put=None):
        self.client = client
        self.before_put = before_put

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(aws_retry=False, **kwargs):
            if name == "put_file" and self.before_put:
                self.before_put()
            return method(**kwargs)
        return call


def foreign_push(aws, count):
    pushes = []

    def push():
        if len(pushes) < count:
            cc = aws.client("codecommit")
            head = cc.get_branch(repositoryName=REPO, branchName="master")["branch"]["commitId"]
            cc.put_file(repositoryName=REPO, branchName="master", filePath="theirs-%d.txt" % len(pushes),
                        fileContent=b"theirs", parentCommitId=head, commitMessage="their push")
            pushes.append(head)
    return push


def run_in_process(aws, pushes):
    client = RetryFree(aws.client("codecommit"), foreign_push(aws, pushes))
    module = StubModule()
    params = args()
    desired = params["content"].encode()
    return pl.ensure_file(lambda: module_code.read(module, client, REPO, "master", "buildspec_prod.yml"),
                          lambda parent: module_code.put(module, client, params, "buildspec_prod.yml", desired,
                                                         parent), desired)


def test_outdated_parent_is_reread_once_and_their_commit_survives(aws):
    make_repo(aws, {"buildspec_prod.yml": b"version: 0.1\n"})
    outcome = run_in_process(aws, pushes=1)
    assert outcome["changed"]
    assert file_on_master(aws, "buildspec_prod.yml") == b"version: 0.2\n"
    assert file_on_master(aws, "theirs-0.txt") == b"theirs"


def test_branch_moving_twice_is_a_clear_error(aws):
    make_repo(aws, {"buildspec_prod.yml": b"version: 0.1\n"})
    with pytest.raises(pl.ConcurrentChange) as raised:
        run_in_process(aws, pushes=2)
    assert "nothing was committed" in str(raised.value)
    assert file_on_master(aws, "buildspec_prod.yml") == b"version: 0.1\n"
