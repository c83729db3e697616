"""CodeCommit file and branch API on top of moto's repositories.

moto 5.2.5 keeps only repository metadata (Create/Get/DeleteRepository);
``PutFile`` answers HTTP 500. This extension adds the commit store that the
file API needs and the operations the collection uses:

``PutFile``, ``GetFile``, ``GetFolder``, ``GetBranch``, ``ListBranches``,
``CreateBranch``, ``GetCommit``, ``CreateCommit`` (several files put, copied, moved or
deleted in one commit, https://docs.aws.amazon.com/codecommit/latest/APIReference/API_CreateCommit.html)
and ``ListRepositories`` (moto answered HTTP 500; pages of 1,000 with ``nextToken``, ``sortBy``
``repositoryName``/``lastModifiedDate``, ``order``; API_ListRepositories.html).

Shapes and error codes follow botocore's ``codecommit`` service model; the
error messages follow the descriptions in the CodeCommit API reference
(https://docs.aws.amazon.com/codecommit/latest/APIReference/API_PutFile.html
and the pages of each exception).

Model: a repository is a set of immutable commits; a commit is a snapshot
``{path: (content bytes, file mode)}`` plus its parents, message, author and
time. Branches point at commits. The state lives in ``REPOSITORIES`` keyed by
moto's ``repositoryId`` (a fresh uuid per CreateRepository, so a deleted and
re-created repository starts empty); the reset hook empties it.

A new head on a branch (``PutFile``, ``CreateBranch``) is announced to the
CodePipeline extension, which starts every pipeline whose CodeCommit source
action watches that repository and branch in the same account and region —
what the EventBridge rule CodePipeline creates for such a source does in AWS.
"""
import base64
import hashlib
import itertools
import json
import threading
import time

from moto.codecommit.models import CodeCommitBackend, codecommit_backends
from moto.codecommit.responses import CodeCommitResponse
from moto.core.exceptions import JsonRESTError
from moto.core.utils import iso_8601_datetime_with_milliseconds

from .. import app

FILE_MODES = ("NORMAL", "EXECUTABLE", "SYMLINK")
_LOCK = threading.RLock()
_COUNTER = itertools.count(1)
# repositoryId -> _RepoState
REPOSITORIES = {}


class CodeCommitError(JsonRESTError):
    code = 400

    def __init__(self, error_type, message):
        super().__init__(error_type, message)


def _sha1(data):
    return hashlib.sha1(data).hexdigest()


def blob_id(content):
    """The id git gives the blob (``git hash-object``), as CodeCommit reports it."""
    return _sha1(b"blob %d\0" % len(content) + content)


def _tree_id(entries):
    """A stable id for a folder's listing: ``entries`` is ``[(name, kind, id)]``."""
    text = "\n".join("%s %s %s" % e for e in sorted(entries))
    return _sha1(("tree\0" + text).encode())


def normalize_path(path):
    return "/".join(p for p in (path or "").split("/") if p)


class _Commit:
    def __init__(self, files, parents, message, name, email):
        self.files = files  # {path: (content, mode)} - never mutated after creation
        self.parents = list(parents)
        self.message = message or ""
        self.name = name
        self.email = email or ""
        self.time = time.time()
        seed = "%s|%s|%s|%s|%s|%d" % (
            ",".join(self.parents), self.root_tree_id(), self.message, self.name, self.time, next(_COUNTER))
        self.commit_id = _sha1(("commit\0" + seed).encode())

    def folder_tree_id(self, folder):
        prefix = folder + "/" if folder else ""
        entries = set()
        for path, (content, mode) in self.files.items():
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix):]
            if "/" in rest:
                sub = rest.split("/", 1)[0]
                entries.add((sub, "tree", self.folder_tree_id(prefix + sub)))
            else:
                entries.add((rest, mode, blob_id(content)))
        return _tree_id(entries)

    def root_tree_id(self):
        return self.folder_tree_id("")

    def is_folder(self, folder):
        if not folder:
            return True
        return any(p.startswith(folder + "/") for p in self.files)

    def user_info(self):
        # "The date when the specified commit was commited, in timestamp format with GMT offset."
        return {"name": self.name, "email": self.email, "date": "%d +0000" % int(self.time)}

    def describe(self):
        return {
            "commitId": self.commit_id,
            "treeId": self.root_tree_id(),
            "parents": list(self.parents),
            "message": self.message,
            "author": self.user_info(),
            "committer": self.user_info(),
            "additionalData": "",
        }


