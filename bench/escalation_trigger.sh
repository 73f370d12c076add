#!/usr/bin/env bash
# Measures what the escalation trigger adds to a bulk COPY of payments
# into an attached payments table: the same COPY with
# arcollect.escalation_trigger on and off, timed in the same run,
# alternating which goes first, and their ratio per round (issue 10's
# target: at most 1.2, for one million payments).  A COPY into the same
# payments table unattached is timed too, for scale.
#
# The data (bench/escalation_trigger_setup.sql, whose header describes
# it): N invoices (default one million) of C customers (default 100,000),
# a tenth of the customers in dunning (an open escalation at the step a
# run reaches today, its call planned; a fifth of those on credit hold);
# each COPY is one payment per invoice of the first P invoices (default
# all), of which those of the overdue invoices of half the customers in
# dunning pay them off.  Every COPY runs in a transaction that is rolled
# back, so that every round starts from the same state (VACUUM ANALYZE
# and CHECKPOINT before each).  Then, for what bounds the trigger: the
# recompute of every customer in dunning alone
# (arcollect.end_escalations, which a COPY that pays all of them makes),
# one preview of every customer, and a one-row payment of a customer in
# dunning with the trigger on and off (the recompute of one customer).
# Each round also times the COPY with the trigger on and nobody in
# dunning (the escalations ended in its transaction, before it): what
# finding whom to recompute costs; and pgbench times single-row payments
# of customers not in dunning, on and off.
#
# Usage: bench/escalation_trigger.sh [payments] [customers] [invoices]
#   (defaults 1000000, 100000, 1000000); environment:
#   BENCH_ROUNDS   rounds of the two COPYs, and of the pgbench runs (3)
#   BENCH_PGBENCH_SECONDS  seconds per pgbench run (10)
#
# Server: with none of PGHOST, PGPORT, PGDATABASE set, a throwaway cluster
# (bench/ledger_lib.sh); otherwise that database, whose receivables ledger
# and escalation state it EMPTIES (escalation_trigger_setup.sql): never run
# it on a database with real data.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/ledger_lib.sh

PAYMENTS=${1:-1000000}
CUSTOMERS=${2:-100000}
INVOICES=${3:-1000000}
ROUNDS=${BENCH_ROUNDS:-3}
(( PAYMENTS <= INVOICES )) || { echo "at most one payment per invoice: payments <= invoices" >&2; exit 1; }

ledger_server
DATA=$(mktemp -d)
cleanup() { rm -rf "$DATA"; if declare -F cluster_remove >/dev/null; then cluster_remove; fi; }
trap cleanup EXIT
chmod 755 "$DATA"

echo "== escalation trigger benchmark: COPY of $PAYMENTS payments, $INVOICES invoices of $CUSTOMERS customers, $ROUNDS rounds"
ledger_header

seconds_since() { echo "$(date +%s.%N) - $1" | bc; }

$PSQL -v part=table -v invoices="$INVOICES" -v customers="$CUSTOMERS" -f bench/escalation_trigger_setup.sql >/dev/null
start=$(date +%s.%N)
$PSQL -c "COPY (SELECT * FROM et_invoice_rows) TO STDOUT" \
    | $PSQL -c "\\copy et_bill (id, customer, total, amount_paid, currency, issued_on, due_on, owner) FROM STDIN"
printf 'load: COPY of %s invoices into the attached billing table: %.1fs\n' "$INVOICES" "$(seconds_since "$start")"
start=$(date +%s.%N)
$PSQL -v part=state -f bench/escalation_trigger_setup.sql >/dev/null
printf 'load: the escalation state of a run as of today, VACUUM ANALYZE: %.1fs\n' "$(seconds_since "$start")"
$PSQL -c "COPY (SELECT * FROM et_payment_rows WHERE invoice_id <= $PAYMENTS) TO STDOUT" > "$DATA/payments.tsv"
$PSQL -At -c "SELECT 'state: ' || (SELECT count(*) FROM arcollect.escalation WHERE ended_on IS NULL) || ' open escalations, '
                     || (SELECT count(*) FROM arcollect.credit_hold WHERE released_on IS NULL) || ' holds in force, '
                     || (SELECT count(*) FROM arcollect.touchpoint WHERE status = 'planned') || ' planned touchpoints; '
                     || 'what a preview adds: ' || coalesce((SELECT string_agg(change || ' ' || n, ', ')
                                                              FROM (SELECT change, count(*) AS n
                                                                      FROM arcollect.preview_escalations() GROUP BY 1) p),
                                                            'nothing')"

