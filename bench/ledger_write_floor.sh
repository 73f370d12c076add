#!/usr/bin/env bash
# What bounds the cost the ledger trigger adds to billing writes: the
# arcollect ledger and six plain-SQL triggers that each do part of what it
# does (ledger_write_floor.sql), every one timed against the same narrow
# billing table without a trigger in the same run:
#   ledger           the table attached to the ledger (ledger_setup_narrow.sql);
#   bare             a statement trigger that does nothing, no transition
#                    table: the trigger call alone;
#   noop             the same with a transition table: the trigger
#                    mechanism the ledger uses;
#   shadow           INSERT ... SELECT of the rows the ledger writes (an
#                    invoice row of arcollect.invoice's shape with its key
#                    index, an entry row for a partly paid one);
#   shadow_noindex   the same without the invoice shadow's indexes;
#   minimal          one (bigint, integer) row per invoice, no index;
#   minimal_key      the same with a primary key;
# for a COPY of N new invoices (default one million) and for single-row
# INSERTs with pgbench.  The billing rows and the pgbench INSERT are those
# of ledger_trigger.sh (bench/ledger_lib.sh).  See bench/README.md.
#
# Usage: bench/ledger_write_floor.sh [rows] [seconds per pgbench run] [pgbench clients]
#   (defaults 1000000, 5, 4); environment:
#   BENCH_ROUNDS          COPY rounds (3)
#   BENCH_PGBENCH_ROUNDS  pgbench runs per table (3; 0 skips pgbench)
#   BENCH_VARIANTS        the variants to time, of the list above (all)
#   KEY_OFFSET            first invoice id - 1 (0), as for ledger_trigger.sh
#
# In each round every table is timed once, the plain table among them; odd
# rounds go plain, then the variants in order, even rounds the other way
# round, so that no variant always follows or precedes the plain table.
# Each variant's ratio for a round is its time over the plain table's in
# that round; the median over the rounds is reported.
#
# Server: with none of PGHOST, PGPORT, PGDATABASE set, a throwaway cluster
# (bench/ledger_lib.sh); otherwise that database, whose receivables ledger
# it EMPTIES (ledger_reset.sql): never run it on a database with real data.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/ledger_lib.sh

ROWS=${1:-1000000}
SECONDS_PER_RUN=${2:-5}
CLIENTS=${3:-4}
ROUNDS=${BENCH_ROUNDS:-3}
PGBENCH_ROUNDS=${BENCH_PGBENCH_ROUNDS:-3}
VARIANTS=${BENCH_VARIANTS:-ledger bare noop shadow shadow_noindex minimal minimal_key}
KEY_OFFSET=${KEY_OFFSET:-0}
COLUMNS=$(shape_columns narrow)

ledger_server
DATA=$(mktemp -d)
cleanup() { rm -rf "$DATA"; if declare -F cluster_remove >/dev/null; then cluster_remove; fi; }
trap cleanup EXIT
chmod 755 "$DATA"

echo "== ledger write floor: narrow billing table; variants $VARIANTS; $ROWS rows per COPY, $ROUNDS rounds (invoice ids from $(( KEY_OFFSET + 1 ))); pgbench $PGBENCH_ROUNDS x ${SECONDS_PER_RUN}s x $CLIENTS clients"
ledger_header

# The table of a variant, and what it is.
table_of() { echo "narrow_$1"; }
describe() {
    case $1 in
        ledger) echo "arcollect ledger" ;;
        bare) echo "no-op trigger, no transition table" ;;
        noop) echo "no-op trigger with a transition table" ;;
        shadow) echo "INSERT ... SELECT of the ledger's rows, with its key index" ;;
        shadow_noindex) echo "INSERT ... SELECT of the ledger's rows, no index" ;;
        minimal) echo "INSERT ... SELECT of (bigint, integer) rows, no index" ;;
        minimal_key) echo "INSERT ... SELECT of (bigint, integer) rows, primary key" ;;
        *) echo "unknown variant $1" >&2; exit 1 ;;
    esac
}
for v in $VARIANTS; do describe "$v" > /dev/null; done

# The plain table, then the variants, forwards in odd rounds and backwards
# in even ones.
round_order() {
    local list
    list="plain $VARIANTS"
    if (( $1 % 2 )); then
        echo "$list"
    else
        echo "$list" | tr ' ' '\n' | tac | inline
    fi
}

