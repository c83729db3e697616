"""CodeCommit file API of the emulator, called with boto3 exactly as against AWS.

References (CodeCommit API reference, https://docs.aws.amazon.com/codecommit/latest/APIReference/):
API_PutFile.html ("branchName ... If this is an empty repository, this branch is created.";
"parentCommitId ... If this is an empty repository, no commit ID is required. If this is not an
empty repository, a commit ID is required. The commit ID must match the ID of the head commit at the
time of the operation."), API_GetFile.html ("commitSpecifier ... If none is provided, the head commit
is used."), API_GetFolder.html, API_GetBranch.html, API_GetCommit.html, and the error pages named
after each exception (texts quoted in the tests).
"""
import hashlib

import pytest

REPO = "core-service-mm"


@pytest.fixture
def cc(aws):
    client = aws.client("codecommit")
    client.create_repository(repositoryName=REPO, repositoryDescription="core service")
    return client


def _error(raised):
    return raised.value.response["Error"]


def test_put_file_on_empty_repository_creates_the_branch(cc):
    # A new repository has no branches until the first commit.
    assert cc.list_branches(repositoryName=REPO)["branches"] == []
    content = b"FROM python:3.11\n"
    put = cc.put_file(repositoryName=REPO, branchName="master", fileContent=content, filePath="Dockerfile",
                      commitMessage="first", name="Ann", email="ann@example.com")
    # The blob id is git's object id of the content.
    assert put["blobId"] == hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
    assert len(put["commitId"]) == 40 and len(put["treeId"]) == 40
    assert cc.get_branch(repositoryName=REPO, branchName="master")["branch"] == {
        "branchName": "master", "commitId": put["commitId"]}
    assert cc.list_branches(repositoryName=REPO)["branches"] == ["master"]
    # The first branch becomes the repository's default branch.
    assert cc.get_repository(repositoryName=REPO)["repositoryMetadata"]["defaultBranch"] == "master"

    got = cc.get_file(repositoryName=REPO, filePath="Dockerfile")  # no specifier: head of the default branch
    assert got["fileContent"] == content  # botocore decodes the base64 blob
    assert {k: got[k] for k in ("commitId", "blobId", "filePath", "fileMode", "fileSize")} == {
        "commitId": put["commitId"], "blobId": put["blobId"], "filePath": "Dockerfile", "fileMode": "NORMAL",
        "fileSize": len(content)}

    commit = cc.get_commit(repositoryName=REPO, commitId=put["commitId"])["commit"]
    assert commit["commitId"] == put["commitId"]
    assert commit["treeId"] == put["treeId"]
    assert commit["parents"] == []
    assert commit["message"] == "first"
    assert commit["author"]["name"] == "Ann" and commit["author"]["email"] == "ann@example.com"
    assert commit["committer"]["name"] == "Ann"


def test_second_commit_needs_the_head_as_parent_and_keeps_history(cc):
    first = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"v1", filePath="app/service.py")
    second = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"v2", filePath="app/service.py",
                         parentCommitId=first["commitId"], commitMessage="update")
    assert second["commitId"] != first["commitId"]
    assert cc.get_commit(repositoryName=REPO, commitId=second["commitId"])["commit"]["parents"] == [
        first["commitId"]]
    # Commits are immutable snapshots: the old commit still has the old content.
    for specifier, content in ((first["commitId"], b"v1"), (second["commitId"], b"v2"), ("master", b"v2"),
                               ("refs/heads/master", b"v2")):
        got = cc.get_file(repositoryName=REPO, filePath="app/service.py", commitSpecifier=specifier)
        assert got["fileContent"] == content
    # A path with a leading slash names the same file.
    assert cc.get_file(repositoryName=REPO, filePath="/app/service.py")["fileContent"] == b"v2"


def test_get_folder_lists_files_and_subfolders(cc):
    head = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"x", filePath="Dockerfile")
    head = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"y", filePath="service/app.py",
                       parentCommitId=head["commitId"])
    head = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"#!/bin/sh\n",
                       filePath="service/run.sh", fileMode="EXECUTABLE", parentCommitId=head["commitId"])
    root = cc.get_folder(repositoryName=REPO, folderPath="/")
    assert root["commitId"] == head["commitId"]
    assert root["treeId"] == head["treeId"]
    assert [(f["absolutePath"], f["relativePath"], f["fileMode"]) for f in root["files"]] == [
        ("Dockerfile", "Dockerfile", "NORMAL")]
    assert [(s["absolutePath"], s["relativePath"]) for s in root["subFolders"]] == [("service", "service")]
    sub = cc.get_folder(repositoryName=REPO, folderPath="/service")
    assert [(f["absolutePath"], f["relativePath"], f["fileMode"]) for f in sub["files"]] == [
        ("service/app.py", "app.py", "NORMAL"), ("service/run.sh", "run.sh", "EXECUTABLE")]
    assert sub["subFolders"] == []
    assert sub["treeId"] == root["subFolders"][0]["treeId"]
    blob = cc.get_file(repositoryName=REPO, filePath="service/app.py")["blobId"]
    assert sub["files"][0]["blobId"] == blob
    with pytest.raises(cc.exceptions.FolderDoesNotExistException):
        cc.get_folder(repositoryName=REPO, folderPath="/nope")


def test_parent_commit_id_required_when_branch_exists(cc):
    cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"v1", filePath="a.txt")
    # "A parent commit ID is required. To view the full commit ID of a branch in a repository, use GetBranch ..."
    with pytest.raises(cc.exceptions.ParentCommitIdRequiredException) as raised:
        cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"v2", filePath="a.txt")
    assert "parent commit ID is required" in _error(raised)["Message"]


