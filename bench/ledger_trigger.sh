#!/usr/bin/env bash
# Measures what the arcollect ledger adds to billing writes, as ratios
# against the same table without it, timed in the same run:
#   1. COPY of N new invoices (default one million) into a billing table
#      attached to the ledger and into the same table without the trigger;
#   2. single-row INSERTs with pgbench, same two tables;
#   3. COPY of N payments into a payments table attached to the ledger (as
#      the payments of the attached billing table) and into the same
#      payments table unattached.
# for two billing tables: the NARROW one an application engineer creates
# first (ledger_setup_narrow.sql: id bigint PRIMARY KEY, customer, total,
# amount paid, currency, dates, no other index) and the WIDE one of
# ledger_setup.sql (eleven columns, three indexes).  See bench/README.md.
#
# Usage: bench/ledger_trigger.sh [rows] [seconds per pgbench run] [pgbench clients]
#   (defaults 1000000, 10, 4); environment:
#   BENCH_TABLES      narrow, wide or "narrow wide" (both, the default)
#   BENCH_ROUNDS      COPY rounds per table, alternating which goes first (3)
#   BENCH_PGBENCH_ROUNDS  pgbench runs per table, alternating (5)
#   BENCH_PAYMENTS    0 skips the payments COPY (1)
#   KEY_OFFSET        first invoice id - 1 (0); see below
#
# The invoice ids run from 1 to rounds x rows, as in a table loaded from
# scratch; the ledger keeps them as text, where '10' sorts before '9', so
# its key index takes them in scattered order.  KEY_OFFSET=10000000 starts
# them at ten million instead: ids of one width, in order as text too, as
# in a table that has been in use for a while.
#
# Server: with none of PGHOST, PGPORT, PGDATABASE set, a throwaway cluster
# (bench/ledger_lib.sh); otherwise that database, whose receivables ledger
# it EMPTIES (ledger_reset.sql): never run it on a database with real data.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/ledger_lib.sh

ROWS=${1:-1000000}
SECONDS_PER_RUN=${2:-10}
CLIENTS=${3:-4}
TABLES=${BENCH_TABLES:-narrow wide}
ROUNDS=${BENCH_ROUNDS:-3}
PGBENCH_ROUNDS=${BENCH_PGBENCH_ROUNDS:-5}
PAYMENTS=${BENCH_PAYMENTS:-1}
KEY_OFFSET=${KEY_OFFSET:-0}

ledger_server
DATA=$(mktemp -d)
cleanup() { rm -rf "$DATA"; if declare -F cluster_remove >/dev/null; then cluster_remove; fi; }
trap cleanup EXIT
chmod 755 "$DATA"

echo "== ledger write benchmark: tables $TABLES; $ROWS rows per COPY, $ROUNDS rounds (invoice ids from $(( KEY_OFFSET + 1 ))); pgbench $PGBENCH_ROUNDS x ${SECONDS_PER_RUN}s x $CLIENTS clients"
ledger_header

# The tables of each shape and their setup; the rows they load are
# bench/ledger_lib.sh's (shape_rows, shape_insert).
shape_tables() {
    case $1 in
        narrow) echo "narrow_plain narrow_ledger" ;;
        wide) echo "billing_plain billing_ledger" ;;
    esac
}
shape_setup() {
    case $1 in
        narrow) echo bench/ledger_setup_narrow.sql ;;
        wide) echo bench/ledger_setup.sql ;;
    esac
}
# One payment per invoice of a round, for a fifth to all of its amount.
payment_rows() {
    echo "SELECT i, i, round((50 + (i::bigint * 7919) % 5000)::numeric * (1 + i % 5) / 5, 2),
                 date '2024-02-15' + (i % 730)::int
            FROM generate_series($(first_id "$1"), $(last_id "$1")) i"
}

