#!/usr/bin/env bash
# `make demo`: run by tests/emulator/run.py with boto3 pointed at the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
inventory=${INVENTORY:-inventory/regions.yml}
echo "== 1/3 the primary region as Labs 0-2 leave it (fixture)"
ansible-playbook tests/fixture/primary.yml
echo "== 2/3 the site playbook: ansible-playbook -i $inventory playbooks/multi_region.yml"
ansible-playbook -i "$inventory" playbooks/multi_region.yml
echo "== 3/3 what each region holds now"
python scripts/summary.py --inventory "$inventory"
