#!/usr/bin/env bash
# Times arcollect.cash_forecast over N invoices (default 200,000) of N/20
# customers in one currency, issued over two years with 30-day terms, 85%
# paid between 10 days early and 50 days late, against the two ledger
# reads it is built on, timed in the same rounds: open_items(as_of) (it
# reads it twice) and invoice_paid_on(as_of) (the whole history, as
# customer_risk reads it per customer).  It prints the median of each and
# the forecast's ratios to them.
#
# Usage: bench/cash_forecast.sh [invoices] [rounds]   (200000, 4; round 1 is a warm-up)
#   BENCH_WORK_MEM  work_mem of the timed session (default: the server's)
# Server as for bench/ledger_trigger.sh (bench/ledger_lib.sh): a throwaway
# cluster unless PGHOST, PGPORT or PGDATABASE is set; it EMPTIES the
# receivables ledger of that database.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/ledger_lib.sh

ROWS=${1:-200000}
ROUNDS=${2:-4}

ledger_server
if declare -F cluster_remove >/dev/null; then trap cluster_remove EXIT; fi

echo "== cash forecast benchmark: $ROWS invoices, $ROUNDS rounds (the first a warm-up), work_mem ${BENCH_WORK_MEM:-of the server}"
ledger_header

$PSQL <<SQL > /dev/null
CREATE EXTENSION IF NOT EXISTS arcollect;
SELECT arcollect.detach(billing_table) FROM arcollect.attachment
 WHERE detached_at IS NULL AND billing_table IN (to_regclass('cf_bench_payment'), to_regclass('cf_bench_invoice'))
 ORDER BY kind DESC;
DROP TABLE IF EXISTS cf_bench_payment, cf_bench_invoice;
SQL
$PSQL -f bench/ledger_reset.sql > /dev/null
$PSQL <<SQL > /dev/null
CREATE TABLE cf_bench_invoice (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL,
                               issued_on date NOT NULL, due_on date NOT NULL);
CREATE TABLE cf_bench_payment (id bigint PRIMARY KEY, invoice_id bigint NOT NULL, amount numeric(12,2) NOT NULL,
                               paid_on date NOT NULL);
SELECT arcollect.attach('cf_bench_invoice', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due_on', issued_on => 'issued_on', default_currency => 'EUR');
SELECT arcollect.attach_payments('cf_bench_payment', invoice_key => 'invoice_id', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'cf_bench_invoice');
INSERT INTO cf_bench_invoice
SELECT i, 'C' || (i % greatest($ROWS / 20, 1)), round((10 + (i::bigint * 7919) % 990)::numeric, 2),
       current_date - 730 + (i % 700), current_date - 700 + (i % 700)
  FROM generate_series(1, $ROWS) i;
INSERT INTO cf_bench_payment
SELECT i, i, round((10 + (i::bigint * 7919) % 990)::numeric, 2), current_date - 710 + (i % 700) + (i % 61)
  FROM generate_series(1, $ROWS) i
 WHERE i % 20 >= 3 AND current_date - 710 + (i % 700) + (i % 61) < current_date;
SQL
$PSQL -c 'VACUUM ANALYZE' -c CHECKPOINT

export PGOPTIONS="$PGOPTIONS ${BENCH_WORK_MEM:+-c work_mem=$BENCH_WORK_MEM}"
time_ms() {
    $PSQL -At -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
declare -A times
for r in $(seq 1 "$ROUNDS"); do
    o=$(time_ms "SELECT count(*), sum(open_amount) FROM arcollect.open_items(current_date - 30)")
    p=$(time_ms "SELECT count(paid_on) FROM arcollect.invoice_paid_on(current_date - 30)")
    f=$(time_ms "SELECT sum(expected_amount) FROM arcollect.cash_forecast(current_date - 30)")
    echo "round $r: open_items $o ms, invoice_paid_on $p ms, cash_forecast $f ms"
    if [ "$r" -gt 1 ]; then
        times[o]+="$o"$'\n'; times[p]+="$p"$'\n'; times[f]+="$f"$'\n'
    fi
done
o=$(printf '%s' "${times[o]}" | median); p=$(printf '%s' "${times[p]}" | median); f=$(printf '%s' "${times[f]}" | median)
echo "== medians: open_items $o ms, invoice_paid_on $p ms, cash_forecast $f ms"
awk -v o="$o" -v p="$p" -v f="$f" 'BEGIN { printf "== cash_forecast / open_items %.1f, cash_forecast / invoice_paid_on %.1f\n", f / o, f / p }'
