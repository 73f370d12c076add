#!/usr/bin/env bash
# The aggregates before and after, in the same run: every aggregate (and
# sum(open_amount) as the yardstick) over the same generated invoices, on
# two servers side by side, one running a released build of arcollect
# (0.1.0 by default, whose states were `internal`) and one this tree's,
# under serial and parallel plans, over all rows and per customer.  See
# bench/README.md.
#
#   bash bench/ab.sh                          # 4M invoices, 40k customers
#   BENCH_INVOICES=500000 bash bench/ab.sh    # a quick run
#
# The released build is made from its sources in test/upgrade/ into a copy
# of PG_CONFIG's server tree (test/upgrade/install_release.sh, as the
# upgrade test does); this tree is built and installed into PG_CONFIG's
# tree (scripts/setup.sh).  Each server is a throwaway cluster of its own
# in /tmp, removed at the end.
#
# Environment:
#   BENCH_INVOICES   invoices (4000000)
#   BENCH_CUSTOMERS  customers (40000)
#   BENCH_RUNS       rounds, the first a warm-up (6)
#   BENCH_BEFORE     the released version to compare with (0.1.0)
#   BENCH_ONLY       time only the queries whose "grouping label" matches
#                    this regular expression, e.g. 'one group (sum|aging)'
#   BENCH_AS_OF      as-of date (2026-06-30); BENCH_SEED (0.42)
#   PG_CONFIG        as for scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

INVOICES=${BENCH_INVOICES:-4000000}
CUSTOMERS=${BENCH_CUSTOMERS:-40000}
RUNS=${BENCH_RUNS:-6}
BEFORE=${BENCH_BEFORE:-0.1.0}
ONLY=${BENCH_ONLY:-}
AS_OF=${BENCH_AS_OF:-2026-06-30}
SEED=${BENCH_SEED:-0.42}
if [ "$RUNS" -lt 2 ]; then
    echo "bench: BENCH_RUNS must be at least 2 (the first round is a warm-up)" >&2
    exit 1
fi
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')

source scripts/setup.sh >/dev/null
commit=$(awk -v v="$BEFORE" '$1 == v {print $2}' test/upgrade/releases)
if [ -z "$commit" ]; then
    echo "bench: $BEFORE is not a release listed in test/upgrade/releases" >&2
    exit 1
fi

work=$(mktemp -d /tmp/arcollect-ab.XXXXXX)
chmod 755 "$work"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$work"
    as_owner=(runuser -u postgres --)
fi
declare -A bindir
stop_servers() {
    local b
    for b in before after; do
        [ -d "$work/$b/data" ] &&
            "${as_owner[@]}" "${bindir[$b]}/pg_ctl" -D "$work/$b/data" -m immediate -w stop >/dev/null 2>&1
    done
    rm -rf "$work"
}
trap stop_servers EXIT

log "building arcollect $BEFORE (commit $commit) into a copy of the server tree"
bindir[before]=$(bash test/upgrade/install_release.sh "$BEFORE" "$commit" "$work/tree")
bindir[after]=$("$PG_CONFIG" --bindir)