# One COPY of the payments into table $1, in a transaction rolled back:
# "wall cpu", the seconds psql timed the COPY alone and the CPU seconds
# its backend used meanwhile (/proc/<pid>/stat: on a shared machine the
# second counts only this COPY's work, whatever the others do; parallel
# workers are off, so that all of it is the backend's).  $2: the
# escalation trigger's setting; $3, if given: SQL run first in the
# transaction.
TICKS=$(getconf CLK_TCK)
copy_payments() {
    $PSQL -c "VACUUM ANALYZE $1, arcollect.entry, arcollect.escalation, arcollect.touchpoint, arcollect.credit_hold" \
          -c CHECKPOINT
    $PSQL -f - <<SQL | awk -v ticks="$TICKS" '/^cpu / {c[++n] = $2} /^Time: / {w = $2 / 1000}
                                             END {printf "%.3f %.3f\n", w, (c[2] - c[1]) / ticks}'
SET max_parallel_workers_per_gather = 0;
BEGIN;
SET LOCAL arcollect.escalation_trigger = $2;
${3:-SELECT}
;
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
\! awk '{print "cpu", \$14 + \$15}' /proc/\$BENCH_PID/stat
\timing on
\copy $1 (payment_id, invoice_id, amount, paid_on) FROM '$DATA/payments.tsv'
\timing off
\! awk '{print "cpu", \$14 + \$15}' /proc/\$BENCH_PID/stat
ROLLBACK;
SQL
}
# (the escalation state gone, in the COPY's transaction: no customer in
# dunning, so the trigger finds whom to recompute and recomputes no one)
NOBODY="UPDATE arcollect.escalation SET ended_on = current_date, end_reason = 'paid' WHERE ended_on IS NULL;
        UPDATE arcollect.credit_hold SET released_on = current_date, released_reason = 'paid' WHERE released_on IS NULL"
# What the COPY with the trigger on wrote, the same way (and rolled back).
copy_effect() {
    $PSQL -At -c BEGIN -c "\\copy et_pay (payment_id, invoice_id, amount, paid_on) FROM '$DATA/payments.tsv'" \
          -c "SELECT 'a COPY with the trigger on ends ' || (SELECT count(*) FROM arcollect.escalation WHERE ended_on IS NOT NULL)
                     || ' escalations, cancels ' || (SELECT count(*) FROM arcollect.touchpoint WHERE status = 'cancelled')
                     || ' touchpoints, releases ' || (SELECT count(*) FROM arcollect.credit_hold WHERE released_on IS NOT NULL)
                     || ' holds'" -c ROLLBACK
}

echo
echo "== COPY of $PAYMENTS payments"
copy_effect
for f in on off nobody plain ratios nobody_ratios cpu_ratios cpu_nobody_ratios; do : > "$DATA/$f"; done
for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 )); then
        read -r on on_cpu < <(copy_payments et_pay on); read -r off off_cpu < <(copy_payments et_pay off)
    else
        read -r off off_cpu < <(copy_payments et_pay off); read -r on on_cpu < <(copy_payments et_pay on)
    fi
    read -r nobody nobody_cpu < <(copy_payments et_pay on "$NOBODY")
    read -r plain plain_cpu < <(copy_payments et_pay_plain off)
    echo "$on" >> "$DATA/on"; echo "$off" >> "$DATA/off"; echo "$nobody" >> "$DATA/nobody"
    echo "$plain" >> "$DATA/plain"
    ratio=$(echo "scale=4; $on / $off" | bc)
    echo "$ratio" >> "$DATA/ratios"
    echo "scale=4; $nobody / $off" | bc >> "$DATA/nobody_ratios"
    cpu_ratio=$(echo "scale=4; $on_cpu / $off_cpu" | bc)
    echo "$cpu_ratio" >> "$DATA/cpu_ratios"
    echo "scale=4; $nobody_cpu / $off_cpu" | bc >> "$DATA/cpu_nobody_ratios"
    printf 'round %d: trigger on %.2fs (cpu %.2fs), off %.2fs (cpu %.2fs): on/off %.3f, cpu %.3f; nobody in dunning %.2fs (cpu %.2fs); unattached %.2fs (cpu %.2fs)\n' \
        "$round" "$on" "$on_cpu" "$off" "$off_cpu" "$ratio" "$cpu_ratio" "$nobody" "$nobody_cpu" "$plain" "$plain_cpu"
