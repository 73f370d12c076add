# Sourced by the operational tests (test/ops/*.sh), which scripts/test.sh
# runs after pgTAP against its cluster (PGHOST, PGPORT, PGUSER exported,
# a superuser): each test says "ok - ..." or "not ok - ..." and exits
# non-zero on the first thing that is wrong.  OPS_TEST names the test.
set -euo pipefail
OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Quiet, but for the NOTICEs a test asks for (PGOPTIONS of its own).
export PGOPTIONS='-c client_min_messages=warning'

ops_psql() {
    psql -X -q -v ON_ERROR_STOP=1 "$@"
}

# One value: ops_value db 'SELECT ...'
ops_value() {
    ops_psql -At -d "$1" -c "$2"
}

ops_ok() {
    echo "ok - $OPS_TEST: $*"
}

ops_fail() {
    echo "not ok - $OPS_TEST: $*" >&2
    exit 1
}

# Polls until a query returns t: ops_poll seconds db 'SELECT ...'; false
# when the time runs out.
ops_poll() {
    local seconds=$1 db=$2 sql=$3 i
    for ((i = 0; i < seconds * 10; i++)); do
        [ "$(ops_value "$db" "$sql" 2>/dev/null || true)" = t ] && return 0
        sleep 0.1
    done
    return 1
}

# The same, failing with "what": ops_wait seconds db 'SELECT ...' what.
ops_wait() {
    ops_poll "$1" "$2" "$3" || ops_fail "$4 (waited $1 s)"
}

# A new database with the extension and test/ops/overdue_customers.sql's
# data: ops_fill db customers as_of.
ops_fill() {
    ops_psql -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\""
    ops_psql -d "$1" -c 'CREATE EXTENSION arcollect' >/dev/null
    ops_psql -d "$1" -v customers="$2" -v as_of="$3" -f "$OPS_DIR/overdue_customers.sql" >/dev/null
}

# An identical copy of a database (no one may be connected to it).
ops_copy() {
    ops_psql -c "DROP DATABASE IF EXISTS \"$2\"" -c "CREATE DATABASE \"$2\" TEMPLATE \"$1\""
}

ops_drop() {
    local db
    for db in "$@"; do
        ops_psql -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
    done
}

# What the runs left, to compare two databases: every ladder touchpoint
# as (customer, currency, step, status, reason) with how many there are,
# and every episode, sorted.  Touchpoint and episode ids are left out:
# they depend on the order the batches were written in.
ops_outcome() {
    ops_psql -At -d "$1" -c "
        SELECT 'touchpoint', t.customer_id, t.currency, t.step_no, t.status, t.reason, count(*)
          FROM arcollect.touchpoint t WHERE t.policy_name IS NOT NULL
         GROUP BY 2, 3, 4, 5, 6
        UNION ALL
        SELECT 'escalation', e.customer_id, e.currency, e.step_no, e.ended_on::text, e.end_reason, count(*)
          FROM arcollect.escalation e
         GROUP BY 2, 3, 4, 5, 6
         ORDER BY 1, 2, 3, 4, 5, 6"
}

# Fails unless test/ops/consistency.sql finds nothing wrong in db.
ops_consistent() {
    local problems
    problems=$(ops_psql -At -d "$1" -f "$OPS_DIR/consistency.sql")
    [ -z "$problems" ] || ops_fail "$2: $(head -5 <<<"$problems")"
}

# Fails unless two databases hold the same outcome (ops_outcome).
ops_same_outcome() {
    local diffs
    diffs=$(diff <(ops_outcome "$1") <(ops_outcome "$2")) ||
        ops_fail "$3 ($1 < > $2): $(head -10 <<<"$diffs")"
}