# Prints, for each variant, the line "RESULT <what>: <variant> ...: median
# ratio" with the ratio of every round ($DATA/<variant>.ratio) and the
# median of the measure ($DATA/<table>.<measure>: seconds or tps) with the
# variant and without.
results() {
    local what=$1 measure=$2 v format
    case $measure in
        seconds) format='%.2fs' ;;
        tps) format='%.0f tps' ;;
    esac
    for v in $VARIANTS; do
        printf "RESULT %s: %s (%s): median ratio %.2fx (rounds: %s; median $format with, $format without)\\n" \
            "$what" "$v" "$(describe "$v")" "$(median < "$DATA/$v.ratio")" \
            "$(inline < "$DATA/$v.ratio")" \
            "$(median < "$DATA/$v.$measure")" "$(median < "$DATA/plain.$measure")"
    done
}

# The ledger's time over the shadow's (the same rows written by plain SQL),
# round by round, from their $DATA/<table>.<measure> files: one figure that
# load shifts between rounds affect little, since both are timed in each.
versus_shadow() {
    local measure=$1
    case " $VARIANTS " in *" ledger "*) ;; *) return 0 ;; esac
    case " $VARIANTS " in *" shadow "*) ;; *) return 0 ;; esac
    if [ "$measure" = seconds ]; then
        paste -d/ "$DATA/ledger.seconds" "$DATA/shadow.seconds"
    else
        paste -d/ "$DATA/shadow.tps" "$DATA/ledger.tps"
    fi | sed 's/^/scale=3; /' | bc > "$DATA/versus"
    printf 'ledger against shadow (the same rows written by INSERT ... SELECT): median %.2fx (rounds: %s)\n' \
        "$(median < "$DATA/versus")" "$(inline < "$DATA/versus")"
}

$PSQL -f bench/ledger_write_floor.sql > /dev/null
for round in $(seq 1 "$ROUNDS"); do
    $PSQL -c "COPY ($(shape_rows narrow "$round")) TO STDOUT" > "$DATA/rows_$round.tsv"
done

echo
echo "== COPY of $ROWS invoices into each table"
for t in plain $VARIANTS; do : > "$DATA/$t.seconds"; : > "$DATA/$t.ratio"; done
for round in $(seq 1 "$ROUNDS"); do
    line="round $round:"
    for t in $(round_order "$round"); do
        copy_into "$(table_of "$t")" "$COLUMNS" "$DATA/rows_$round.tsv" > "$DATA/last"
        tail -1 "$DATA/last" >> "$DATA/$t.seconds"
        line+=$(printf ' %s %.2fs' "$t" "$(cat "$DATA/last")")
    done
    p=$(tail -1 "$DATA/plain.seconds")
    for v in $VARIANTS; do
        echo "scale=3; $(tail -1 "$DATA/$v.seconds") / $p" | bc >> "$DATA/$v.ratio"
    done
    echo "$line"
done
rm -f "$DATA"/rows_*.tsv
results "COPY of $ROWS invoices" seconds
versus_shadow seconds
$PSQL -At -c "SELECT 'reconcile narrow_ledger: ' || count(*) || ' problems' FROM arcollect.reconcile('narrow_ledger')"
$PSQL -At -c "SELECT 'rows written: ledger ' || (SELECT count(*) FROM arcollect.invoice) || ' invoices, '
                     || (SELECT count(*) FROM arcollect.entry) || ' entries; shadow '
                     || (SELECT count(*) FROM floor_invoice) || ' invoices, '
                     || (SELECT count(*) FROM floor_entry) || ' entries'"

if [ "$PGBENCH_ROUNDS" = 0 ]; then
    exit 0
fi
echo
echo "== pgbench single-row INSERTs, $PGBENCH_ROUNDS x ${SECONDS_PER_RUN}s x $CLIENTS clients into each table"
for t in plain $VARIANTS; do
    pgbench_script narrow "$(table_of "$t")" > "$DATA/$t.pgbench"
    : > "$DATA/$t.tps"; : > "$DATA/$t.ratio"
done
for round in $(seq 1 "$PGBENCH_ROUNDS"); do
    line="round $round:"
    for t in $(round_order "$round"); do
        pgbench_tps "$DATA/$t.pgbench" > "$DATA/last"
        tail -1 "$DATA/last" >> "$DATA/$t.tps"
        line+=" $t $(cat "$DATA/last") tps"
    done
    p=$(tail -1 "$DATA/plain.tps")
    for v in $VARIANTS; do
        echo "scale=3; $p / $(tail -1 "$DATA/$v.tps")" | bc >> "$DATA/$v.ratio"
    done
    echo "$line"
done
results "pgbench single-row INSERT, time per insert" tps
versus_shadow tps
$PSQL -At -c "SELECT 'reconcile narrow_ledger: ' || count(*) || ' problems' FROM arcollect.reconcile('narrow_ledger')"
