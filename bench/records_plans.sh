#!/usr/bin/env bash
# Measures what active payment plans cost billing writes: a COPY of N
# payments (default 200,000) into a payments table attached to the ledger,
# with 1,000 active plans over invoices those payments pay and with none,
# timed in the same run, as a ratio.  Plans are never written by the
# ledger (payments only append entries; what they did to a plan is read
# on demand), so the ratio should be 1.0x.  Then what reading costs at
# that size: the view arcollect.payment_plans and settle_commitments.
#
# Usage: bench/records_plans.sh [payments per round] [invoices]
#   (defaults 400000, 200000: each round COPYs half of its payments with
#   plans and half without); BENCH_ROUNDS rounds (default 4), alternating
#   which goes first.  BENCH_CONTROL=1 makes no plans in either half (the
#   ratio then shows the noise of the machine).
# Server: as bench/ledger_trigger.sh (bench/ledger_lib.sh): a throwaway
# cluster unless PGHOST, PGPORT or PGDATABASE is set, in which case that
# database's receivables ledger is EMPTIED.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/ledger_lib.sh

ROWS=${1:-400000}
INVOICES=${2:-200000}
ROUNDS=${BENCH_ROUNDS:-4}

ledger_server
DATA=$(mktemp -d)
cleanup() { rm -rf "$DATA"; if declare -F cluster_remove >/dev/null; then cluster_remove; fi; }
trap cleanup EXIT
chmod 755 "$DATA"

echo "== payment plans benchmark: $INVOICES invoices, $ROWS payments per round, $ROUNDS rounds$([ "${BENCH_CONTROL:-0}" = 1 ] && echo ', CONTROL: no plans in either half')"
ledger_header

$PSQL -f bench/ledger_setup_narrow.sql >/dev/null
$PSQL -v billing=narrow_ledger -f bench/ledger_setup_payments.sql >/dev/null
# invoices of 20,000 customers (customer k has invoices k, k + 20000, ...),
# due in January 2025
$PSQL -c "INSERT INTO narrow_ledger
          SELECT i, 'c' || (i % 20000), 100 + (i % 900), 0, 'EUR', date '2024-12-01' + (i % 28),
                 date '2025-01-01' + (i % 28)
            FROM generate_series(1, $INVOICES) i"

no_plans() { $PSQL -c "TRUNCATE arcollect.payment_plan CASCADE"; }
# 1,000 active plans, one per customer c1 .. c1000, over all of its
# invoices, three installments (plain INSERTs: the tables hold them to the
# same rules as create_payment_plan)
make_plans() {
    if [ "${BENCH_CONTROL:-0}" = 1 ]; then no_plans; return; fi
    $PSQL <<'SQL'
TRUNCATE arcollect.payment_plan CASCADE;
WITH c AS (SELECT 'c' || k AS customer_id FROM generate_series(1, 1000) k),
     p AS (INSERT INTO arcollect.payment_plan (customer_id, currency, created_on)
           SELECT customer_id, 'EUR', date '2025-02-01' FROM c RETURNING plan_id, customer_id),
     i AS (INSERT INTO arcollect.plan_invoice (plan_id, attachment_id, invoice_key, covered_amount)
           SELECT p.plan_id, v.attachment_id, v.invoice_key, v.booked_amount
             FROM p JOIN arcollect.invoice v ON v.customer_id = p.customer_id
           RETURNING plan_id, covered_amount)
INSERT INTO arcollect.plan_installment (plan_id, installment_no, due_on, amount)
SELECT t.plan_id, n, date '2025-02-01' + 30 * n,
       CASE WHEN n < 3 THEN round(t.total / 3, 2) ELSE t.total - 2 * round(t.total / 3, 2) END
  FROM (SELECT plan_id, sum(covered_amount) AS total FROM i GROUP BY plan_id) t, generate_series(1, 3) n;
SQL
}

# Round r's payments: new payment ids, invoices spread over all of them
# (every fifth on an invoice of a plan), paid in the spring of 2025.
for round in $(seq 1 "$ROUNDS"); do
    $PSQL -c "COPY (SELECT $(( (round - 1) * ROWS )) + j,
                           CASE WHEN j % 5 = 0 THEN 1 + (j % 1000) + 20000 * (j % ($INVOICES / 20000))
                                ELSE 1 + (j::bigint * 7919) % $INVOICES END,
                           round(1 + (j % 50)::numeric, 2), date '2025-02-01' + (j % 120)
                      FROM generate_series(1, $ROWS) j) TO STDOUT" > "$DATA/payments_$round.tsv"
done

copy_payments() {
    local start end
    $PSQL -c "VACUUM ANALYZE payments_ledger" -c CHECKPOINT
    start=$(date +%s.%N)
    $PSQL -c "\\copy payments_ledger (payment_id, invoice_id, amount, paid_on) FROM '$1'"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

: > "$DATA/ratios"
for round in $(seq 1 "$ROUNDS"); do
    half=$(( ROWS / 2 ))
    # each round's file is split in two halves: one COPY with plans, one without
    head -n "$half" "$DATA/payments_$round.tsv" > "$DATA/a.tsv"
    tail -n +"$(( half + 1 ))" "$DATA/payments_$round.tsv" > "$DATA/b.tsv"
    if (( round % 2 )); then
        no_plans; w=$(copy_payments "$DATA/a.tsv")
        make_plans; p=$(copy_payments "$DATA/b.tsv")
    else
        make_plans; p=$(copy_payments "$DATA/a.tsv")
        no_plans; w=$(copy_payments "$DATA/b.tsv")
    fi
    echo "scale=3; $p / $w" | bc >> "$DATA/ratios"
    printf 'COPY of %s payments round %s: no plans %.2fs, 1000 active plans %.2fs, ratio %.2fx\n' \
        "$half" "$round" "$w" "$p" "$(tail -1 "$DATA/ratios")"
done
printf 'RESULT COPY of payments with 1000 active plans / without: median ratio %.2fx (rounds: %s)\n' \
    "$(median < "$DATA/ratios")" "$(inline < "$DATA/ratios")"

# Reading, with the plans in place and every payment above in the ledger.
BENCH_CONTROL=0 make_plans
$PSQL -c "VACUUM ANALYZE"
entries=$($PSQL -At -c "SELECT count(*) FROM arcollect.entry")
timed() {
    local start end
    start=$(date +%s.%N)
    $PSQL -c "$1" >/dev/null
    end=$(date +%s.%N)
    printf 'RESULT %s (1000 plans, %s entries): %.3fs\n' "$2" "$entries" "$(echo "$end - $start" | bc)"
}
timed "SELECT count(*) FROM arcollect.payment_plans" "SELECT of arcollect.payment_plans"
timed "SELECT count(*) FROM arcollect.payment_plan_status('2025-04-15')" "payment_plan_status(date)"
timed "SELECT count(*) FROM arcollect.settle_commitments('2025-06-30')" "settle_commitments(date)"
