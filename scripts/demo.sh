#!/usr/bin/env bash
# `make demo`: run by tests/emulator/run.py with boto3 pointed at the emulator.
#   DEMO_WORLD=workshop (default): the primary region as the workshop's Labs 0-2 leave it
#     (tests/fixture/workshop), inventory/workshop.yml (the regions and the stack name only).
#   DEMO_WORLD=own: a team that named everything its own way (tests/fixture/primary.yml), inventory/regions.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
world=${DEMO_WORLD:-workshop}
case "$world" in
  workshop)
    inventory=${INVENTORY:-inventory/workshop.yml}
    echo "== 1/3 the primary region as the workshop's Labs 0-2 leave it (tests/fixture/workshop)"
    python -m tests.fixture.workshop --quiet
    dashboard=ReInvent-App-Dashboard
    ;;
  own)
    inventory=${INVENTORY:-inventory/regions.yml}
    echo "== 1/3 the primary region as a team with its own names left it (tests/fixture/primary.yml)"
    ansible-playbook tests/fixture/primary.yml
    dashboard=MythicalMysfits-Dashboard
    ;;
  *)
    echo "DEMO_WORLD must be workshop or own (it is $world)" >&2
    exit 2
    ;;
esac
echo "== 2/3 the site playbook: ansible-playbook -i $inventory playbooks/multi_region.yml"
ansible-playbook -i "$inventory" playbooks/multi_region.yml
echo "== 3/3 what each region holds now"
python scripts/summary.py --inventory "$inventory" --dashboard "$dashboard"
