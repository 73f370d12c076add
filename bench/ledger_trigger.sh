#!/usr/bin/env bash
# Measures what the arcollect ledger trigger adds to billing writes:
#   1. COPY of N invoices (default one million) into a billing table with
#      no trigger, and into the same table attached to the ledger;
#   2. single-row INSERTs with pgbench, same two tables.
# Both tables are created fresh in the same run, on the same server, with
# the same definition (a typical billing table: primary key, an index on
# the customer, a few more columns than the ledger maps).
#
# Usage: bench/ledger_trigger.sh [rows] [seconds per pgbench run] [pgbench clients]
#
# The invoice ids run from 1 to 3 x rows, as in a table loaded from
# scratch; the ledger keeps them as text, where '10' sorts before '9', so
# its key index takes them in scattered order.  KEY_OFFSET=10000000 starts
# them at ten million instead: ids of one width, in order as text too, as
# in a table that has been in use for a while.
# Connects with the usual PG* environment variables; needs a database in
# which it may create and drop the tables billing_plain, billing_ledger
# and the extension arcollect (it creates the extension if missing).
set -euo pipefail
cd "$(dirname "$0")"

ROWS=${1:-1000000}
SECONDS_PER_RUN=${2:-30}
CLIENTS=${3:-4}
KEY_OFFSET=${KEY_OFFSET:-0}
PSQL="psql -X -q -v ON_ERROR_STOP=1"
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
chmod 755 "$DATA"

echo "== ledger trigger benchmark: $ROWS invoices (ids from $(( KEY_OFFSET + 1 ))), pgbench ${SECONDS_PER_RUN}s x $CLIENTS clients"
echo "== server: $($PSQL -At -c 'SELECT version()')"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== settings: $($PSQL -At -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_wal_size', 'synchronous_commit', 'wal_level')")"

$PSQL -f ledger_setup.sql

# The invoices to load, one file per round so that every round brings new
# invoice keys (as a real load does): 100,000 customers, issue dates over
# two years, 30-day terms, a quarter of them partly paid.
for round in 1 2 3; do
    $PSQL -c "COPY (SELECT i, 1 + i % 100000, 'INV-' || i, round((50 + (i::bigint * 7919) % 5000)::numeric, 2),
                           (ARRAY['EUR','USD','GBP'])[1 + i % 3],
                           date '2024-01-01' + i % 730, date '2024-01-31' + i % 730,
                           CASE WHEN i % 4 = 0 THEN 25 ELSE 0 END, 'open', 'consulting services'
                      FROM generate_series($(( KEY_OFFSET + (round - 1) * ROWS + 1 )), $(( KEY_OFFSET + round * ROWS ))) i) TO STDOUT" \
        > "$DATA/invoices_$round.tsv"
done

copy_into() {
    local table=$1 round=$2
    $PSQL -c "VACUUM ANALYZE $table" -c CHECKPOINT
    local start end
    start=$(date +%s.%N)
    $PSQL -c "\\copy $table (invoice_id, customer_id, invoice_number, amount, currency, issued_on, due_on, amount_paid, status, description) FROM '$DATA/invoices_$round.tsv'"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

# The tables grow from round to round, both the same way; the runs
# alternate so that neither table profits from a warmer machine.
for round in 1 2 3; do
    plain=$(copy_into billing_plain $round)
    ledger=$(copy_into billing_ledger $round)
    overhead=$(echo "scale=1; ($ledger - $plain) * 100 / $plain" | bc)
    echo "$overhead" >> "$DATA/copy.overhead"
    echo "COPY $ROWS round $round: no trigger ${plain}s, ledger trigger ${ledger}s, overhead ${overhead}%"
done
echo "COPY $ROWS median overhead: $(sort -g "$DATA/copy.overhead" | sed -n 2p)%"
$PSQL -At -c "SELECT 'ledger invoices after COPY: ' || count(*) FROM arcollect.invoice"
$PSQL -At -c "SELECT 'reconcile problems: ' || count(*) FROM arcollect.reconcile('billing_ledger')"

# Single-row inserts: each pgbench transaction inserts one invoice with a
# fresh key.
for table in billing_plain billing_ledger; do
    cat > "$DATA/$table.pgbench" <<SQL
\set id random($KEY_OFFSET + 3 * $ROWS + 1, 1000000000000)
\set customer 1 + :id % 100000
INSERT INTO $table (invoice_id, customer_id, invoice_number, amount, currency, issued_on, due_on, description)
VALUES (:id, :customer, 'P-' || :id, 120.50, 'EUR', date '2025-03-01', date '2025-03-31', 'consulting services')
ON CONFLICT DO NOTHING;
SQL
done
pgbench_tps() {
    pgbench -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PER_RUN" -f "$DATA/$1.pgbench" 2>/dev/null \
        | awk '/^tps/ {print $3}'
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# Short runs, alternating between the tables, five each: the medians are
# robust against other load on the machine.
: > "$DATA/plain.tps"
: > "$DATA/ledger.tps"
for round in 1 2 3 4 5; do
    pgbench_tps billing_plain >> "$DATA/plain.tps"
    pgbench_tps billing_ledger >> "$DATA/ledger.tps"
done
plain=$(median < "$DATA/plain.tps")
ledger=$(median < "$DATA/ledger.tps")
echo "pgbench single-row INSERT runs, no trigger (tps): $(tr '\n' ' ' < "$DATA/plain.tps")"
echo "pgbench single-row INSERT runs, ledger trigger (tps): $(tr '\n' ' ' < "$DATA/ledger.tps")"
echo "pgbench single-row INSERT median: no trigger $plain tps, ledger trigger $ledger tps, overhead $(echo "scale=1; ($plain - $ledger) * 100 / $ledger" | bc)% more time per insert"
$PSQL -At -c "SELECT 'reconcile problems: ' || count(*) FROM arcollect.reconcile('billing_ledger')"
