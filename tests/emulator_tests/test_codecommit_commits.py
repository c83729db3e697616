"""CodeCommit CreateCommit and ListRepositories in the emulator, called with boto3 as against AWS.

References (CodeCommit API reference, https://docs.aws.amazon.com/codecommit/latest/APIReference/):
API_CreateCommit.html ("parentCommitId ... Not required if this is an empty repository."; putFiles with
fileContent or sourceFile; deleteFiles; setFileModes; the errors listed there, whose descriptions the
emulator answers: NoChangeException, FileEntryRequiredException, SamePathRequestException,
PutFileEntryConflictException, SourceFileOrContentRequiredException, FileContentAndSourceFileSpecifiedException,
FileDoesNotExistException, ParentCommitIdRequiredException, ParentCommitIdOutdatedException,
ParentCommitDoesNotExistException, MaximumFileEntriesExceededException); CodeCommit user guide "Quotas"
("Number of files in a single commit: 100"); API_ListRepositories.html ("nextToken ... Batch sizes are 1,000
for list repository operations."; sortBy repositoryName | lastModifiedDate; order ascending | descending).
"""
import botocore.exceptions
import pytest

REPO = "core-service-mm-multi-region-MythicalCiCdStack-ABCDEFGHIJKLM"


@pytest.fixture
def cc(aws):
    client = aws.client("codecommit")
    client.create_repository(repositoryName=REPO)
    return client


def _code(raised):
    return raised.value.response["Error"]["Code"]


def _files(cc, commit):
    listing = cc.get_folder(repositoryName=REPO, commitSpecifier=commit, folderPath="/")
    paths = [f["absolutePath"] for f in listing["files"]]
    for folder in listing["subFolders"]:
        paths += [f["absolutePath"] for f in cc.get_folder(repositoryName=REPO, commitSpecifier=commit,
                                                           folderPath=folder["absolutePath"])["files"]]
    return sorted(paths)


def test_first_commit_puts_several_files_at_once_and_creates_the_branch(cc):
    created = cc.create_commit(
        repositoryName=REPO, branchName="master", authorName="workshop user", email="workshop@example.com",
        commitMessage="Initial commit of the core service",
        putFiles=[{"filePath": "Dockerfile", "fileContent": b"FROM python:3.12\n"},
                  {"filePath": "buildspec_prod.yml", "fileContent": b"version: 0.2\n"},
                  {"filePath": "service/app.py", "fileContent": b"print('hi')\n", "fileMode": "EXECUTABLE"}])
    assert sorted(f["absolutePath"] for f in created["filesAdded"]) == ["Dockerfile", "buildspec_prod.yml",
                                                                        "service/app.py"]
    assert created["filesUpdated"] == [] and created["filesDeleted"] == []
    branch = cc.get_branch(repositoryName=REPO, branchName="master")["branch"]
    assert branch["commitId"] == created["commitId"]
    commit = cc.get_commit(repositoryName=REPO, commitId=created["commitId"])["commit"]
    assert commit["parents"] == [] and commit["message"] == "Initial commit of the core service"
    assert commit["author"]["name"] == "workshop user" and commit["treeId"] == created["treeId"]
    assert _files(cc, "master") == ["Dockerfile", "buildspec_prod.yml", "service/app.py"]
    assert cc.get_file(repositoryName=REPO, filePath="service/app.py")["fileMode"] == "EXECUTABLE"
    assert cc.get_repository(repositoryName=REPO)["repositoryMetadata"]["defaultBranch"] == "master"


def test_next_commit_puts_moves_deletes_and_sets_modes_on_the_head(cc):
    first = cc.create_commit(repositoryName=REPO, branchName="master",
                             putFiles=[{"filePath": "a.txt", "fileContent": b"a"},
                                       {"filePath": "b.txt", "fileContent": b"b"},
                                       {"filePath": "run.sh", "fileContent": b"echo"}])
    second = cc.create_commit(
        repositoryName=REPO, branchName="master", parentCommitId=first["commitId"],
        putFiles=[{"filePath": "a.txt", "fileContent": b"A"},
                  {"filePath": "docs/b.txt", "sourceFile": {"filePath": "b.txt", "isMove": True}}],
        setFileModes=[{"filePath": "run.sh", "fileMode": "EXECUTABLE"}])
    assert [f["absolutePath"] for f in second["filesAdded"]] == ["docs/b.txt"]
    assert sorted(f["absolutePath"] for f in second["filesUpdated"]) == ["a.txt", "run.sh"]
    assert [f["absolutePath"] for f in second["filesDeleted"]] == ["b.txt"]
    assert cc.get_commit(repositoryName=REPO, commitId=second["commitId"])["commit"]["parents"] == [first["commitId"]]
    assert _files(cc, "master") == ["a.txt", "docs/b.txt", "run.sh"]
    assert cc.get_file(repositoryName=REPO, filePath="docs/b.txt")["fileContent"] == b"b"
    third = cc.create_commit(repositoryName=REPO, branchName="master", parentCommitId=second["commitId"],
                             deleteFiles=[{"filePath": "a.txt"}])
    assert [f["absolutePath"] for f in third["filesDeleted"]] == ["a.txt"]
    # the earlier commit still has the file
    assert cc.get_file(repositoryName=REPO, commitSpecifier=first["commitId"], filePath="a.txt")["fileContent"] == b"a"