# The same settings on both: the table fits in shared_buffers, nothing
# runs in the background (autovacuum off), no durability.
start_server() {
    local b=$1 dir=$work/$1
    mkdir -p "$dir"
    [ ${#as_owner[@]} -gt 0 ] && chown postgres: "$dir"
    "${as_owner[@]}" "${bindir[$b]}/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
        --auth=trust --no-sync >/dev/null
    local opts=(-c "port=5432" -c "listen_addresses=" -c "unix_socket_directories=$dir"
                -c "shared_buffers=1GB" -c "work_mem=256MB" -c "maintenance_work_mem=512MB"
                -c "max_worker_processes=8" -c "max_parallel_workers=4"
                -c "max_parallel_workers_per_gather=2" -c "jit=off" -c "autovacuum=off"
                -c "fsync=off" -c "synchronous_commit=off" -c "full_page_writes=off"
                -c "wal_level=minimal" -c "max_wal_senders=0" -c "max_wal_size=8GB")
    "${as_owner[@]}" "${bindir[$b]}/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "${opts[*]@Q}" start >/dev/null
}
on() {
    local b=$1
    shift
    PGOPTIONS='-c client_min_messages=warning' \
        "${bindir[$b]}/psql" -X -q -v ON_ERROR_STOP=1 -h "$work/$b" -p 5432 -U postgres "$@"
}

for b in before after; do
    log "$b: starting a server, generating $INVOICES invoices across $CUSTOMERS customers"
    start_server $b
    on $b -d postgres -c 'CREATE DATABASE arcollect_ab'
    on $b -d arcollect_ab -c 'CREATE EXTENSION arcollect' -c 'CREATE EXTENSION pg_prewarm'
    on $b -d arcollect_ab -v n="$INVOICES" -v m="$CUSTOMERS" -v as_of="$AS_OF" -v seed="$SEED" \
        -f bench/generate.sql >/dev/null
    on $b -d arcollect_ab -v as_of="$AS_OF" -f bench/ab.sql
    on $b -d arcollect_ab -c "SELECT pg_prewarm('arcollect_bench.invoice')" >/dev/null
done
version_before=$(on before -d arcollect_ab -At -c "SELECT extversion FROM pg_extension WHERE extname = 'arcollect'")
version_after=$(on after -d arcollect_ab -At -c "SELECT extversion FROM pg_extension WHERE extname = 'arcollect'")
[ "$version_before" = "$BEFORE" ] || { echo "bench: the before server runs arcollect $version_before" >&2; exit 1; }
fingerprint="SELECT count(*) || ' ' || sum(hashtext(i::text)::bigint) FROM arcollect_bench.invoice AS i"
[ "$(on before -d arcollect_ab -At -c "$fingerprint")" = "$(on after -d arcollect_ab -At -c "$fingerprint")" ] ||
    { echo "bench: the two servers generated different invoices" >&2; exit 1; }

# The driver: a session on the after server that calls both servers'
# ab_time() through dblink, one persistent connection each, so that each
# build's session (its library loaded, its caches warm) runs every query
# of the run.  It waits while they work.
driver() { on after -d postgres "$@"; }
driver -c 'CREATE EXTENSION IF NOT EXISTS dblink' \
       -c 'CREATE TABLE ab_result (round int, setting int, query int, build text,
                                   exec_ms float8, cpu_ms float8, workers int, shape text)' \
       -c 'CREATE TABLE ab_query AS SELECT * FROM dblink('"'host=$work/after port=5432 dbname=arcollect_ab user=postgres'"',
               $$SELECT id, label, grouping FROM arcollect_bench.ab_query$$)
               AS q (id int, label text, grouping text)'
driver -v only="$ONLY" <<<"DELETE FROM ab_query WHERE grouping || ' ' || label !~ :'only';"
queries=($(driver -At -c 'SELECT id FROM ab_query ORDER BY id'))
[ ${#queries[@]} -gt 0 ] || { echo "bench: no query matches BENCH_ONLY='$ONLY'" >&2; exit 1; }
connect="SELECT dblink_connect('before', 'host=$work/before port=5432 dbname=arcollect_ab user=postgres'),
                dblink_connect('after', 'host=$work/after port=5432 dbname=arcollect_ab user=postgres') \\g /dev/null"

# Both builds give the same answers, serial and parallel, before anything
# is timed.
script=$connect$'\n'
for setting in 0 2; do
    for q in "${queries[@]}"; do
        script+="SELECT a.v = b.v AS same, '$q/$setting' FROM dblink('before', 'SELECT arcollect_bench.ab_answer($q, $setting)') AS a (v text),
                 dblink('after', 'SELECT arcollect_bench.ab_answer($q, $setting)') AS b (v text);"$'\n'
    done
done
if driver -At -F ' ' <<<"$script" | grep -v '^t '; then
    echo "bench: the builds give different answers to the queries above (query/workers)" >&2
    exit 1
fi
log "both builds give the same answers; timing $RUNS rounds (the first a warm-up)"

# Round by round, each query on both builds in turn, alternating which
# goes first; serial and parallel plans within each round.
script=$connect$'\n'
for ((round = 1; round <= RUNS; round++)); do
    script+="\\echo round $round of $RUNS"$'\n'
    for setting in 0 2; do
        for q in "${queries[@]}"; do
            order=(before after)
            (((round + q) % 2 == 0)) && order=(after before)
            for b in "${order[@]}"; do
                script+="INSERT INTO ab_result SELECT $round, $setting, $q, '$b', t.* FROM dblink('$b', 'SELECT * FROM arcollect_bench.ab_time($q, $setting)') AS t (exec_ms float8, cpu_ms float8, workers int, shape text);"$'\n'
            done
        done
    done
done
driver <<<"$script" | while read -r line; do log "$line"; done

echo "arcollect's aggregates before ($BEFORE) and after (this tree), started $started, report $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "builds: $BEFORE from test/upgrade/arcollect-$BEFORE.tar.gz (commit $commit), arcollect.so md5 $(md5sum "$work/tree$("$PG_CONFIG" --pkglibdir)/arcollect.so" | cut -c1-12); after: arcollect $version_after, arcollect.so md5 $(md5sum "$("$PG_CONFIG" --pkglibdir)/arcollect.so" | cut -c1-12), tree $(git describe --always --dirty 2>/dev/null || echo unknown)"
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; load average $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "server: $(on after -d postgres -At -c 'SELECT version()'); both: shared_buffers=1GB work_mem=256MB jit=off; parallel: 2 workers per gather, parallel_setup_cost=parallel_tuple_cost=min_parallel_table_scan_size=0"
echo "data: $INVOICES invoices, $CUSTOMERS customers (bench/generate.sql, seed $SEED), as of $AS_OF"
echo "rounds 2-$RUNS of $RUNS; time: EXPLAIN ANALYZE's execution time (TIMING OFF); cpu: the backend's and its parallel workers' CPU time (10 ms ticks)"
echo "after/before: median over the rounds of each round's ratio, after's over before's (under 1: the new state is faster)"
echo
printf '%-8s %-12s %-22s %9s %9s   %s  %s\n' plan grouping query 'before ms' 'after ms' 'time after/before (min-max)' 'cpu after/before'
driver -At <<'SQL'
WITH r AS (
    SELECT a.setting, a.query, a.round,
           a.exec_ms AS exec_after, b.exec_ms AS exec_before,
           a.cpu_ms AS cpu_after, b.cpu_ms AS cpu_before,
           a.workers AS workers_after, b.workers AS workers_before,
           a.shape = b.shape AS same_plan
    FROM ab_result AS a
    JOIN ab_result AS b USING (round, setting, query)
    WHERE a.build = 'after' AND b.build = 'before' AND a.round > 1
), m AS (
    SELECT setting, query,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY exec_before) AS exec_before,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY exec_after) AS exec_after,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY exec_after / exec_before) AS exec_ratio,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_after / nullif(cpu_before, 0)) AS cpu_ratio,
           min(exec_after / exec_before) AS lo, max(exec_after / exec_before) AS hi,
           max(workers_before) AS wb, max(workers_after) AS wa,
           bool_and(same_plan) AS same_plan
    FROM r GROUP BY setting, query
)
SELECT format('%-8s %-12s %-22s %9s %9s   %5s  (%s-%s)  %5s   %s%s',
              CASE WHEN m.setting = 0 THEN 'serial' ELSE 'parallel' END,
              q.grouping, q.label,
              to_char(m.exec_before, 'FM99990.0'), to_char(m.exec_after, 'FM99990.0'),
              to_char(m.exec_ratio, 'FM90.00'), to_char(m.lo, 'FM90.00'), to_char(m.hi, 'FM90.00'),
              coalesce(to_char(m.cpu_ratio, 'FM90.00'), '-'),
              CASE WHEN m.setting = 0 THEN '' ELSE format('workers %s/%s', coalesce(m.wb, 0), coalesce(m.wa, 0)) END,
              CASE WHEN m.same_plan THEN '' ELSE '  PLANS DIFFER' END)
FROM m JOIN ab_query AS q ON q.id = m.query
ORDER BY m.setting, q.id;
SQL
