#!/usr/bin/env bash
# Measures the lock conflicts the arcollect ledger adds to concurrent
# billing writes: a pgbench mix of invoice and payment writes, run against
# a billing table and a payments table attached to the ledger, and against
# the same two tables without it, under READ COMMITTED, REPEATABLE READ
# and SERIALIZABLE (LEVELS, comma-separated, chooses among them).  Reports, for each, the transactions done, the deadlocks and the
# serialization failures (pgbench --failures-detailed; a failed
# transaction is not retried), and runs arcollect.reconcile at the end.
#
# Usage: [LEVELS='repeatable read,serializable'] bench/ledger_contention.sh
#            [seconds per run] [clients] [invoices]
#        (defaults: 30 seconds, 8 clients, 1000 invoices of 100 customers,
#        all three levels)
#
# The mix, one pgbench script each, chosen at random with equal weights:
#   new_invoice   INSERT of an invoice with a new key, existing customer
#   pay_update    UPDATE of the amount paid and the due date of an invoice
#   two_payments  one transaction, two payments for two random existing
#                 invoices among the HOT first ones (default 20: the
#                 invoices that take most payments), so that two clients
#                 often take the same two in opposite orders
#   new_customer  one transaction, an invoice of a new customer and a
#                 payment for it
# Without arcollect none of these conflict but two pay_updates of the same
# invoice, which wait for each other (and fail under REPEATABLE READ and
# SERIALIZABLE): the rows "no ledger" show that floor.
#
# Connects with the usual PG* environment variables; needs a database in
# which it may create and drop the tables contention_invoice_plain,
# contention_payment_plain, contention_invoice_ledger and
# contention_payment_ledger, and create the extension arcollect (it does
# if missing).  It attaches and detaches only its own tables.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_RUN=${1:-30}
CLIENTS=${2:-8}
INVOICES=${3:-1000}
CUSTOMERS=$(( INVOICES / 10 ))
HOT=${HOT:-20}
LEVELS=${LEVELS:-read committed,repeatable read,serializable}
PSQL="psql -X -q -v ON_ERROR_STOP=1"
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
chmod 755 "$DATA"

echo "== ledger contention benchmark: pgbench ${SECONDS_PER_RUN}s x $CLIENTS clients, $INVOICES invoices of $CUSTOMERS customers, payments for the first $HOT"
echo "== server: $($PSQL -At -c 'SELECT version()')"
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Fresh tables, the same definition for both pairs (the narrow billing
# table: key, customer, total, amount paid, currency, issue and due
# dates), then the ledger pair attached.
setup() {
    $PSQL <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS arcollect;
DROP TABLE IF EXISTS contention_payment_plain, contention_invoice_plain,
                     contention_payment_ledger, contention_invoice_ledger;
\\set t plain
\\ir ledger_contention_tables.sql
\\set t ledger
\\ir ledger_contention_tables.sql
SELECT arcollect.attach('contention_invoice_ledger', key => 'id', customer => 'customer',
                        amount => 'total', paid => 'paid', due_on => 'due_on', issued_on => 'issued_on',
                        currency => 'currency') IS NOT NULL AS attached \gset
SELECT arcollect.attach_payments('contention_payment_ledger', invoice_key => 'invoice_id', amount => 'amount',
                                 paid_on => 'received_on', invoices => 'contention_invoice_ledger')
       IS NOT NULL AS attached \gset
SQL
    for t in plain ledger; do
        $PSQL -c "INSERT INTO contention_invoice_$t
                  SELECT i, 'c' || (1 + i % $CUSTOMERS), 100 + i % 900, 0, 'EUR',
                         date '2025-01-01' + i % 365, date '2025-01-31' + i % 365
                    FROM generate_series(1, $INVOICES) i" \
              -c "VACUUM ANALYZE contention_invoice_$t"
    done
}

scripts() {
    local t=$1
    cat > "$DATA/new_invoice_$t.pgbench" <<SQL
\set id random($INVOICES + 1, 1000000000000)
\set c random(1, $CUSTOMERS)
INSERT INTO contention_invoice_$t VALUES (:id, 'c' || :c, 250, 0, 'EUR', date '2025-06-01', date '2025-07-01')
ON CONFLICT DO NOTHING;
SQL
    cat > "$DATA/pay_update_$t.pgbench" <<SQL
\set id random(1, $INVOICES)
\set paid random(0, 99)
\set days random(0, 90)
UPDATE contention_invoice_$t SET paid = :paid, due_on = issued_on + :days WHERE id = :id;
SQL
    cat > "$DATA/two_payments_$t.pgbench" <<SQL
\set a random(1, $HOT)
\set b random(1, $HOT)
BEGIN;
INSERT INTO contention_payment_$t (invoice_id, amount, received_on) VALUES (:a, 1, date '2025-08-01');
INSERT INTO contention_payment_$t (invoice_id, amount, received_on) VALUES (:b, 1, date '2025-08-01');
END;
SQL
    cat > "$DATA/new_customer_$t.pgbench" <<SQL
\set id random($INVOICES + 1, 1000000000000)
BEGIN;
INSERT INTO contention_invoice_$t VALUES (:id, 'new-' || :id, 300, 0, 'EUR', date '2025-06-01', date '2025-07-01')
ON CONFLICT DO NOTHING;
INSERT INTO contention_payment_$t (invoice_id, amount, received_on) VALUES (:id, 100, date '2025-06-15');
END;
SQL
}

# One run: the pgbench summary lines we report, as "key value" pairs.
run() {
    local t=$1 level=$2
    PGOPTIONS="-c default_transaction_isolation=${level// /\\ } -c client_min_messages=error" \
    pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PER_RUN" --failures-detailed \
        -f "$DATA/new_invoice_$t.pgbench" -f "$DATA/pay_update_$t.pgbench" \
        -f "$DATA/two_payments_$t.pgbench" -f "$DATA/new_customer_$t.pgbench" \
        > "$DATA/run.out" 2> "$DATA/run.err" || { cat "$DATA/run.err" >&2; return 1; }
    awk '/^number of transactions actually processed/ {split($NF, p, "/"); done = p[1]}
         /^number of failed transactions/ {failed = $5}
         /^number of serialization failures/ {ser = $5}
         /^number of deadlock failures/ {dl = $5}
         /^tps/ {tps = $3}
         END {printf "%s %s %s %s %s\n", done, failed, dl, ser, tps}' "$DATA/run.out"
}

setup
echo "== build: arcollect $($PSQL -At -c "SELECT extversion FROM pg_extension WHERE extname = 'arcollect'"), library $(md5sum "$(pg_config --pkglibdir 2>/dev/null)/arcollect.so" 2>/dev/null | cut -c1-12), tree $(git describe --always --dirty 2>/dev/null || echo unknown)"
scripts plain
scripts ledger
printf '%-16s %-10s %12s %8s %10s %14s %10s\n' level tables transactions failed deadlocks serialization tps
IFS=, read -r -a levels <<< "$LEVELS"
for level in "${levels[@]}"; do
    for t in plain ledger; do
        read -r done failed dl ser tps < <(run $t "$level")
        printf '%-16s %-10s %12s %8s %10s %14s %10.1f\n' "$level" \
            "$([ $t = plain ] && echo 'no ledger' || echo 'arcollect')" "$done" "$failed" "$dl" "$ser" "$tps"
    done
done
$PSQL -At -c "SELECT 'reconcile problems, billing table: ' || count(*) FROM arcollect.reconcile('contention_invoice_ledger')" \
          -c "SELECT 'reconcile problems, payments table: ' || count(*) FROM arcollect.reconcile('contention_payment_ledger')"