def test_parent_commit_rules(cc):
    first = cc.create_commit(repositoryName=REPO, branchName="master",
                             putFiles=[{"filePath": "a.txt", "fileContent": b"1"}])
    put = [{"filePath": "a.txt", "fileContent": b"2"}]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cc.create_commit(repositoryName=REPO, branchName="master", putFiles=put)
    assert _code(raised) == "ParentCommitIdRequiredException"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cc.create_commit(repositoryName=REPO, branchName="master", parentCommitId="0" * 40, putFiles=put)
    assert _code(raised) == "ParentCommitDoesNotExistException"
    second = cc.create_commit(repositoryName=REPO, branchName="master", parentCommitId=first["commitId"], putFiles=put)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cc.create_commit(repositoryName=REPO, branchName="master", parentCommitId=first["commitId"],
                         putFiles=[{"filePath": "a.txt", "fileContent": b"3"}])
    assert _code(raised) == "ParentCommitIdOutdatedException"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cc.create_commit(repositoryName=REPO, branchName="other", parentCommitId=second["commitId"], putFiles=put)
    assert _code(raised) == "BranchDoesNotExistException"
    assert cc.get_branch(repositoryName=REPO, branchName="master")["branch"]["commitId"] == second["commitId"]


@pytest.mark.parametrize("arguments,code", [
    ({}, "FileEntryRequiredException"),
    ({"putFiles": [{"filePath": "x", "fileContent": b"1"}, {"filePath": "x", "fileContent": b"2"}]},
     "SamePathRequestException"),
    ({"putFiles": [{"filePath": "x", "fileContent": b"1"}], "deleteFiles": [{"filePath": "x"}]},
     "SamePathRequestException"),
    ({"putFiles": [{"filePath": "x", "fileContent": b"1"}, {"filePath": "x/y", "fileContent": b"2"}]},
     "PutFileEntryConflictException"),
    ({"putFiles": [{"filePath": "x"}]}, "SourceFileOrContentRequiredException"),
    ({"putFiles": [{"filePath": "x", "fileContent": b"1", "sourceFile": {"filePath": "a.txt"}}]},
     "FileContentAndSourceFileSpecifiedException"),
    ({"deleteFiles": [{"filePath": "missing.txt"}]}, "FileDoesNotExistException"),
    ({"putFiles": [{"filePath": "y", "sourceFile": {"filePath": "missing.txt"}}]}, "FileDoesNotExistException"),
    ({"putFiles": [{"filePath": "a.txt", "fileContent": b"same"}]}, "NoChangeException"),
    ({"putFiles": [{"filePath": "f%d" % i, "fileContent": b"1"} for i in range(101)]},
     "MaximumFileEntriesExceededException"),
    ({"putFiles": [{"filePath": "a.txt/inner", "fileContent": b"1"}]}, "DirectoryNameConflictsWithFileNameException"),
])
def test_create_commit_refuses_what_aws_refuses_and_changes_nothing(cc, arguments, code):
    first = cc.create_commit(repositoryName=REPO, branchName="master",
                             putFiles=[{"filePath": "a.txt", "fileContent": b"same"}])
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cc.create_commit(repositoryName=REPO, branchName="master", parentCommitId=first["commitId"], **arguments)
    assert _code(raised) == code
    assert raised.value.response["Error"]["Message"]
    assert cc.get_branch(repositoryName=REPO, branchName="master")["branch"]["commitId"] == first["commitId"]


def test_create_commit_on_a_missing_repository(aws):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        aws.client("codecommit").create_commit(repositoryName="nope", branchName="master",
                                               putFiles=[{"filePath": "a", "fileContent": b"1"}])
    assert _code(raised) == "RepositoryDoesNotExistException"


def test_list_repositories_pages_by_one_thousand_and_sorts(aws):
    cc = aws.client("codecommit")
    assert cc.list_repositories()["repositories"] == []
    names = ["repo-%04d" % i for i in range(1003)]
    for name in reversed(names):
        cc.create_repository(repositoryName=name)
    first = cc.list_repositories()
    assert len(first["repositories"]) == 1000 and first["nextToken"]
    assert [r["repositoryName"] for r in first["repositories"]] == names[:1000]
    assert set(first["repositories"][0]) == {"repositoryName", "repositoryId"}
    second = cc.list_repositories(nextToken=first["nextToken"])
    assert [r["repositoryName"] for r in second["repositories"]] == names[1000:] and "nextToken" not in second
    paged = [r["repositoryName"] for page in cc.get_paginator("list_repositories").paginate(order="descending")
             for r in page["repositories"]]
    assert paged == list(reversed(names))
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cc.list_repositories(nextToken="not-a-token")
    assert _code(raised) == "InvalidContinuationTokenException"
