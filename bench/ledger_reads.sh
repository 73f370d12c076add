#!/usr/bin/env bash
# Times the ledger's reads over N invoices (default one million) of the
# narrow billing table (ledger_setup_narrow.sql) attached to the ledger,
# with a payments table attached as its payments (ledger_setup_payments.sql)
# and changes, so that the ledger holds entries of every usual kind:
#   - payments for three invoices in five (a fifth to all of the amount),
#     and a thousand payments for keys the billing table does not have;
#   - one invoice in 50 with its total raised, one in 20 with its amount
#     paid set, one in 200 deleted.
# Then it times, against count(*) and sum(total) over the billing table in
# the same round (ledger_reads.sql): open_items(current_date) (count and
# sum), the aging of the demo (scripts/demo.sql, read from open_items),
# receivables_balance, reconcile of both tables, and the same aging computed
# from the billing and payments tables with plain SQL.
#
# Usage: bench/ledger_reads.sh [invoices] [rounds]   (1000000, 6; round 1 is a warm-up)
#   BENCH_WORK_MEM  work_mem of the timed session (default: the server's)
# Server as for bench/ledger_trigger.sh (bench/ledger_lib.sh): a throwaway
# cluster unless PGHOST, PGPORT or PGDATABASE is set; it EMPTIES the
# receivables ledger of that database.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/ledger_lib.sh

ROWS=${1:-1000000}
ROUNDS=${2:-6}

ledger_server
if declare -F cluster_remove >/dev/null; then trap cluster_remove EXIT; fi

echo "== ledger read benchmark: $ROWS invoices, $ROUNDS rounds (the first a warm-up), work_mem ${BENCH_WORK_MEM:-of the server}"
ledger_header

start=$(date +%s)
$PSQL -f bench/ledger_setup_narrow.sql > /dev/null
$PSQL -v billing=narrow_ledger -f bench/ledger_setup_payments.sql > /dev/null
$PSQL <<SQL
DROP TABLE narrow_plain, payments_plain;
INSERT INTO narrow_ledger (id, customer, total, amount_paid, currency, issued_on, due_on)
SELECT i, 'C' || (1 + i % 100000), round((50 + (i::bigint * 7919) % 5000)::numeric, 2), 0,
       (ARRAY['EUR','USD','GBP'])[1 + i % 3],
       current_date - 730 + (i % 730)::int, current_date - 700 + (i % 730)::int
  FROM generate_series(1, $ROWS) i;
INSERT INTO payments_ledger (payment_id, invoice_id, amount, paid_on)
SELECT i, i, round((50 + (i::bigint * 7919) % 5000)::numeric * (1 + i % 5) / 5, 2),
       least(current_date - 720 + (i % 730)::int + (i % 90), current_date)
  FROM generate_series(1, $ROWS) i
 WHERE i % 5 < 3
UNION ALL
SELECT $ROWS + i, $ROWS + 1000000 + i, 10, current_date - 100 FROM generate_series(1, 1000) i;
UPDATE narrow_ledger SET total = total + 10 WHERE id % 50 = 0;
UPDATE narrow_ledger SET amount_paid = 5 WHERE id % 20 = 1;
DELETE FROM narrow_ledger WHERE id % 200 = 7;
SQL
$PSQL -c 'VACUUM ANALYZE' -c CHECKPOINT
echo "== data loaded in $(( $(date +%s) - start )) s"

PGOPTIONS="$PGOPTIONS ${BENCH_WORK_MEM:+-c work_mem=$BENCH_WORK_MEM}" \
    $PSQL -v rounds="$ROUNDS" -f bench/ledger_reads.sql