done
printf 'RESULT escalation trigger on a COPY of %s payments: on/off median %.3f, of the backend CPU %.3f (rounds %s; cpu %s; target <= 1.2); medians on %.2fs, off %.2fs, unattached %.2fs\n' \
    "$PAYMENTS" "$(median < "$DATA/ratios")" "$(median < "$DATA/cpu_ratios")" \
    "$(inline < "$DATA/ratios")" "$(inline < "$DATA/cpu_ratios")" \
    "$(median < "$DATA/on")" "$(median < "$DATA/off")" "$(median < "$DATA/plain")"
printf 'RESULT the same with nobody in dunning (finding whom to recompute): on/off median %.3f, of the backend CPU %.3f (rounds %s; cpu %s)\n' \
    "$(median < "$DATA/nobody_ratios")" "$(median < "$DATA/cpu_nobody_ratios")" \
    "$(inline < "$DATA/nobody_ratios")" "$(inline < "$DATA/cpu_nobody_ratios")"

# Single-row payments of customers not in dunning (most payments), with
# pgbench: what finding that there is no one to recompute costs a
# one-row statement.  Committed, 1.00 each: they change no one's stage.
cat > "$DATA/payment.pgbench" <<EOF
\\set r random(0, $CUSTOMERS * 9 / 10 - 1)
\\set inv 1 + :r + :r / 9 + $CUSTOMERS * random(0, $INVOICES / $CUSTOMERS - 1)
\\set id random($INVOICES + 1, 1000000000000)
INSERT INTO et_pay VALUES (:id, :inv, 1.00, current_date);
EOF
pgbench_tps() {
    PGOPTIONS="$PGOPTIONS -c arcollect.escalation_trigger=$1" \
        pgbench -n -M prepared -c 2 -j 2 -T "${BENCH_PGBENCH_SECONDS:-10}" -f "$DATA/payment.pgbench" 2>/dev/null \
        | awk '/^tps/ {printf "%.0f\n", $3}'
}
echo
echo "== single-row payments of customers not in dunning (pgbench, 2 clients, ${BENCH_PGBENCH_SECONDS:-10} s)"
: > "$DATA/tps_ratios"
for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 )); then
        on=$(pgbench_tps on); off=$(pgbench_tps off)
    else
        off=$(pgbench_tps off); on=$(pgbench_tps on)
    fi
    ratio=$(echo "scale=4; $off / $on" | bc)
    echo "$ratio" >> "$DATA/tps_ratios"
    printf 'round %d: trigger on %s tps, off %s tps: time on/off %.3f\n' "$round" "$on" "$off" "$ratio"
done
printf 'RESULT single-row payments, customers not in dunning: time on/off median %.3f (rounds %s)\n' \
    "$(median < "$DATA/tps_ratios")" "$(inline < "$DATA/tps_ratios")"

echo
echo "== what bounds it"
timed() {
    local start
    start=$(date +%s.%N)
    $PSQL "${@:2}" >/dev/null
    printf '%s: %.2fs\n' "$1" "$(seconds_since "$start")"
}
followed=$($PSQL -At -c "SELECT count(DISTINCT customer_id) FROM arcollect.escalation WHERE ended_on IS NULL")
timed "end_escalations of the $followed customers in dunning, nothing to end (rolled back)" \
    -c BEGIN -c "SELECT * FROM arcollect.end_escalations(ARRAY(SELECT customer_id FROM arcollect.escalation WHERE ended_on IS NULL))" -c ROLLBACK
timed "one preview of every customer" -c "SELECT count(*) FROM arcollect.preview_escalations()"
timed "one preview of one customer in dunning (C10)" -c "SELECT count(*) FROM arcollect.preview_escalations(current_date, 'C10')"
for setting in off on; do
    timed "a one-row payment of C10, trigger $setting (rolled back)" \
        -c BEGIN -c "SET LOCAL arcollect.escalation_trigger = $setting" \
        -c "INSERT INTO et_pay VALUES (0, 10, 1.00, current_date)" -c ROLLBACK
done