class _RepoState:
    def __init__(self, name):
        self.name = name
        self.commits = {}   # commitId -> _Commit
        self.branches = {}  # branch name -> commitId
        self.default_branch = None


def _reset():
    with _LOCK:
        REPOSITORIES.clear()


# --- lookups shared with the CodePipeline extension -------------------------------------------

def _moto_repo(backend, name):
    repository = backend.repositories.get(name)
    if repository is None:
        raise CodeCommitError("RepositoryDoesNotExistException", "%s does not exist" % name)
    return repository


def _state(backend, name):
    repository = _moto_repo(backend, name)
    key = repository.repository_metadata["repositoryId"]
    with _LOCK:
        if key not in REPOSITORIES:
            REPOSITORIES[key] = _RepoState(name)
        return repository, REPOSITORIES[key]


def branch_head(account_id, region, repository_name, branch_name):
    """The head commit of a branch as ``GetCommit`` describes it, or None (no such repo/branch)."""
    try:
        backend = codecommit_backends[account_id][region]
        _, state = _state(backend, repository_name)
    except (CodeCommitError, KeyError):
        return None
    with _LOCK:
        commit_id = state.branches.get(branch_name)
        if commit_id is None:
            return None
        return state.commits[commit_id].describe()


def _announce(account_id, region, repository_name, branch_name, commit):
    from . import codepipeline  # imported late: the modules refer to each other
    codepipeline.on_source_change(account_id, region, "CodeCommit", repository_name, branch_name,
                                  commit.describe())


# --- backend operations -----------------------------------------------------------------------

def _resolve(state, specifier):
    """A commit from a commit id, a branch name, ``refs/heads/<branch>`` or ``HEAD``; None: default branch."""
    if not specifier or specifier == "HEAD":
        if state.default_branch is None:
            raise CodeCommitError(
                "CommitDoesNotExistException",
                "The specified commit does not exist or no commit was specified, and the specified "
                "repository has no default branch.")
        return state.commits[state.branches[state.default_branch]]
    if specifier.startswith("refs/heads/"):
        specifier = specifier[len("refs/heads/"):]
    if specifier in state.branches:
        return state.commits[state.branches[specifier]]
    if specifier in state.commits:
        return state.commits[specifier]
    raise CodeCommitError("CommitDoesNotExistException",
                          "The specified commit %s does not exist." % specifier)


def put_file(self, repository_name, branch_name, content, file_path, file_mode, parent_commit_id,
             commit_message, name, email):
    if not branch_name:
        raise CodeCommitError("BranchNameRequiredException", "A branch name is required, but was not specified.")
    path = normalize_path(file_path)
    if not path:
        raise CodeCommitError("PathRequiredException", "The folderPath for a location cannot be null.")
    if not content:
        raise CodeCommitError("FileContentRequiredException",
                              "The file cannot be added because it is empty. Empty files cannot be added "
                              "to the repository with this API.")
    file_mode = file_mode or "NORMAL"
    if file_mode not in FILE_MODES:
        raise CodeCommitError("InvalidFileModeException", "The specified file mode permission is not valid.")
    repository, state = _state(self, repository_name)
    with _LOCK:
        head_id = state.branches.get(branch_name)
        if head_id is None and state.commits:
            # "If this is an empty repository, this branch is created." (PutFile, branchName)
            raise CodeCommitError("BranchDoesNotExistException",
                                  "The specified branch %s does not exist." % branch_name)
        if head_id is not None:
            if not parent_commit_id:
                raise CodeCommitError(
                    "ParentCommitIdRequiredException",
                    "A parent commit ID is required. To view the full commit ID of a branch in a repository, "
                    "use GetBranch or a Git command (for example, git pull or git log).")
            if parent_commit_id not in state.commits:
                raise CodeCommitError(
                    "ParentCommitDoesNotExistException",
                    "The parent commit ID %s is not valid because it does not exist. The specified parent "
                    "commit ID does not exist in the specified branch of the repository." % parent_commit_id)
            if parent_commit_id != head_id:
                raise CodeCommitError(
                    "ParentCommitIdOutdatedException",
                    "The file could not be added because the provided parent commit ID %s is not the current "
                    "tip of the specified branch. To view the full commit ID of the current head of the branch, "
                    "use GetBranch." % parent_commit_id)
            files = dict(state.commits[head_id].files)
        else:
            if parent_commit_id:
                raise CodeCommitError(
                    "ParentCommitDoesNotExistException",
                    "The parent commit ID %s is not valid because it does not exist. The specified parent "
                    "commit ID does not exist in the specified branch of the repository." % parent_commit_id)
            files = {}
        if files.get(path) == (content, file_mode):
            raise CodeCommitError(
                "SameFileContentException",
                "The file was not added or updated because the content of the file is exactly the same as "
                "the content of that file in the repository and branch that you specified.")
        if any(p.startswith(path + "/") for p in files):
            raise CodeCommitError("FileNameConflictsWithDirectoryNameException",
                                  "A file cannot be added to the repository because the specified file "
                                  "name has the same name as a directory in this repository.")
        parts = path.split("/")
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in files:
                raise CodeCommitError("DirectoryNameConflictsWithFileNameException",
                                      "A file cannot be added to the repository because the specified path "
                                      "name has the same name as a file that already exists in this repository.")
        files[path] = (content, file_mode)
        commit = _Commit(files, [head_id] if head_id else [], commit_message, name or "emulator-user", email)
        state.commits[commit.commit_id] = commit
        state.branches[branch_name] = commit.commit_id
        repository.repository_metadata["lastModifiedDate"] = iso_8601_datetime_with_milliseconds()
        if state.default_branch is None:
            state.default_branch = branch_name
            repository.repository_metadata["defaultBranch"] = branch_name
    _announce(self.account_id, self.region_name, repository_name, branch_name, commit)
    return {"commitId": commit.commit_id, "blobId": blob_id(content), "treeId": commit.root_tree_id()}