# COPY rounds into a plain and a ledger table; the tables grow from round
# to round, both the same way, and which goes first alternates so that
# neither profits from a quieter spell of the machine.  Prints per-round
# ratios ledger / plain and their median.
copy_rounds() {
    local label=$1 plain=$2 ledger=$3 columns=$4 prefix=$5 round p l
    : > "$DATA/ratios"
    for round in $(seq 1 "$ROUNDS"); do
        if (( round % 2 )); then
            p=$(copy_into "$plain" "$columns" "$DATA/${prefix}_$round.tsv")
            l=$(copy_into "$ledger" "$columns" "$DATA/${prefix}_$round.tsv")
        else
            l=$(copy_into "$ledger" "$columns" "$DATA/${prefix}_$round.tsv")
            p=$(copy_into "$plain" "$columns" "$DATA/${prefix}_$round.tsv")
        fi
        echo "scale=3; $l / $p" | bc >> "$DATA/ratios"
        printf '%s round %s: without %.2fs, with ledger %.2fs, ratio %.2fx\n' "$label" "$round" "$p" "$l" "$(tail -1 "$DATA/ratios")"
    done
    printf 'RESULT %s: median ratio %.2fx (rounds: %s)\n' "$label" "$(median < "$DATA/ratios")" "$(inline < "$DATA/ratios")"
}

reconcile() {
    $PSQL -At -c "SELECT 'reconcile $1: ' || count(*) || ' problems' FROM arcollect.reconcile('$1')"
}

for shape in $TABLES; do
    read -r plain ledger <<< "$(shape_tables "$shape")"
    columns=$(shape_columns "$shape")
    echo
    echo "== $shape billing table: $plain (no trigger) and $ledger (attached)"
    $PSQL -f "$(shape_setup "$shape")" > /dev/null
    for round in $(seq 1 "$ROUNDS"); do
        $PSQL -c "COPY ($(shape_rows "$shape" "$round")) TO STDOUT" > "$DATA/${shape}_$round.tsv"
    done

    copy_rounds "$shape: COPY of $ROWS invoices" "$plain" "$ledger" "$columns" "$shape"
    rm -f "$DATA/${shape}"_*.tsv
    reconcile "$ledger"

    if [ "$PAYMENTS" = 1 ]; then
        $PSQL -v billing="$ledger" -f bench/ledger_setup_payments.sql > /dev/null
        for round in $(seq 1 "$ROUNDS"); do
            [ -f "$DATA/payments_$round.tsv" ] ||
                $PSQL -c "COPY ($(payment_rows "$round")) TO STDOUT" > "$DATA/payments_$round.tsv"
        done
        copy_rounds "$shape: COPY of $ROWS payments" payments_plain payments_ledger \
            "payment_id, invoice_id, amount, paid_on" payments
        reconcile "$ledger"
        reconcile payments_ledger
    fi

    # Single-row inserts (pgbench_script).
    for table in "$plain" "$ledger"; do
        pgbench_script "$shape" "$table" > "$DATA/$table.pgbench"
    done
    : > "$DATA/plain.tps"; : > "$DATA/ledger.tps"; : > "$DATA/ratios"
    for round in $(seq 1 "$PGBENCH_ROUNDS"); do
        if (( round % 2 )); then
            p=$(pgbench_tps "$DATA/$plain.pgbench"); l=$(pgbench_tps "$DATA/$ledger.pgbench")
        else
            l=$(pgbench_tps "$DATA/$ledger.pgbench"); p=$(pgbench_tps "$DATA/$plain.pgbench")
        fi
        echo "$p" >> "$DATA/plain.tps"; echo "$l" >> "$DATA/ledger.tps"
        echo "scale=3; $p / $l" | bc >> "$DATA/ratios"
    done
    echo "$shape: pgbench INSERT tps without: $(inline < "$DATA/plain.tps")"
    echo "$shape: pgbench INSERT tps with ledger: $(inline < "$DATA/ledger.tps")"
    printf 'RESULT %s: pgbench single-row INSERT: median ratio %.2fx time per insert (rounds: %s; median tps %s without, %s with)\n' \
        "$shape" "$(median < "$DATA/ratios")" "$(inline < "$DATA/ratios")" \
        "$(median < "$DATA/plain.tps")" "$(median < "$DATA/ledger.tps")"
    reconcile "$ledger"
done
