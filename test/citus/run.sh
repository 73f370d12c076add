#!/usr/bin/env bash
# arcollect on a real Citus cluster: builds Citus 13.2.2 from the vendored
# source once (test/citus/build.sh, cached outside the clone), starts a
# coordinator and two workers on loopback with arcollect on all three
# (test/citus/cluster.sh), distributes an invoices table by customer, and
# checks that every aggregate gives the local table's answer while its
# work runs on the workers (test/citus/aggregates.sql), then what the
# ledger does with Citus's tables (test/citus/ledger.sql).  Run by
# scripts/test.sh after the operational tests; on its own:
#   PG_CONFIG=... bash test/citus/run.sh
# When Citus cannot be built here it says so and fails: it never skips.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh >/dev/null

started=$(date +%s)
if ! bash test/citus/build.sh; then
    echo "not ok - citus: Citus could not be built for $("$PG_CONFIG" --version), so arcollect on Citus is untested" >&2
    exit 1
fi
source test/citus/cluster.sh
db=arcollect_citus
citus_cluster_start $db
echo "citus: coordinator on 127.0.0.1:$CITUS_COORDINATOR, workers on :$CITUS_WORKER1 and :$CITUS_WORKER2"

citus_psql "$CITUS_COORDINATOR" $db -v rows="${CITUS_TEST_ROWS:-30000}" -f test/citus/invoices.sql >/dev/null
out=$(citus_psql "$CITUS_COORDINATOR" $db -f test/citus/aggregates.sql)
out+=$'\n'$(citus_psql "$CITUS_COORDINATOR" $db -f test/citus/ledger.sql)
echo "$out"

passed=$(grep -c '^ok' <<<"$out" || true)
failed=$(grep -c '^not ok' <<<"$out" || true)
# 10 aggregate calls x 3 groupings x (answer, plan), one sanity check, and
# the ledger's checks
expected=$((10 * 3 * 2 + 1 + $(grep -c '^-- check:' test/citus/ledger.sql)))
echo "citus: $passed passed, $failed failed of $expected, in $(($(date +%s) - started)) s"
[ "$failed" -eq 0 ] && [ "$passed" -eq "$expected" ]
