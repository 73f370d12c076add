#!/usr/bin/env bash
# Two runs at once, and payments arriving while they run: two sessions
# CALL arcollect.run_escalations on 1,000 overdue customers; the one that
# comes second returns at once with a NOTICE while the first goes on, and
# 300 payments, one per transaction, are booked meanwhile.  Then the
# database must hold what one run after those payments holds on an
# identical copy (the same touchpoints and episodes: the payments are
# partial and change no customer's step), every payment in the ledger,
# and a further run must add nothing.
OPS_TEST=concurrent_runs
source "$(dirname "$0")/lib.sh"
as_of=2025-06-30
db=ops_concurrent
ref=ops_concurrent_ref
work=$(mktemp -d /tmp/arcollect-concurrent.XXXXXX)
trap 'rm -rf "$work"' EXIT
call="CALL arcollect.run_escalations('$as_of', batch_size => 50)"

ops_fill $db 1000 $as_of
ops_copy $db $ref
# 1.00 off the EUR invoice of every third customer, the day of the run
for ((i = 3; i <= 900; i += 3)); do
    echo "INSERT INTO public.ops_pay (invoice, amount, paid_on) VALUES ('OPS$i-EUR', 1.00, '$as_of');"
done >"$work/payments.sql"

ops_psql -d $db -c "$call" >"$work/first" 2>&1 &
first=$!
ops_wait 60 $db "SELECT EXISTS (SELECT FROM arcollect.escalation_run WHERE status = 'running')" \
    "the first run did not start"
PGOPTIONS='-c client_min_messages=notice' ops_psql -d $db -c "$call" >"$work/second" 2>&1 &
second=$!
ops_psql -d $db -f "$work/payments.sql" >"$work/payments" 2>&1 &
payments=$!
wait $second || ops_fail "the second run failed: $(cat "$work/second")"
grep -q 'NOTICE:  arcollect.run_escalations is running already; this call does nothing' "$work/second" ||
    ops_fail "the second run did not say the first is running: $(cat "$work/second")"
wait $payments || ops_fail "payments failed beside the run: $(head -5 "$work/payments")"
[ "$(ops_value $db "SELECT string_agg(status, ',') FROM arcollect.escalation_run")" = running ] ||
    ops_fail "the first run was over (or not alone) before the second run and the payments were: $(ops_value $db "SELECT string_agg(status, ',') FROM arcollect.escalation_run")"
ops_ok "the second run returned at once with its NOTICE, 300 payments booked while the first ran"
wait $first || ops_fail "the first run failed: $(cat "$work/first")"

ops_psql -d $ref -f "$work/payments.sql"
ops_psql -d $ref -c "$call"
ops_consistent $db "after the runs"
ops_same_outcome $db $ref "runs beside payments differ from one run after them"
for d in $db $ref; do
    [ "$(ops_value $d "SELECT count(*) FROM arcollect.reconcile('public.ops_bill')")" = 0 ] ||
        ops_fail "$d: the ledger does not agree with the billing and payments tables"
done
paid="SELECT count(*), sum(amount) FROM arcollect.entry WHERE kind = 'payment'"
[ "$(ops_value $db "$paid")" = "$(ops_value $ref "$paid")" ] ||
    ops_fail "the ledger holds other payments ($(ops_value $db "$paid")) than the copy's ($(ops_value $ref "$paid"))"
ops_ok "the same touchpoints, episodes and payments as one run after the payments"

before=$(ops_outcome $db)
ops_psql -d $db -c "$call"
[ "$(ops_outcome $db)" = "$before" ] || ops_fail "a further run changed what the runs left"
[ "$(ops_value $db "SELECT touchpoints_planned + steps_superseded + touchpoints_cancelled
                      FROM arcollect.escalation_run ORDER BY run_id DESC LIMIT 1")" = 0 ] ||
    ops_fail "a further run says it wrote something"
ops_ok "a further run adds nothing"
ops_drop $db $ref
