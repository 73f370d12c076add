# shellcheck shell=bash
# Shared by bench/ledger_trigger.sh, bench/ledger_write_floor.sh and
# bench/ledger_reads.sh (sourced, from the repository's root): the server
# to measure on, the billing rows the write benchmarks load, and small
# helpers.
#
# With none of PGHOST, PGPORT, PGDATABASE set, the extension is built and
# installed into the server tree of PG_CONFIG (scripts/setup.sh) and a
# throwaway cluster is started for the run (scripts/cluster.sh: fsync off,
# plus the settings below); it is removed when the script exits.  With any
# of them set, that server and database are used as they are.

export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PATH=$("$PG_CONFIG" --bindir):$PATH
export PATH

ledger_server() {
    if [ -n "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
        return 0
    fi
    bash scripts/setup.sh >&2
    # shellcheck source=../scripts/cluster.sh
    source scripts/cluster.sh
    cluster_start -c shared_buffers="${BENCH_SHARED_BUFFERS:-1GB}" -c max_wal_size=4GB \
                  -c checkpoint_timeout=30min -c autovacuum=off
}

PSQL="psql -X -q -v ON_ERROR_STOP=1"
export PGOPTIONS="-c client_min_messages=warning ${PGOPTIONS:-}"

ledger_header() {
    echo "== server: $($PSQL -At -c 'SELECT version()')"
    echo "== machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== settings: $($PSQL -At -c "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_wal_size', 'synchronous_commit', 'fsync', 'wal_level', 'autovacuum', 'jit')")"
    echo "== build: arcollect.so $(md5sum "$("$PG_CONFIG" --pkglibdir)/arcollect.so" | cut -c1-12), tree $(git describe --always --dirty 2>/dev/null || echo unknown), $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# The median of numbers, one a line, on standard input.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# Numbers one a line, as one line.
inline() { tr '\n' ' ' | sed 's/ $//'; }

# The billing rows the write benchmarks load (ledger_trigger.sh,
# ledger_write_floor.sh), for the table shapes narrow and wide: the columns
# a COPY fills, the rows of round $2 (100,000 customers, issue dates over
# two years, 30-day terms, a quarter of them partly paid; every round
# brings new keys, as a real load does), and the row a pgbench transaction
# inserts.  Round r holds the ids KEY_OFFSET + (r - 1) x ROWS + 1 to
# KEY_OFFSET + r x ROWS; the callers set ROWS, KEY_OFFSET, and for pgbench
# CLIENTS and SECONDS_PER_RUN.
first_id() { echo $(( KEY_OFFSET + ($1 - 1) * ROWS + 1 )); }
last_id() { echo $(( KEY_OFFSET + $1 * ROWS )); }

shape_columns() {
    case $1 in
        narrow) echo "id, customer, total, amount_paid, currency, issued_on, due_on" ;;
        wide) echo "invoice_id, customer_id, invoice_number, amount, currency, issued_on, due_on, amount_paid, status, description" ;;
    esac
}
shape_rows() {
    local range
    range="generate_series($(first_id "$2"), $(last_id "$2")) i"
    case $1 in
        narrow) echo "SELECT i, 'C' || (1 + i % 100000), round((50 + (i::bigint * 7919) % 5000)::numeric, 2),
                             CASE WHEN i % 4 = 0 THEN 25 ELSE 0 END, (ARRAY['EUR','USD','GBP'])[1 + i % 3],
                             date '2024-01-01' + (i % 730)::int, date '2024-01-31' + (i % 730)::int
                        FROM $range" ;;
        wide) echo "SELECT i, 1 + i % 100000, 'INV-' || i, round((50 + (i::bigint * 7919) % 5000)::numeric, 2),
                           (ARRAY['EUR','USD','GBP'])[1 + i % 3],
                           date '2024-01-01' + (i % 730)::int, date '2024-01-31' + (i % 730)::int,
                           CASE WHEN i % 4 = 0 THEN 25 ELSE 0 END, 'open', 'consulting services'
                      FROM $range" ;;
    esac
}
shape_insert() {
    case $1 in
        narrow) echo "INSERT INTO $2 (id, customer, total, currency, issued_on, due_on)
VALUES (:id, 'C' || :customer, 120.50, 'EUR', date '2025-03-01', date '2025-03-31')
ON CONFLICT DO NOTHING;" ;;
        wide) echo "INSERT INTO $2 (invoice_id, customer_id, invoice_number, amount, currency, issued_on, due_on, description)
VALUES (:id, :customer, 'P-' || :id, 120.50, 'EUR', date '2025-03-01', date '2025-03-31', 'consulting services')
ON CONFLICT DO NOTHING;" ;;
    esac
}
# A pgbench script for table $2 of shape $1: each transaction inserts one
# invoice with a fresh random key, above every key the COPY rounds load.
pgbench_script() {
    echo "\\set id random($(last_id "${ROUNDS:?}") + 1, 1000000000000)"
    echo "\\set customer 1 + :id % 100000"
    shape_insert "$1" "$2"
}

# Transactions per second of one pgbench run of script $1.
pgbench_tps() {
    pgbench -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PER_RUN" -f "$1" 2>/dev/null \
        | awk '/^tps/ {printf "%.0f\n", $3}'
}

# Seconds one \copy takes, after VACUUM ANALYZE and CHECKPOINT.
copy_into() {
    local table=$1 columns=$2 file=$3 start end
    $PSQL -c "VACUUM ANALYZE $table" -c CHECKPOINT
    start=$(date +%s.%N)
    $PSQL -c "\\copy $table ($columns) FROM '$file'"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
