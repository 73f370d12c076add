#!/usr/bin/env bash
# On a standby arcollect.run_escalations does nothing and says so: a
# streaming replica of the suite's server (pg_basebackup -R, its own
# folder and socket), once it has replayed a database with overdue
# customers, answers CALL arcollect.run_escalations() with its NOTICE,
# and the primary still has no run, no episode and no touchpoint there.
OPS_TEST=standby
source "$(dirname "$0")/lib.sh"
db=ops_standby
standby=$(mktemp -d /tmp/arcollect-standby.XXXXXX)
chmod 755 "$standby"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$standby"
    as_owner=(runuser -u postgres --)
fi
stop_standby() {
    "${as_owner[@]}" pg_ctl -D "$standby/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$standby"
}
trap stop_standby EXIT

ops_fill $db 20 "$(ops_value postgres 'SELECT current_date')"
[ "$(ops_value $db "SELECT count(*) > 0 FROM arcollect.preview_escalations()")" = t ] ||
    ops_fail "nothing to escalate today: the test would prove nothing"

# A standby needs at least the primary's values of these.
opts=(-c "port=$PGPORT" -c "listen_addresses=" -c "unix_socket_directories=$standby" -c "fsync=off")
for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
            max_locks_per_transaction; do
    opts+=(-c "$name=$(ops_value postgres "SHOW $name")")
done
"${as_owner[@]}" pg_basebackup -D "$standby/data" -R -X stream -c fast --no-sync
"${as_owner[@]}" pg_ctl -D "$standby/data" -l "$standby/server.log" -w -o "${opts[*]@Q}" start >/dev/null ||
    ops_fail "the standby did not start: $(tail -5 "$standby/server.log")"
lsn=$(ops_value postgres "SELECT pg_catalog.pg_current_wal_lsn()")
PGHOST=$standby ops_wait 30 $db "SELECT pg_catalog.pg_is_in_recovery()
                                  AND pg_catalog.pg_last_wal_replay_lsn() >= '$lsn'" \
    "the standby did not replay the primary's WAL up to $lsn"

out=$(PGHOST=$standby PGOPTIONS='-c client_min_messages=notice' \
      ops_psql -d $db -c 'CALL arcollect.run_escalations()' 2>&1) ||
    ops_fail "CALL on the standby failed: $out"
grep -q 'NOTICE:  arcollect.run_escalations does nothing on a standby' <<<"$out" ||
    ops_fail "the standby did not say it does nothing: $out"
written="SELECT (SELECT count(*) FROM arcollect.escalation_run) + (SELECT count(*) FROM arcollect.escalation)
                + (SELECT count(*) FROM arcollect.touchpoint)"
[ "$(ops_value $db "$written")" = 0 ] || ops_fail "the primary holds runs, episodes or touchpoints"
ops_ok "CALL on a streaming standby does nothing and says so; the primary has no run"
stop_standby
trap - EXIT
ops_drop $db
