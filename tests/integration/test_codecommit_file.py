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


def codecommit_calls(aws, since):
    return [c["operation"] for c in aws.control.calls(since) if c["service"] == "codecommit"]


def args(**extra):
    base = {"repository": REPO, "branch": "master", "path": "buildspec_prod.yml", "content": "version: 0.2\n",
            "commit_message": "Multi-region buildspec", "author_name": "Ansible", "email": "ansible@example.com"}
    base.update(extra)
    return base


def test_changed_file_is_committed_on_the_head_then_idempotent(aws, module_runner):
    old_head = make_repo(aws, {"buildspec_prod.yml": b"version: 0.1\n", "Dockerfile": b"FROM scratch\n"})
    mark = aws.control.last_seq()
    result = module_runner("codecommit_file", args(), region=REGION, diff=True)
    calls = codecommit_calls(aws, mark)
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
    # The file exists: GetFile on the branch gives the head too, no GetBranch.
    assert calls == ["GetFile", "PutFile"]

    mark = aws.control.last_seq()
    again = module_runner("codecommit_file", args(), region=REGION)
    assert again["changed"] is False and again["commit_id"] == again["parent_commit_id"] == head
    assert aws.control.mutating_calls(since=mark) == []
    assert codecommit_calls(aws, mark) == ["GetFile"]  # the no-op re-run: one read


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
    mark = aws.control.last_seq()
    result = module_runner("codecommit_file", src_args, region=REGION)
    calls = codecommit_calls(aws, mark)
    assert result["changed"] is True, result
    assert result["parent_commit_id"] is None
    assert file_on_master(aws, "buildspec_prod.yml") == b"version: 0.2\nphases: {}\n"
    # No branch yet: GetFile names no commit, GetBranch says the branch is missing, PutFile creates it.
    assert calls == ["GetFile", "GetBranch", "PutFile"]


def test_new_file_on_an_existing_branch(aws, module_runner):
    old_head = make_repo(aws, {"Dockerfile": b"FROM scratch\n"})
    mark = aws.control.last_seq()
    result = module_runner("codecommit_file", args(), region=REGION, diff=True)
    calls = codecommit_calls(aws, mark)
    assert result["changed"] is True, result
    assert result["parent_commit_id"] == old_head and result["diff"]["before"] == ""
    assert file_on_master(aws, "buildspec_prod.yml") == b"version: 0.2\n"
    assert file_on_master(aws, "Dockerfile") == b"FROM scratch\n"
    # The file is missing: the head comes from GetBranch, and the file is read again on that very commit.
    assert calls == ["GetFile", "GetBranch", "GetFile", "PutFile"]


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


def test_file_added_by_someone_between_the_reads_is_seen_before_it_is_replaced(aws):
    make_repo(aws, {"Dockerfile": b"FROM scratch\n"})
    pushed = []

    class Hooked(RetryFree):
        def __getattr__(self, name):
            call = super().__getattr__(name)
            if name != "get_branch" or pushed:
                return call

            def first_get_branch(**kwargs):
                cc = aws.client("codecommit")
                head = cc.get_branch(repositoryName=REPO, branchName="master")["branch"]["commitId"]
                cc.put_file(repositoryName=REPO, branchName="master", filePath="buildspec_prod.yml",
                            fileContent=b"theirs\n", parentCommitId=head, commitMessage="their push")
                pushed.append(head)
                return call(**kwargs)
            return first_get_branch

    client = Hooked(aws.client("codecommit"))
    params = args()
    desired = params["content"].encode()
    outcome = pl.ensure_file(
        lambda: module_code.read(StubModule(), client, REPO, "master", "buildspec_prod.yml"),
        lambda parent: module_code.put(StubModule(), client, params, "buildspec_prod.yml", desired, parent),
        desired)
    assert pushed and outcome["changed"]
    assert outcome["before"] == b"theirs\n"  # what was replaced is what the module compared (and diffed)
    assert file_on_master(aws, "buildspec_prod.yml") == b"version: 0.2\n"


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


# --- restore_before_message: the inverse of the collection's commits ---------------------------------------------

OURS = "Multi-region buildspec"
ORIGINAL = b"version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t core .\n"


def _restore_args(**extra):
    base = {"repository": REPO, "path": "buildspec_prod.yml", "restore_before_message": OURS,
            "commit_message": "Restore the buildspec (teardown)"}
    base.update(extra)
    return base


def test_restore_puts_back_the_content_before_our_commits_check_mode_first(aws, module_runner):
    make_repo(aws, {"buildspec_prod.yml": ORIGINAL, "README.md": b"readme\n"})
    assert module_runner("codecommit_file", args(content="version: 0.2\n# two regions\n"), region=REGION)["changed"]
    # Someone else's commit to another file does not count as a change of the buildspec.
    cc = aws.client("codecommit")
    head = cc.get_branch(repositoryName=REPO, branchName="master")["branch"]["commitId"]
    cc.put_file(repositoryName=REPO, branchName="master", filePath="README.md", fileContent=b"readme 2\n",
                parentCommitId=head, commitMessage="docs")
    assert module_runner("codecommit_file", args(content="version: 0.2\n# three regions\n"), region=REGION)["changed"]

    mark = aws.control.last_seq()
    planned = module_runner("codecommit_file", _restore_args(), region=REGION, check=True, diff=True)
    assert planned["changed"] is True, planned
    assert planned["diff"]["after"] == ORIGINAL.decode()
    assert aws.control.mutating_calls(since=mark) == []

    done = module_runner("codecommit_file", _restore_args(), region=REGION)
    assert done["changed"] is True and done["restore"]["from_commit"], done
    assert file_on_master(aws, "buildspec_prod.yml") == ORIGINAL
    assert file_on_master(aws, "README.md") == b"readme 2\n"

    mark = aws.control.last_seq()
    again = module_runner("codecommit_file", _restore_args(), region=REGION)
    assert again["changed"] is False and "not a commit with the message" in again["restore"]["reason"], again
    assert aws.control.mutating_calls(since=mark) == []


def test_restore_leaves_a_file_someone_edited_since(aws, module_runner):
    make_repo(aws, {"buildspec_prod.yml": ORIGINAL})
    module_runner("codecommit_file", args(content="version: 0.2\n# two regions\n"), region=REGION)
    edited = module_runner("codecommit_file", args(content="version: 0.2\n# two regions, tuned by the team\n",
                                                   commit_message="tune the build"), region=REGION)
    assert edited["changed"]
    mark = aws.control.last_seq()
    result = module_runner("codecommit_file", _restore_args(), region=REGION)
    assert result["changed"] is False and "left as it is" in result["restore"]["reason"], result
    assert aws.control.mutating_calls(since=mark) == []
    assert file_on_master(aws, "buildspec_prod.yml") == b"version: 0.2\n# two regions, tuned by the team\n"


def test_restore_refuses_its_own_message_before_any_call(aws, module_runner):
    mark = aws.control.last_seq()
    result = module_runner("codecommit_file", _restore_args(commit_message=OURS), region=REGION)
    assert result.get("failed") and "commit_message" in result["msg"], result
    assert aws.control.calls(since=mark) == []