def get_file(self, repository_name, commit_specifier, file_path):
    path = normalize_path(file_path)
    if not path:
        raise CodeCommitError("PathRequiredException", "The folderPath for a location cannot be null.")
    _, state = _state(self, repository_name)
    with _LOCK:
        commit = _resolve(state, commit_specifier)
        if path not in commit.files:
            raise CodeCommitError(
                "FileDoesNotExistException",
                "The specified file %s does not exist. Verify that you have used the correct file name, "
                "full path, and extension." % path)
        content, mode = commit.files[path]
    return {
        "commitId": commit.commit_id,
        "blobId": blob_id(content),
        "filePath": path,
        "fileMode": mode,
        "fileSize": len(content),
        "fileContent": base64.b64encode(content).decode(),
    }


def get_folder(self, repository_name, commit_specifier, folder_path):
    if folder_path is None:
        raise CodeCommitError("PathRequiredException", "The folderPath for a location cannot be null.")
    folder = normalize_path(folder_path)
    _, state = _state(self, repository_name)
    with _LOCK:
        commit = _resolve(state, commit_specifier)
        if not commit.is_folder(folder):
            raise CodeCommitError(
                "FolderDoesNotExistException",
                "The specified folder %s does not exist. Either the folder name is not correct, or you did "
                "not enter the full path to the folder." % folder)
        prefix = folder + "/" if folder else ""
        files, subfolders = [], {}
        for path in sorted(commit.files):
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix):]
            if "/" in rest:
                sub = rest.split("/", 1)[0]
                subfolders[sub] = {"absolutePath": prefix + sub, "relativePath": sub,
                                   "treeId": commit.folder_tree_id(prefix + sub)}
                continue
            content, mode = commit.files[path]
            entry = {"absolutePath": path, "relativePath": rest, "blobId": blob_id(content), "fileMode": mode}
            files.append(entry)
        symlinks = [f for f in files if f["fileMode"] == "SYMLINK"]
        files = [f for f in files if f["fileMode"] != "SYMLINK"]
        return {
            "commitId": commit.commit_id,
            "folderPath": folder,
            "treeId": commit.folder_tree_id(folder),
            "subFolders": [subfolders[k] for k in sorted(subfolders)],
            "files": files,
            "symbolicLinks": symlinks,
            "subModules": [],
        }


def get_branch(self, repository_name, branch_name):
    if not branch_name:
        raise CodeCommitError("BranchNameRequiredException", "A branch name is required, but was not specified.")
    _, state = _state(self, repository_name)
    with _LOCK:
        if branch_name not in state.branches:
            raise CodeCommitError("BranchDoesNotExistException",
                                  "The specified branch %s does not exist." % branch_name)
        return {"branch": {"branchName": branch_name, "commitId": state.branches[branch_name]}}


def list_branches(self, repository_name):
    _, state = _state(self, repository_name)
    with _LOCK:
        return {"branches": sorted(state.branches)}


