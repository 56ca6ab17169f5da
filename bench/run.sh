#!/usr/bin/env bash
# `make bench`: every benchmark, one after the other. Against DATABASE_URL/REDIS_URL when they are
# set; otherwise on a throwaway PostgreSQL (fsync on, so commits cost what they cost in production)
# and Redis on loopback, stopped afterwards. Figures are documented in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then
  # shellcheck source=../.ci/services.sh
  source .ci/services.sh
  services_install
  PG_FSYNC=on services_start
  trap services_stop EXIT
fi
PY=.venv/bin/python
for script in plan_bench reminder_bench decisions_bench log_bench inbox_bench concurrency_bench audit_bench public_bench progress_bench search_bench; do
  echo "== bench/$script.py"
  "$PY" "bench/$script.py"
done