def test_parent_commit_id_outdated(cc):
    first = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"v1", filePath="a.txt")
    cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"v2", filePath="a.txt",
                parentCommitId=first["commitId"])
    # "The file could not be added because the provided parent commit ID is not the current tip of the
    # specified branch."
    with pytest.raises(cc.exceptions.ParentCommitIdOutdatedException) as raised:
        cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"v3", filePath="a.txt",
                    parentCommitId=first["commitId"])
    assert "not the current tip" in _error(raised)["Message"]
    with pytest.raises(cc.exceptions.ParentCommitDoesNotExistException):
        cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"v3", filePath="a.txt",
                    parentCommitId="0" * 40)


def test_same_file_content_is_rejected(cc):
    first = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"same", filePath="a.txt")
    # "The file was not added or updated because the content of the file is exactly the same as the
    # content of that file in the repository and branch that you specified."
    with pytest.raises(cc.exceptions.SameFileContentException) as raised:
        cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"same", filePath="a.txt",
                    parentCommitId=first["commitId"])
    assert "exactly the same" in _error(raised)["Message"]
    assert cc.get_branch(repositoryName=REPO, branchName="master")["branch"]["commitId"] == first["commitId"]


def test_missing_repository_branch_and_file(cc):
    with pytest.raises(cc.exceptions.RepositoryDoesNotExistException):
        cc.put_file(repositoryName="nope", branchName="master", fileContent=b"x", filePath="a.txt")
    with pytest.raises(cc.exceptions.RepositoryDoesNotExistException):
        cc.get_branch(repositoryName="nope", branchName="master")
    # Empty repository: no branch yet, and no default branch to read a file from.
    with pytest.raises(cc.exceptions.BranchDoesNotExistException):
        cc.get_branch(repositoryName=REPO, branchName="master")
    with pytest.raises(cc.exceptions.CommitDoesNotExistException):
        cc.get_file(repositoryName=REPO, filePath="a.txt")
    first = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"x", filePath="a.txt")
    # Once the repository has commits, PutFile no longer creates a branch.
    with pytest.raises(cc.exceptions.BranchDoesNotExistException):
        cc.put_file(repositoryName=REPO, branchName="develop", fileContent=b"y", filePath="a.txt",
                    parentCommitId=first["commitId"])
    with pytest.raises(cc.exceptions.FileDoesNotExistException):
        cc.get_file(repositoryName=REPO, filePath="b.txt")
    with pytest.raises(cc.exceptions.CommitDoesNotExistException):
        cc.get_file(repositoryName=REPO, filePath="a.txt", commitSpecifier="no-such-branch")
    # GetFile's errors name no BranchDoesNotExistException: a branch that does not exist is a commit that does not.
    with pytest.raises(cc.exceptions.CommitDoesNotExistException):
        cc.get_file(repositoryName=REPO, filePath="a.txt", commitSpecifier="refs/heads/no-such-branch")
    with pytest.raises(cc.exceptions.RepositoryDoesNotExistException):
        cc.get_file(repositoryName="nope", filePath="a.txt", commitSpecifier="refs/heads/master")
    with pytest.raises(cc.exceptions.CommitIdDoesNotExistException):
        cc.get_commit(repositoryName=REPO, commitId="f" * 40)


def test_create_branch_from_a_commit(cc):
    first = cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"x", filePath="a.txt")
    cc.create_branch(repositoryName=REPO, branchName="develop", commitId=first["commitId"])
    assert cc.list_branches(repositoryName=REPO)["branches"] == ["develop", "master"]
    second = cc.put_file(repositoryName=REPO, branchName="develop", fileContent=b"y", filePath="a.txt",
                         parentCommitId=first["commitId"])
    assert cc.get_file(repositoryName=REPO, filePath="a.txt", commitSpecifier="develop")["fileContent"] == b"y"
    assert cc.get_file(repositoryName=REPO, filePath="a.txt")["commitId"] == first["commitId"]  # default: master
    assert second["commitId"] != first["commitId"]
    with pytest.raises(cc.exceptions.BranchNameExistsException):
        cc.create_branch(repositoryName=REPO, branchName="develop", commitId=first["commitId"])
    with pytest.raises(cc.exceptions.CommitDoesNotExistException):
        cc.create_branch(repositoryName=REPO, branchName="other", commitId="a" * 40)


def test_repositories_are_per_region_and_recreated_empty(aws, cc):
    cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"x", filePath="a.txt")
    east = aws.client("codecommit", "us-east-1")
    with pytest.raises(east.exceptions.RepositoryDoesNotExistException):
        east.get_branch(repositoryName=REPO, branchName="master")
    cc.delete_repository(repositoryName=REPO)
    cc.create_repository(repositoryName=REPO)
    assert cc.list_branches(repositoryName=REPO)["branches"] == []


def test_reset_forgets_commits(aws, cc):
    cc.put_file(repositoryName=REPO, branchName="master", fileContent=b"x", filePath="a.txt")
    aws.control.reset()
    with pytest.raises(cc.exceptions.RepositoryDoesNotExistException):
        cc.get_branch(repositoryName=REPO, branchName="master")
    cc.create_repository(repositoryName=REPO)
    assert cc.list_branches(repositoryName=REPO)["branches"] == []


def test_file_content_is_binary_safe(cc):
    content = bytes(range(256))
    cc.put_file(repositoryName=REPO, branchName="master", fileContent=content, filePath="bin/blob")
    got = cc.get_file(repositoryName=REPO, filePath="bin/blob")
    assert got["fileContent"] == content
    assert got["fileSize"] == 256
