#!/bin/sh
# Every measurement behind bench/results/RESULTS.md, in the order they were taken, then the report.
# Run it when the machine is quiet (check `uptime`); it takes about 25 minutes on 2 cores:
#   sh bench/rerun-all.sh
# A step with failed runs (listed as failed in its table) does not stop the others; the exit status
# says whether any had them.
set -u
cd "$(dirname "$0")/.."
status=0
npm run bench -- --hosts 1 --runs 3 || status=1
npm run bench -- --hosts 10 --runs 3 --no-build || status=1
# 50 hosts: authctl, the yardsticks and tuned Ansible, one round (Ansible as shipped takes over ten
# minutes a run at 50 hosts; its saved rows are kept and marked †)
npm run bench -- --hosts 50 --runs 1 --cold-runs 0 --merge --no-build \
  --scenarios authctl-first,authctl-nochange,floor,replay,authctl-restart-serial1,authctl-restart-all,ansible-tuned-first,ansible-tuned-nochange,ansible-tuned-restart-serial1,ansible-tuned-restart-all \
  || status=1
npx tsx bench/fleet.ts --hosts 200 --no-build || status=1
npx tsx bench/phases.ts --hosts 10 --no-build || status=1
npm run bench -- --report
exit $status
