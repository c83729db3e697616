#!/usr/bin/env bash
# `make demo-drill`: run by tests/emulator/run.py with boto3 pointed at the emulator (a fresh one).
# The demo world and the site playbook (scripts/demo.sh), then the workshop's Labs 4 and 5: the front door,
# traffic dials, and the failover drill with failback (report in inventory/reports/drill.html).
# The endpoint groups' health checks are 10 s x 1, the smallest floor the Global Accelerator API allows, so the
# drill takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/demo.sh
world=${DEMO_WORLD:-workshop}
if [ "$world" = workshop ]; then inventory=${INVENTORY:-inventory/workshop.yml}; else inventory=${INVENTORY:-inventory/regions.yml}; fi
echo "== 4/6 Lab 4, the front door: ansible-playbook -i $inventory playbooks/front_door.yml"
ansible-playbook -i "$inventory" playbooks/front_door.yml \
  -e front_door_health_check_interval_seconds=10 -e front_door_threshold_count=1
echo "== 5/6 Lab 5, traffic dials: 50/50, then 100/0"
ansible-playbook -i "$inventory" playbooks/traffic.yml -e '{"dials": {"us-west-2": 50, "us-east-1": 50}}'
ansible-playbook -i "$inventory" playbooks/traffic.yml -e '{"dials": {"us-west-2": 100, "us-east-1": 0}}'
echo "== 6/6 Lab 5, the failover drill: ansible-playbook -i $inventory playbooks/drill.yml ${DRILL_ARGS:-}"
# shellcheck disable=SC2086
ansible-playbook -i "$inventory" playbooks/drill.yml ${DRILL_ARGS:-}
echo "report: $(dirname "$inventory")/reports/drill.md and drill.html"
