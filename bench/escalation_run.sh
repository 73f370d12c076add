#!/usr/bin/env bash
# Measures the escalation run against its targets: CALL
# arcollect.run_escalations over N open invoices (default one million) of
# C customers (default 100,000), with owners, a spread of due dates that
# puts the customers at every step of the default ladder, and a few
# disputes, payment plans and promises (bench/escalation_setup.sql):
#   1. the preview of the first day (SELECT count(*) FROM
#      arcollect.preview_escalations(d)): what the run computes;
#   2. the first run of the day (a catch-up: every customer reaches its
#      step at once, the steps before it superseded);
#   3. a second run the same day (nothing to write), and the preview then;
#   4. the preview and the run of the next day (the customers that cross a
#      step's day).
# Targets: the first run under 30 s on 2 cores, the second under 2 s, the
# preview no slower than the run.  See bench/README.md.
#
# Usage: bench/escalation_run.sh [invoices] [customers]
#   (defaults 1000000, 100000; 100000 10000 is a quick run); environment:
#   BENCH_AS_OF    the first run's date (2025-06-30)
#   BENCH_BATCH    run_escalations' batch_size (1000)
#   BENCH_SETUP_SQL  SQL run once the extension is created, before the
#                  load (an index under trial, say)
#   BENCH_PROFILE  1 (the default, own cluster only): auto_explain logs
#                  every statement of the runs taking over
#                  BENCH_PROFILE_MS (200) ms with its duration, and the
#                  phases are printed after each run; then EXPLAIN
#                  (ANALYZE, BUFFERS) of escalation_stage and of the
#                  preview's query for the first day.  0: timings only.
#
# Server: with none of PGHOST, PGPORT, PGDATABASE set, a throwaway cluster
# (bench/ledger_lib.sh); otherwise that database, whose receivables ledger
# and escalation state it EMPTIES (escalation_setup.sql): never run it on
# a database with real data.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/ledger_lib.sh

INVOICES=${1:-1000000}
CUSTOMERS=${2:-100000}
AS_OF=${BENCH_AS_OF:-2025-06-30}
BATCH=${BENCH_BATCH:-1000}
PROFILE=${BENCH_PROFILE:-1}
PROFILE_MS=${BENCH_PROFILE_MS:-200}

own_cluster=0
[ -n "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ] || own_cluster=1
[ "$own_cluster" = 1 ] || PROFILE=0
ledger_server
cleanup() { if declare -F cluster_remove >/dev/null; then cluster_remove; fi; }
trap cleanup EXIT
NEXT_DAY=$(date -d "$AS_OF + 1 day" +%F)

echo "== escalation run benchmark: $INVOICES invoices of $CUSTOMERS customers, first run $AS_OF, batch_size $BATCH"
ledger_header

seconds_since() { echo "$(date +%s.%N) - $1" | bc; }
# Runs SQL $2, prints "RESULT $1: seconds" (wall clock, client included).
timed() {
    local start
    start=$(date +%s.%N)
    $PSQL -c "$2" >/dev/null
    printf 'RESULT %s: %.2fs\n' "$1" "$(seconds_since "$start")"
}
# The statements of the run just made that took over PROFILE_MS
# (auto_explain, in the server log), as the run's phases.
log_mark=0
phases() {
    [ "$PROFILE" = 1 ] || return 0
    local log="$ARCOLLECT_CLUSTER/server.log"
    tail -c +"$((log_mark + 1))" "$log" \
        | awk '/duration: [0-9.]+ ms/ { match($0, /duration: [0-9.]+ ms/); d = substr($0, RSTART + 10, RLENGTH - 13); getline;
                                        sub(/^.*Query Text: */, ""); printf "   %9.0f ms  %s\n", d, substr($0, 1, 110) }'
    log_mark=$(stat -c %s "$log")
}
mark_log() { [ "$PROFILE" = 1 ] && log_mark=$(stat -c %s "$ARCOLLECT_CLUSTER/server.log"); return 0; }
run_row() {
    $PSQL -At -F ' ' -c "SELECT 'run ' || run_id || ' (' || as_of || '): ' || status || ', ' ||
                                round(extract(epoch FROM finished_at - started_at)::numeric, 2) || 's in the run log; ' ||
                                customers_advanced || ' customers advanced, ' || touchpoints_planned || ' planned, ' ||
                                touchpoints_deferred || ' deferred, ' || touchpoints_skipped || ' skipped, ' ||
                                steps_superseded || ' superseded, ' || escalations_ended || ' ended, ' ||
                                holds_set || ' holds, ' || messages_unrendered || ' unrendered'
                           FROM arcollect.escalation_run ORDER BY run_id DESC LIMIT 1"
}