def create_branch(self, repository_name, branch_name, commit_id):
    if not branch_name:
        raise CodeCommitError("BranchNameRequiredException", "A branch name is required, but was not specified.")
    if not commit_id:
        raise CodeCommitError("CommitIdRequiredException", "A commit ID was not specified.")
    _, state = _state(self, repository_name)
    with _LOCK:
        if branch_name in state.branches:
            raise CodeCommitError("BranchNameExistsException",
                                  "Cannot create the branch with the specified name because the commit "
                                  "conflicts with an existing branch with the same name. Branch names must "
                                  "be unique.")
        if commit_id not in state.commits:
            raise CodeCommitError("CommitDoesNotExistException",
                                  "The specified commit %s does not exist." % commit_id)
        state.branches[branch_name] = commit_id
        commit = state.commits[commit_id]
    _announce(self.account_id, self.region_name, repository_name, branch_name, commit)


def get_commit(self, repository_name, commit_id):
    if not commit_id:
        raise CodeCommitError("CommitIdRequiredException", "A commit ID was not specified.")
    _, state = _state(self, repository_name)
    with _LOCK:
        if commit_id not in state.commits:
            raise CodeCommitError("CommitIdDoesNotExistException",
                                  "The specified commit ID %s does not exist." % commit_id)
        return {"commit": state.commits[commit_id].describe()}


# --- CreateCommit -----------------------------------------------------------------------------

MAX_FILE_ENTRIES = 100            # CodeCommit quotas: "Number of files in a single commit: 100"
MAX_FILE_BYTES = 6 * 1024 * 1024  # FileContentSizeLimitExceededException: "The maximum file size is 6 MB,
MAX_COMMIT_BYTES = 7 * 1024 * 1024  # and the combined file content change size is 7 MB."


def _commit_error(code):
    """The exception with the description botocore's service model (the API reference) gives it."""
    import botocore.session
    text = botocore.session.get_session().get_service_model("codecommit").shape_for(code).documentation or code
    return CodeCommitError(code, text.replace("<p>", "").replace("</p>", "").strip())


def _check_conflicts(files, path):
    if any(p.startswith(path + "/") for p in files):
        raise CodeCommitError("FileNameConflictsWithDirectoryNameException",
                              "A file cannot be added to the repository because the specified file "
                              "name has the same name as a directory in this repository.")
    parts = path.split("/")
    for depth in range(1, len(parts)):
        if "/".join(parts[:depth]) in files:
            raise CodeCommitError("DirectoryNameConflictsWithFileNameException",
                                  "A file cannot be added to the repository because the specified path "
                                  "name has the same name as a file that already exists in this repository.")


