#!/usr/bin/env bash
# Times the BI views over N invoices (default one million) of C customers
# (default 100,000) in the receivables ledger: a billing table with an
# owner column and a payments table, attached (bench/bi_views_setup.sql
# says what the data is), then bench/bi_views.sql times, round after round
# against a baseline of the same round:
#   - the baseline: the aging aggregate grouped by customer over today's
#     open items (arcollect.open_items(current_date), nothing open left
#     out), as SPEC's target states it; and grouped by customer and
#     currency, as the report groups;
#   - the view arcollect.aging_report (every customer) and the function
#     aging_report(current_date), each against the baseline (target:
#     at most 1.5 times);
#   - arcollect.customer_summary(customer) for one customer, and the
#     view with a WHERE on the customer (target: under 10 ms); the ledger
#     part alone (open_items of that customer);
#   - the worklist of one collector of 1,000 customers (target: under
#     50 ms), whose calls bi_views_setup.sql plans;
#   - kpi_monthly and segment_kpis for one month, dispute_summary and
#     collector_performance for one month.
#
# Usage: bench/bi_views.sh [invoices] [customers] [rounds]   (1000000, 100000, 6; round 1 is a warm-up)
#   BENCH_WORK_MEM        work_mem of the timed session (256MB)
# Server as for bench/ledger_trigger.sh (bench/ledger_lib.sh): a throwaway
# cluster unless PGHOST, PGPORT or PGDATABASE is set; it EMPTIES the
# receivables ledger of that database.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/ledger_lib.sh

ROWS=${1:-1000000}
CUSTOMERS=${2:-100000}
ROUNDS=${3:-6}

ledger_server
if declare -F cluster_remove >/dev/null; then trap cluster_remove EXIT; fi

echo "== BI views benchmark: $ROWS invoices, $CUSTOMERS customers, $ROUNDS rounds (the first a warm-up), work_mem ${BENCH_WORK_MEM:-256MB}"
ledger_header

start=$(date +%s)
$PSQL -v invoices="$ROWS" -v customers="$CUSTOMERS" -f bench/bi_views_setup.sql
echo "== data loaded in $(( $(date +%s) - start )) s"

PGOPTIONS="$PGOPTIONS -c work_mem=${BENCH_WORK_MEM:-256MB}" \
    $PSQL -v rounds="$ROUNDS" -f bench/bi_views.sql