$PSQL -v part=table -v invoices="$INVOICES" -v customers="$CUSTOMERS" -v as_of="$AS_OF" -f bench/escalation_setup.sql >/dev/null
[ -z "${BENCH_SETUP_SQL:-}" ] || { echo "setup: $BENCH_SETUP_SQL"; $PSQL -c "$BENCH_SETUP_SQL"; }
start=$(date +%s.%N)
$PSQL -c "COPY (SELECT * FROM escalation_rows) TO STDOUT" \
    | $PSQL -c "\\copy esc_bill (id, customer, total, amount_paid, currency, issued_on, due_on, owner) FROM STDIN"
printf 'load: COPY of %s invoices into the attached billing table: %.1fs\n' "$INVOICES" "$(seconds_since "$start")"
start=$(date +%s.%N)
$PSQL -v part=records -v as_of="$AS_OF" -f bench/escalation_setup.sql
printf 'load: records, settings, VACUUM ANALYZE: %.1fs\n' "$(seconds_since "$start")"
$PSQL -At -c "SELECT 'data: ' || count(*) || ' open invoices of ' || count(DISTINCT customer_id) || ' customers, '
                     || count(DISTINCT (customer_id, currency)) || ' customer-currencies, '
                     || (SELECT count(*) FROM arcollect.entry) || ' ledger entries'
                FROM arcollect.open_items('$AS_OF') WHERE open_amount > 0"
$PSQL -At -c "SELECT 'stage as of $AS_OF: ' || string_agg(coalesce('step ' || step_no, coalesce(held_by, 'no step')) || ' ' || n, ', ' ORDER BY step_no NULLS FIRST, held_by)
                FROM (SELECT step_no, held_by, count(*) AS n FROM arcollect.escalation_stage('$AS_OF')
                       GROUP BY step_no, held_by) s"

if [ "$PROFILE" = 1 ]; then
    export PGOPTIONS="$PGOPTIONS -c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=$PROFILE_MS -c auto_explain.log_nested_statements=on"
fi

echo
echo "== day 1 ($AS_OF)"
mark_log
timed "preview before the first run ($AS_OF)" "SELECT count(*) FROM arcollect.preview_escalations('$AS_OF')"
$PSQL -At -c "SELECT 'preview rows: ' || string_agg(change || ' ' || n, ', ') FROM (SELECT change, count(*) AS n FROM arcollect.preview_escalations('$AS_OF') GROUP BY 1 ORDER BY 1) p"
mark_log
timed "first run ($AS_OF)" "CALL arcollect.run_escalations('$AS_OF', $BATCH)"
run_row
phases
timed "second run, same day ($AS_OF)" "CALL arcollect.run_escalations('$AS_OF', $BATCH)"
run_row
phases
timed "preview after the runs ($AS_OF)" "SELECT count(*) FROM arcollect.preview_escalations('$AS_OF')"
mark_log

echo
echo "== day 2 ($NEXT_DAY)"
timed "preview before the run ($NEXT_DAY)" "SELECT count(*) FROM arcollect.preview_escalations('$NEXT_DAY')"
mark_log
timed "run of the next day ($NEXT_DAY)" "CALL arcollect.run_escalations('$NEXT_DAY', $BATCH)"
run_row
phases
timed "second run of the next day ($NEXT_DAY)" "CALL arcollect.run_escalations('$NEXT_DAY', $BATCH)"
run_row
phases
$PSQL -At -c "SELECT 'written: ' || (SELECT count(*) FROM arcollect.escalation) || ' escalations, '
                     || (SELECT count(*) FROM arcollect.touchpoint) || ' touchpoints ('
                     || (SELECT count(*) FROM arcollect.touchpoint WHERE status = 'planned' AND body IS NOT NULL) || ' planned with a message), '
                     || (SELECT count(*) FROM arcollect.touchpoint_invoice) || ' touchpoint invoices, '
                     || (SELECT count(*) FROM arcollect.credit_hold) || ' holds'"

if [ "$PROFILE" = 1 ]; then
    echo
    echo "== profile: EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM arcollect.escalation_stage('$NEXT_DAY')"
    $PSQL -c "EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM arcollect.escalation_stage('$NEXT_DAY')"
fi
