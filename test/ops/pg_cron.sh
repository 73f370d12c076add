#!/usr/bin/env bash
# arcollect.run_escalations as a pg_cron job, as the README schedules it
# (CALL must be the whole command of the job): in the suite's pg_cron
# database (cron.database_name), a job every minute; once
# cron.job_run_details says it succeeded, escalation_run has a run for
# today that is done, and the prepared overdue customers have exactly
# the touchpoints arcollect.preview_escalations listed before it ran.
# pg_cron 1.4 schedules by the minute: the wait is up to 70 s.  Nothing
# else may run on the server meanwhile: pg_cron 1.4's scheduler ignores a
# reset of its caches (which a burst of catalog changes anywhere on the
# server causes, such as a CREATE EXTENSION arcollect), so a job
# scheduled just before one may never be loaded.
OPS_TEST=pg_cron
source "$(dirname "$0")/lib.sh"
db=$(ops_value postgres "SHOW cron.database_name")
job=arcollect-escalations-test
unschedule() {
    ops_psql -d "$db" -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$job'" >/dev/null || true
}
trap unschedule EXIT

# three customers of today (their tables ops_bill and ops_pay, their ids
# ops0000n, in no other test of that database)
ops_psql -d "$db" -v customers=3 -v as_of="$(ops_value "$db" 'SELECT current_date')" \
    -f "$OPS_DIR/overdue_customers.sql" >/dev/null
planned="SELECT customer_id, currency, step_no, status, reason FROM %s
          WHERE customer_id LIKE 'ops0000_' ORDER BY 1, 2, 3"
expected=$(ops_value "$db" "$(printf "$planned" "arcollect.preview_escalations()")")
[ -n "$expected" ] || ops_fail "nothing to escalate today: the test would prove nothing"

# The scheduler reads the catalog changes every second: let it read past
# the set-up's before the job is scheduled.
sleep 2
scheduled_at=$(ops_value "$db" "SELECT pg_catalog.now()")
jobid=$(ops_value "$db" "SELECT cron.schedule('$job', '* * * * *', 'CALL arcollect.run_escalations()')")
# What pg_cron was doing, for a failure's message: the job's runs, the
# scheduler and the job's session, and the server log's pg_cron lines.
cron_state() {
    ops_value "$db" "SELECT 'run ' || status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
                      WHERE jobid = $jobid
                     UNION ALL
                     SELECT format('backend %s %s %s %s', backend_type, state, wait_event, query)
                       FROM pg_catalog.pg_stat_activity
                      WHERE backend_type = 'pg_cron launcher' OR query LIKE 'CALL arcollect.run_escalations%'"
    grep -i 'cron' "$PGHOST/server.log" 2>/dev/null | tail -5 || true
}
ops_poll 75 "$db" "SELECT EXISTS (SELECT FROM cron.job_run_details
                                   WHERE jobid = $jobid AND status IN ('succeeded', 'failed'))" ||
    ops_fail "pg_cron did not run job $jobid ($job) within 75 s, or it did not finish:
$(cron_state)"
unschedule
result=$(ops_value "$db" "SELECT status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
                           WHERE jobid = $jobid ORDER BY runid LIMIT 1")
[[ $result == succeeded:* ]] || ops_fail "the job did not succeed: $result"
[ "$(ops_value "$db" "SELECT string_agg(status, ',') FROM arcollect.escalation_run
                       WHERE started_at >= '$scheduled_at' AND as_of = current_date")" = done ] ||
    ops_fail "no run for today done by the job: $(ops_value "$db" "SELECT string_agg(format('%s %s %s', run_id, as_of, status), ', ') FROM arcollect.escalation_run")"
got=$(ops_value "$db" "$(printf "$planned" "arcollect.touchpoint")")
# the preview's supersede rows are the skipped touchpoints, reason superseded
[ "$got" = "$expected" ] || ops_fail "the job planned other touchpoints than the preview listed:
$(diff <(echo "$expected") <(echo "$got"))"
ops_ok "the pg_cron job succeeded and planned what the preview listed ($(wc -l <<<"$got") touchpoints)"
