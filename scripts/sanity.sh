#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection laid out as ansible_collections/mysfits/multi_region.
#
# ansible-test bootstraps pip in each of its virtual environments with a get-pip script it
# downloads from a host this machine cannot reach. We put a local stand-in at the cache path
# ansible-test checks first: it seeds pip with ensurepip and installs the requested pip from
# PyPI (the --cert is explicit because ansible-test clears pip's own settings).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.sanity"
dest="$work/ansible_collections/mysfits/multi_region"
python=${PYTHON_VERSION:-3.11}

pip_version=$(python - <<'PY'
from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
print(get_venv_packages(NativePythonConfig(version="3.11"))["pip"])
PY
)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
cat > "$cache" <<PY
"""Local stand-in for ansible-test's get-pip download: ensurepip, then pip from PyPI."""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--cert", "/etc/ssl/certs/ca-certificates.crt"] + args)
PY

rm -rf "$work"
mkdir -p "$dest"
# The collection's content as `ansible-galaxy collection build` ships it (galaxy.yml build_ignore).
# Plain Python (no rsync: a fresh machine has only Python). Names excluded anywhere, paths from the top.
python - "$root" "$dest" <<'PY'
import shutil, sys
root, dest = sys.argv[1], sys.argv[2]
anywhere = {".git", ".venv", ".ansible", ".sanity", ".pytest_cache", "__pycache__", ".ci", "Makefile",
            "requirements", "scripts", "benchmarks", "pytest.ini", "ansible.cfg", "extensions",
            ".demo-emulator.log", "reports"}
top = {"tests/emulator", "tests/emulator_tests", "tests/integration", "tests/reliability", "tests/fixture",
       "tests/conftest.py"}

def ignore(folder, names):
    rel = folder[len(root):].strip("/")
    return {n for n in names
            if n in anywhere or n.endswith(".tar.gz") or (rel + "/" + n).lstrip("/") in top}

shutil.rmtree(dest, ignore_errors=True)
shutil.copytree(root, dest, ignore=ignore, symlinks=True)
PY
# The dependency (amazon.aws, from the `ansible` package) beside it, where ansible-test looks.
site=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mkdir -p "$work/ansible_collections/amazon"
ln -sfn "$site/ansible_collections/amazon/aws" "$work/ansible_collections/amazon/aws"
cd "$dest"
printf 'tests/output/\n' > .gitignore
git init -q . && git add -A >/dev/null   # ansible-test lists a collection's files through git
ansible-test sanity --venv --python "$python" --color no "$@"