def create_commit(self, repository_name, branch_name, parent_commit_id, author_name, email, commit_message,
                  keep_empty_folders, put_files, delete_files, set_file_modes):
    if not repository_name:
        raise _commit_error("RepositoryNameRequiredException")
    if not branch_name:
        raise CodeCommitError("BranchNameRequiredException", "A branch name is required, but was not specified.")
    put_files, delete_files, set_file_modes = put_files or [], delete_files or [], set_file_modes or []
    if not (put_files or delete_files or set_file_modes):
        raise _commit_error("FileEntryRequiredException")
    if len(put_files) + len(delete_files) + len(set_file_modes) > MAX_FILE_ENTRIES:
        raise _commit_error("MaximumFileEntriesExceededException")
    seen = set()
    for entry in put_files + delete_files + set_file_modes:
        path = normalize_path(entry.get("filePath"))
        if not path:
            raise CodeCommitError("PathRequiredException", "The folderPath for a location cannot be null.")
        if path in seen:
            raise _commit_error("SamePathRequestException")
        seen.add(path)
    for entry in put_files:
        has_content, source = "fileContent" in entry and entry["fileContent"] is not None, entry.get("sourceFile")
        if has_content and source:
            raise _commit_error("FileContentAndSourceFileSpecifiedException")
        if not has_content and not source:
            raise _commit_error("SourceFileOrContentRequiredException")
        if (entry.get("fileMode") or "NORMAL") not in FILE_MODES:
            raise CodeCommitError("InvalidFileModeException", "The specified file mode permission is not valid.")
    for entry in set_file_modes:
        if not entry.get("fileMode"):
            raise _commit_error("FileModeRequiredException")
        if entry["fileMode"] not in FILE_MODES:
            raise CodeCommitError("InvalidFileModeException", "The specified file mode permission is not valid.")
    put_paths = [normalize_path(e["filePath"]) for e in put_files]
    if any(other.startswith(path + "/") for path in put_paths for other in put_paths):
        raise _commit_error("PutFileEntryConflictException")  # one entry's file is another entry's folder
    if sum(len(e["fileContent"]) for e in put_files if e.get("fileContent")) > MAX_COMMIT_BYTES or any(
            len(e.get("fileContent") or b"") > MAX_FILE_BYTES for e in put_files):
        raise _commit_error("FileContentSizeLimitExceededException")

    repository, state = _state(self, repository_name)
    with _LOCK:
        head_id = state.branches.get(branch_name)
        if head_id is None and state.commits:
            raise CodeCommitError("BranchDoesNotExistException",
                                  "The specified branch %s does not exist." % branch_name)
        if head_id is not None:
            if not parent_commit_id:
                raise _commit_error("ParentCommitIdRequiredException")
            if parent_commit_id not in state.commits:
                raise _commit_error("ParentCommitDoesNotExistException")
            if parent_commit_id != head_id:
                raise _commit_error("ParentCommitIdOutdatedException")
            before = state.commits[head_id].files
        else:
            if parent_commit_id:
                raise _commit_error("ParentCommitDoesNotExistException")
            before = {}
        files = dict(before)
        added, updated, deleted = [], [], []
        for entry in delete_files:
            path = normalize_path(entry["filePath"])
            if path not in files:
                raise _commit_error("FileDoesNotExistException")
            content, mode = files.pop(path)
            deleted.append({"absolutePath": path, "blobId": blob_id(content), "fileMode": mode})
        for entry in put_files:
            path = normalize_path(entry["filePath"])
            source = entry.get("sourceFile")
            if source:
                source_path = normalize_path(source.get("filePath"))
                if source_path not in before:
                    raise _commit_error("FileDoesNotExistException")
                content, source_mode = before[source_path]
                mode = entry.get("fileMode") or source_mode
                if source.get("isMove"):
                    files.pop(source_path, None)
                    deleted.append({"absolutePath": source_path, "blobId": blob_id(content), "fileMode": source_mode})
            else:
                content, mode = entry["fileContent"], entry.get("fileMode") or "NORMAL"
            others = {p: v for p, v in files.items() if p != path}
            _check_conflicts(others, path)
            metadata = {"absolutePath": path, "blobId": blob_id(content), "fileMode": mode}
            if path in before and before[path] != (content, mode):
                updated.append(metadata)
            elif path not in before:
                added.append(metadata)
            files[path] = (content, mode)
        for entry in set_file_modes:
            path = normalize_path(entry["filePath"])
            if path not in files:
                raise _commit_error("FileDoesNotExistException")
            content, _ = files[path]
            files[path] = (content, entry["fileMode"])
            if before.get(path) != files[path] and path in before:
                updated.append({"absolutePath": path, "blobId": blob_id(content), "fileMode": entry["fileMode"]})
        if files == before:
            raise _commit_error("NoChangeException")
        commit = _Commit(files, [head_id] if head_id else [], commit_message, author_name or "emulator-user", email)
        state.commits[commit.commit_id] = commit
        state.branches[branch_name] = commit.commit_id
        repository.repository_metadata["lastModifiedDate"] = iso_8601_datetime_with_milliseconds()
        if state.default_branch is None:
            state.default_branch = branch_name
            repository.repository_metadata["defaultBranch"] = branch_name
    _announce(self.account_id, self.region_name, repository_name, branch_name, commit)
    return {"commitId": commit.commit_id, "treeId": commit.root_tree_id(), "filesAdded": added,
            "filesUpdated": updated, "filesDeleted": deleted}


# --- ListRepositories -------------------------------------------------------------------------

LIST_REPOSITORIES_PAGE = 1000  # ListRepositories nextToken: "Batch sizes are 1,000 for list repository operations."


