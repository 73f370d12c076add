#!/usr/bin/env bash
# A run killed midway: CALL arcollect.run_escalations in small batches
# over 2,000 overdue customers, its backend killed with SIGKILL once some
# batches are committed (the postmaster then restarts every backend).
# What it committed must be consistent (test/ops/consistency.sql) and
# incomplete, its run row still 'running'; the next run must mark it
# 'interrupted', finish the work and end exactly where an uninterrupted
# run on an identical copy of the data ends: the same touchpoints with
# the same invoices listed, the same episodes, nothing twice.
OPS_TEST=killed_run
source "$(dirname "$0")/lib.sh"
as_of=2025-06-30
db=ops_killed
ref=ops_killed_ref
log=$(mktemp /tmp/arcollect-killed.XXXXXX)
trap 'rm -f "$log"' EXIT

ops_fill $db 2000 $as_of
ops_copy $db $ref

ops_psql -d $db -c "CALL arcollect.run_escalations('$as_of', batch_size => 50)" >"$log" 2>&1 &
call=$!
# (some 2,700 customers and currencies advance, 50 customers a batch)
ops_wait 60 $db "SELECT customers_advanced >= 500 FROM arcollect.escalation_run WHERE status = 'running'" \
    "the run never showed 500 customers advanced in committed batches"
pid=$(ops_value $db "SELECT backend_pid FROM arcollect.escalation_run WHERE status = 'running'")
killed_at=$(ops_value postgres "SELECT pg_catalog.clock_timestamp()")
kill -KILL "$pid"
if wait $call; then
    ops_fail "the run finished before its backend $pid was killed: $(cat "$log")"
fi
# The postmaster ends every session and recovers: wait until it takes
# connections again, from a checkpointer started after the kill (a
# connection made before the postmaster noticed would not say so).
ops_wait 60 postgres "SELECT backend_start > '$killed_at' FROM pg_catalog.pg_stat_activity
                       WHERE backend_type = 'checkpointer'" "the server did not restart after the kill"

[ "$(ops_value $db "SELECT string_agg(status, ',') FROM arcollect.escalation_run")" = running ] ||
    ops_fail "the killed run's row is not left 'running'"
ops_consistent $db "after the kill"
ops_psql -d $ref -c "CALL arcollect.run_escalations('$as_of', batch_size => 50)"
done_part=$(ops_value $db "SELECT count(*) FROM arcollect.touchpoint")
whole=$(ops_value $ref "SELECT count(*) FROM arcollect.touchpoint")
[ "$done_part" -gt 0 ] && [ "$done_part" -lt "$whole" ] ||
    ops_fail "the killed run wrote $done_part touchpoints, the whole run $whole: it was not killed midway"
ops_ok "killed with $done_part of $whole touchpoints written, consistent"

ops_psql -d $db -c "CALL arcollect.run_escalations('$as_of', batch_size => 50)"
[ "$(ops_value $db "SELECT string_agg(status, ',' ORDER BY run_id) FROM arcollect.escalation_run")" = interrupted,done ] ||
    ops_fail "the runs are not interrupted then done: $(ops_value $db "SELECT string_agg(status, ',' ORDER BY run_id) FROM arcollect.escalation_run")"
ops_consistent $db "after the next run"
ops_same_outcome $db $ref "the killed run and the next one differ from one uninterrupted run"
listed="SELECT t.customer_id, t.currency, t.step_no, i.invoice_key, i.open_amount
          FROM arcollect.touchpoint t JOIN arcollect.touchpoint_invoice i USING (touchpoint_id)
         ORDER BY 1, 2, 3, 4"
diffs=$(diff <(ops_value $db "$listed") <(ops_value $ref "$listed")) ||
    ops_fail "the touchpoints list other invoices than an uninterrupted run's: $(head -10 <<<"$diffs")"
ops_ok "the next run marked it interrupted and ended as an uninterrupted run, nothing twice"
ops_drop $db $ref
