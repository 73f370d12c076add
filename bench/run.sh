#!/usr/bin/env bash
# arcollect benchmark: times each aggregate against count(*), sum(open_amount)
# and the best plain-SQL formulation of the same figure, over generated
# invoices; see bench/README.md.
#
#   bash bench/run.sh                         # 10M invoices, 100k customers
#   BENCH_INVOICES=1000000 bash bench/run.sh  # a quick run
#
# With PGHOST, PGPORT or PGDATABASE set it uses that server (and keeps the
# generated table in schema arcollect_bench for the next run); otherwise it
# starts a throwaway cluster tuned for 2 cores / 24 GiB and removes it
# afterwards.  The extension must be installed (make install); when it is
# not, scripts/setup.sh is run to build and install it.
#
# Environment:
#   BENCH_INVOICES    invoices to generate (10000000)
#   BENCH_CUSTOMERS   customers (100000)
#   BENCH_RUNS        runs per query, the first one a warm-up (5)
#   BENCH_JIT         off, on or both (off)
#   BENCH_AS_OF       the as-of date; invoices are issued in the 730 days up
#                     to it (2026-06-30)
#   BENCH_SEED        setseed() value for the generator (0.42)
#   BENCH_WORK_MEM    work_mem for the session (256MB)
#   BENCH_REGENERATE  1: regenerate the data even if it matches (0)
#   BENCH_CHECK       0: skip checking that aggregate and SQL agree (1)
#   BENCH_PORT        port of the throwaway cluster (5522)
#   BENCH_SETUP       1: always run scripts/setup.sh first; 0: never (auto)
#   PG_CONFIG         pg_config of the server to use, as for scripts/setup.sh
#                     (/usr/lib/postgresql/15/bin/pg_config)
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date -u '+%Y-%m-%d %H:%M UTC')
INVOICES=${BENCH_INVOICES:-10000000}
CUSTOMERS=${BENCH_CUSTOMERS:-100000}
RUNS=${BENCH_RUNS:-5}
JIT=${BENCH_JIT:-off}
AS_OF=${BENCH_AS_OF:-2026-06-30}
SEED=${BENCH_SEED:-0.42}
WORK_MEM=${BENCH_WORK_MEM:-256MB}
PORT=${BENCH_PORT:-5522}

case "$JIT" in
    off | on) JIT_MODES=("$JIT") ;;
    both) JIT_MODES=(off on) ;;
    *) echo "bench: BENCH_JIT must be off, on or both, not '$JIT'" >&2; exit 1 ;;
esac
if [ "$RUNS" -lt 2 ]; then
    echo "bench: BENCH_RUNS must be at least 2 (the first run is a warm-up)" >&2
    exit 1
fi

# The server's binaries (initdb, pg_ctl, psql) and its extension
# directories come from PG_CONFIG, which may name a copy of the server's
# tree; scripts/setup.sh builds and installs into the same one.
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PG_BIN=$("$PG_CONFIG" --bindir)
export PATH=$PG_BIN:$PATH

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- the extension ---------------------------------------------------------
setup=${BENCH_SETUP:-auto}
if [ "$setup" = auto ]; then
    if [ -f "$("$PG_CONFIG" --sharedir 2>/dev/null)/extension/arcollect.control" ]; then
        setup=0
    else
        setup=1
    fi
fi
if [ "$setup" = 1 ]; then
    log "building and installing the extension (scripts/setup.sh)"
    bash scripts/setup.sh
fi

# Which build is measured: the installed library, and the state of the tree
# now (which may be ahead of the last make install).
libdir=$("$PG_CONFIG" --pkglibdir)
build="arcollect.so installed $(date -u -r "$libdir/arcollect.so" '+%Y-%m-%d %H:%M UTC' 2>/dev/null || echo '?'), md5 $(md5sum "$libdir/arcollect.so" 2>/dev/null | cut -c1-12); tree $(git describe --always --dirty 2>/dev/null || echo unknown)"