def list_repositories(self, next_token, sort_by, order):
    sort_by = sort_by or "repositoryName"
    order = order or "ascending"
    if sort_by not in ("repositoryName", "lastModifiedDate"):
        raise CodeCommitError("InvalidSortByException", "The specified sort by value is not valid.")
    if order not in ("ascending", "descending"):
        raise CodeCommitError("InvalidOrderException", "The specified sort order is not valid.")
    entries = [{"repositoryName": name, "repositoryId": repository.repository_metadata["repositoryId"],
                "_modified": repository.repository_metadata.get("lastModifiedDate", "")}
               for name, repository in self.repositories.items()]
    key = (lambda e: e["repositoryName"]) if sort_by == "repositoryName" else (
        lambda e: (e["_modified"], e["repositoryName"]))
    entries.sort(key=key, reverse=order == "descending")
    start = 0
    if next_token:
        try:
            start = int(base64.b64decode(next_token.encode()).decode().split(":", 1)[1])
            if not 0 < start < len(entries):
                raise ValueError(start)
        except (ValueError, IndexError, UnicodeDecodeError, base64.binascii.Error):
            raise CodeCommitError("InvalidContinuationTokenException",
                                  "The specified continuation token is not valid.")
    page = [{"repositoryName": e["repositoryName"], "repositoryId": e["repositoryId"]}
            for e in entries[start:start + LIST_REPOSITORIES_PAGE]]
    result = {"repositories": page}
    if start + LIST_REPOSITORIES_PAGE < len(entries):
        result["nextToken"] = base64.b64encode(("repositories:%d" % (start + LIST_REPOSITORIES_PAGE)).encode()).decode()
    return result


# --- responses --------------------------------------------------------------------------------

def _r_put_file(self):
    content = base64.b64decode(self._get_param("fileContent") or "")
    result = self.codecommit_backend.put_file(
        self._get_param("repositoryName"), self._get_param("branchName"), content,
        self._get_param("filePath"), self._get_param("fileMode"), self._get_param("parentCommitId"),
        self._get_param("commitMessage"), self._get_param("name"), self._get_param("email"))
    return app_json(result)


def _r_get_file(self):
    return app_json(self.codecommit_backend.get_file(
        self._get_param("repositoryName"), self._get_param("commitSpecifier"), self._get_param("filePath")))


def _r_get_folder(self):
    return app_json(self.codecommit_backend.get_folder(
        self._get_param("repositoryName"), self._get_param("commitSpecifier"), self._get_param("folderPath")))


def _r_get_branch(self):
    return app_json(self.codecommit_backend.get_branch(
        self._get_param("repositoryName"), self._get_param("branchName")))


def _r_list_branches(self):
    return app_json(self.codecommit_backend.list_branches(self._get_param("repositoryName")))


def _r_create_branch(self):
    self.codecommit_backend.create_branch(
        self._get_param("repositoryName"), self._get_param("branchName"), self._get_param("commitId"))
    return "{}"


def _r_get_commit(self):
    return app_json(self.codecommit_backend.get_commit(
        self._get_param("repositoryName"), self._get_param("commitId")))


def _r_create_commit(self):
    def decoded(entries):
        result = []
        for entry in entries or []:
            entry = dict(entry)
            if entry.get("fileContent") is not None:
                entry["fileContent"] = base64.b64decode(entry["fileContent"])
            result.append(entry)
        return result
    return app_json(self.codecommit_backend.create_commit(
        self._get_param("repositoryName"), self._get_param("branchName"), self._get_param("parentCommitId"),
        self._get_param("authorName"), self._get_param("email"), self._get_param("commitMessage"),
        self._get_param("keepEmptyFolders"), decoded(self._get_param("putFiles")), self._get_param("deleteFiles"),
        self._get_param("setFileModes")))


def _r_list_repositories(self):
    return app_json(self.codecommit_backend.list_repositories(
        self._get_param("nextToken"), self._get_param("sortBy"), self._get_param("order")))


def app_json(payload):
    return json.dumps(payload)


BACKEND_METHODS = {
    "put_file": put_file, "get_file": get_file, "get_folder": get_folder, "get_branch": get_branch,
    "list_branches": list_branches, "create_branch": create_branch, "get_commit": get_commit,
    "create_commit": create_commit, "list_repositories": list_repositories,
}
RESPONSE_METHODS = {
    "put_file": _r_put_file, "get_file": _r_get_file, "get_folder": _r_get_folder,
    "get_branch": _r_get_branch, "list_branches": _r_list_branches, "create_branch": _r_create_branch,
    "get_commit": _r_get_commit, "create_commit": _r_create_commit, "list_repositories": _r_list_repositories,
}


def install():
    for name, function in BACKEND_METHODS.items():
        setattr(CodeCommitBackend, name, function)
    for name, function in RESPONSE_METHODS.items():
        setattr(CodeCommitResponse, name, function)
    if _reset not in app.RESET_HOOKS:
        app.RESET_HOOKS.append(_reset)
