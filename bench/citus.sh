#!/usr/bin/env bash
# arcollect on Citus against one node, in the same run: the aging per
# customer (and over all rows, and sum(open_amount) as the yardstick) over
# the same generated invoices, once in a table of the coordinator (one
# node: PostgreSQL's parallel plan) and once distributed by customer over
# two workers.  See bench/README.md.
#
#   bash bench/citus.sh                       # 2M invoices, 20k customers
#   BENCH_INVOICES=200000 bash bench/citus.sh # a quick run
#
# It builds Citus once (test/citus/build.sh) and starts its own cluster
# (test/citus/cluster.sh: a coordinator and two workers on loopback, all
# on this machine, with the same settings); the extension must be
# installed or installable (scripts/setup.sh).
#
# Environment:
#   BENCH_INVOICES   invoices (2000000)
#   BENCH_CUSTOMERS  customers (20000)
#   BENCH_RUNS       rounds, the first a warm-up (6)
#   BENCH_SHARDS     citus.shard_count (32, Citus's default)
#   BENCH_AS_OF      as-of date (2026-06-30); BENCH_SEED (0.42)
#   PG_CONFIG        as for scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

INVOICES=${BENCH_INVOICES:-2000000}
CUSTOMERS=${BENCH_CUSTOMERS:-20000}
RUNS=${BENCH_RUNS:-6}
SHARDS=${BENCH_SHARDS:-32}
AS_OF=${BENCH_AS_OF:-2026-06-30}
SEED=${BENCH_SEED:-0.42}
if [ "$RUNS" -lt 2 ]; then
    echo "bench: BENCH_RUNS must be at least 2 (the first round is a warm-up)" >&2
    exit 1
fi
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

source scripts/setup.sh >/dev/null
bash test/citus/build.sh
# Every node alike: room for the table in shared_buffers, parallel plans
# as bench/run.sh has them.
export CITUS_SHARED_BUFFERS=1GB CITUS_WORK_MEM=256MB CITUS_PARALLEL_WORKERS=2
source test/citus/cluster.sh
db=arcollect_bench
log "starting a coordinator and two workers"
citus_cluster_start $db
bench_psql() { citus_psql "$CITUS_COORDINATOR" $db "$@"; }

log "generating $INVOICES invoices across $CUSTOMERS customers"
bench_psql -v n="$INVOICES" -v m="$CUSTOMERS" -v as_of="$AS_OF" -v seed="$SEED" \
    -f bench/generate.sql >/dev/null
log "distributing a copy by customer_id over $SHARDS shards"
bench_psql -c "SET citus.shard_count = $SHARDS" \
    -c 'CREATE TABLE arcollect_bench.invoice_distributed (LIKE arcollect_bench.invoice)' \
    -c "SELECT create_distributed_table('arcollect_bench.invoice_distributed', 'customer_id')" \
    -c 'INSERT INTO arcollect_bench.invoice_distributed SELECT * FROM arcollect_bench.invoice' \
    -c 'VACUUM (FREEZE, ANALYZE) arcollect_bench.invoice_distributed' >/dev/null
bench_psql -c 'CREATE EXTENSION IF NOT EXISTS pg_prewarm' \
    -c "SELECT pg_prewarm('arcollect_bench.invoice')" >/dev/null 2>&1 || true

# The queries, {t} the table; each result goes to the client, which
# throws it away, so both setups pay for the same rows.
queries=(
    "sum per customer|SELECT customer_id, sum(open_amount) FROM {t} GROUP BY customer_id"
    "aging per customer|SELECT customer_id, arcollect.aging(due_on, open_amount, DATE '$AS_OF') FROM {t} GROUP BY customer_id"
    "sum over all rows|SELECT sum(open_amount) FROM {t}"
    "aging over all rows|SELECT arcollect.aging(due_on, open_amount, DATE '$AS_OF') FROM {t}"
)
tables=("one node|arcollect_bench.invoice" "Citus, 2 workers|arcollect_bench.invoice_distributed")

# The answers agree before anything is timed.
for q in "${queries[@]}"; do
    sql=${q#*|}
    a=$(bench_psql -At -c "SELECT md5(string_agg(r::text, ',' ORDER BY r::text)) FROM (${sql//\{t\}/arcollect_bench.invoice}) r")
    b=$(bench_psql -At -c "SELECT md5(string_agg(r::text, ',' ORDER BY r::text)) FROM (${sql//\{t\}/arcollect_bench.invoice_distributed}) r")
    [ "$a" = "$b" ] || { echo "bench: ${q%%|*} differs between one node and Citus" >&2; exit 1; }
done
log "answers agree; timing $RUNS rounds (the first a warm-up)"

# One psql session per round; \timing prints the client's time of each
# query, whose rows \o sends to /dev/null.  Within a round the two setups
# alternate which goes first.
timings=$(mktemp)
for ((round = 1; round <= RUNS; round++)); do
    script="\\timing on"$'\n'"\\o /dev/null"$'\n'
    labels=()
    for q in "${queries[@]}"; do
        order=("${tables[@]}")
        ((round % 2 == 0)) && order=("${tables[1]}" "${tables[0]}")
        for t in "${order[@]}"; do
            sql=${q#*|}
            script+="${sql//\{t\}/${t#*|}};"$'\n'
            labels+=("${q%%|*}|${t%%|*}")
        done
    done
    i=0
    while read -r ms; do
        echo "$round|${labels[$i]}|$ms" >>"$timings"
        i=$((i + 1))
    done < <(bench_psql <<<"$script" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
done

echo "arcollect on Citus against one node, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; load average $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "data: $INVOICES invoices, $CUSTOMERS customers; Citus: coordinator + 2 workers on this machine, $SHARDS shards; every node shared_buffers=1GB, work_mem=256MB, max_parallel_workers_per_gather=2, jit=off"
echo "median of rounds 2-$RUNS, client-side time (psql \\timing, rows discarded)"
echo
bench_psql -At -F ' ' <<SQL
CREATE TEMP TABLE t (round int, query text, setup text, ms float8);
\copy t FROM '$timings' (FORMAT csv, DELIMITER '|')
WITH m AS (
    SELECT query, setup, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms,
           min(ms) AS lo, max(ms) AS hi
    FROM t WHERE round > 1 GROUP BY query, setup)
SELECT format('%-22s %-17s %9s ms  (%s-%s)  %s', m.query, m.setup, to_char(m.ms, 'FM999990.0'),
              to_char(m.lo, 'FM999990'), to_char(m.hi, 'FM999990'),
              CASE WHEN m.setup <> 'one node'
                   THEN format('%s x one node', to_char(m.ms / o.ms, 'FM990.00')) ELSE '' END)
FROM m JOIN m o ON o.query = m.query AND o.setup = 'one node'
ORDER BY array_position(ARRAY['sum per customer', 'aging per customer', 'sum over all rows', 'aging over all rows'], m.query),
         m.setup <> 'one node';
SQL
rm -f "$timings"