# --- the server ------------------------------------------------------------
own_cluster=0
if [ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
    own_cluster=1
    cluster=$(mktemp -d /tmp/arcollect-bench.XXXXXX)
    as_owner=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$cluster"
        as_owner=(runuser -u postgres --)
    fi
    stop_cluster() {
        "${as_owner[@]}" pg_ctl -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true
        rm -rf "$cluster"
    }
    trap stop_cluster EXIT
    log "starting a throwaway cluster in $cluster on port $PORT"
    "${as_owner[@]}" initdb -D "$cluster/data" -U postgres -E UTF8 --locale=C \
        --no-sync >/dev/null
    # Sized for 2 cores / 24 GiB.  The table (about 0.7 GB at 10M rows)
    # fits in shared_buffers, so timings measure computation, not I/O.
    # Durability is off because the cluster is thrown away; autovacuum is
    # off so that nothing runs in the background while queries are timed
    # (the data is vacuumed and analyzed once after loading).
    "${as_owner[@]}" pg_ctl -D "$cluster/data" -l "$cluster/server.log" -w \
        -o "-c port=$PORT" \
        -o "-c listen_addresses=''" \
        -o "-c unix_socket_directories=$cluster" \
        -o "-c shared_buffers=4GB" \
        -o "-c effective_cache_size=16GB" \
        -o "-c work_mem=$WORK_MEM" \
        -o "-c maintenance_work_mem=1GB" \
        -o "-c max_worker_processes=8" \
        -o "-c max_parallel_workers=4" \
        -o "-c max_parallel_workers_per_gather=2" \
        -o "-c jit=off" \
        -o "-c random_page_cost=1.1" \
        -o "-c wal_level=minimal" \
        -o "-c max_wal_senders=0" \
        -o "-c max_wal_size=16GB" \
        -o "-c checkpoint_timeout=1h" \
        -o "-c fsync=off" \
        -o "-c synchronous_commit=off" \
        -o "-c full_page_writes=off" \
        -o "-c autovacuum=off" \
        start >/dev/null
    export PGHOST=$cluster PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
fi

psql_() { PGOPTIONS="-c client_min_messages=warning ${PGOPTIONS:-}" psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_ -c 'CREATE EXTENSION IF NOT EXISTS arcollect'

# --- the data --------------------------------------------------------------
have=$(psql_ -At -c "SELECT to_regclass('arcollect_bench.dataset') IS NOT NULL" )
matches=f
if [ "$have" = t ] && [ "${BENCH_REGENERATE:-0}" != 1 ]; then
    matches=$(psql_ -At -c "SELECT count(*) = 1 FROM arcollect_bench.dataset
        WHERE invoices = $INVOICES AND customers = $CUSTOMERS
          AND as_of = DATE '$AS_OF' AND seed = $SEED")
fi
if [ "$matches" = t ]; then
    log "reusing arcollect_bench.invoice ($INVOICES invoices, $CUSTOMERS customers)"
else
    log "generating $INVOICES invoices across $CUSTOMERS customers"
    start=$(date +%s)
    psql_ -v n="$INVOICES" -v m="$CUSTOMERS" -v as_of="$AS_OF" -v seed="$SEED" \
        -f bench/generate.sql
    log "generated in $(( $(date +%s) - start )) s"
fi
# Loads the table into shared_buffers; the warm-up round would too.
psql_ -At -c 'CREATE EXTENSION IF NOT EXISTS pg_prewarm' \
    -c "SELECT 'prewarmed ' || pg_prewarm('arcollect_bench.invoice') || ' blocks'" >&2 \
    || log "pg_prewarm not available; relying on the warm-up round"

# --- measuring -------------------------------------------------------------
psql_ -v as_of="$AS_OF" -f bench/queries.sql
check=${BENCH_CHECK:-1}
for jit in "${JIT_MODES[@]}"; do
    log "measuring with jit=$jit, $RUNS runs per query"
    PGOPTIONS="-c work_mem=$WORK_MEM" psql_ -v runs="$RUNS" -v jit="$jit" -v check="$check" \
        -f bench/measure.sql >&2
    check=0
done

# --- the report ------------------------------------------------------------
mkdir -p bench/results
results=bench/results/$(date -u +%Y-%m-%dT%H%M%SZ).txt
{
    echo "arcollect benchmark, started $started, report $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "build: $build"
    echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM"
    psql_ -At -c "SELECT 'server: ' || version()" \
        -c "SELECT format('settings: shared_buffers=%s work_mem=%s max_parallel_workers_per_gather=2 jit=%s (%s)',
                current_setting('shared_buffers'), '$WORK_MEM', '${JIT}',
                CASE WHEN $own_cluster = 1 THEN 'throwaway cluster' ELSE 'existing server' END)" \
        -c "SELECT format('data: %s invoices, %s customers, %s open, as_of %s, table %s',
                (SELECT invoices FROM arcollect_bench.dataset),
                (SELECT customers FROM arcollect_bench.dataset),
                (SELECT count(*) FROM arcollect_bench.invoice WHERE open_amount <> 0),
                (SELECT as_of FROM arcollect_bench.dataset),
                pg_size_pretty(pg_table_size('arcollect_bench.invoice')))"
    echo "runs: $RUNS per query, the first discarded as warm-up; median of the rest (EXPLAIN ANALYZE execution time, TIMING OFF)"
    echo
    psql_ -At -f bench/report.sql
} | tee "$results"
log "results written to $results"
