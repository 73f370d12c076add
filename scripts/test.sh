#!/usr/bin/env bash
# Runs every arcollect test on a throwaway PostgreSQL 15 server with pg_cron
# preloaded: the pg_regress suite (sql/, expected/) and the pgTAP suite
# (test/), after setting up the older versions the upgrade test starts from;
# then the operational tests (test/ops/), which restart the server and
# replicate it, so nothing else runs beside them; then the aggregates on a
# Citus cluster of their own (test/citus/).
set -euo pipefail
cd "$(dirname "$0")/.."
# gnuplot draws the main job's charts, which a browser test looks at
EXTRA_PACKAGES=(gnuplot-nox chromium)
source scripts/setup.sh
source scripts/cluster.sh

cluster_init

# The upgrade test (test/upgrade.sql) starts from databases that the
# released versions made: each is built from its sources (test/upgrade/)
# into a copy of the server tree, runs this cluster for a while and fills
# a database; then
# the cluster is restarted on this tree's build, as a real upgrade is.
echo "== released versions, for the upgrade test =="
releases=$(mktemp -d /tmp/arcollect-releases.XXXXXX)
chmod 755 "$releases"
trap 'cluster_remove; rm -rf "$releases"' EXIT
grep -v '^#' test/upgrade/releases | while read -r version commit; do
    BINDIR=$(bash test/upgrade/install_release.sh "$version" "$commit" "$releases/$version")
    BINDIR=$BINDIR cluster_up
    db=arcollect_from_$version
    psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\""
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION arcollect VERSION '$version'" \
        -f "test/upgrade/fill-$version.sql"
    cluster_down
    echo "arcollect $version (commit $commit): database $db filled"
done

# pg_cron's jobs connect through the cluster's socket (it listens on no
# TCP address).
cluster_up -c shared_preload_libraries=pg_cron -c cron.database_name=arcollect_test -c "cron.host=$PGHOST" \
    -c max_worker_processes=16 -c max_parallel_workers_per_gather=2
status=0
make -s check-version PG_CONFIG="$PG_CONFIG" || status=1

echo "== pg_regress =="
make -s installcheck PG_CONFIG="$PG_CONFIG" || { status=1; cat regression.diffs output_iso/regression.diffs 2>/dev/null | head -200 || true; }

echo "== pgTAP =="
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE arcollect_test'
psql -X -q -v ON_ERROR_STOP=1 -d arcollect_test -c 'CREATE EXTENSION pg_cron' -c 'CREATE EXTENSION arcollect'
PGDATABASE=arcollect_test make -s prove PG_CONFIG="$PG_CONFIG" || status=1

echo "== operations =="
# One at a time, the killed run last (its crash restarts every backend).
bash test/ops/standby.sh || status=1
bash test/ops/concurrent_runs.sh || status=1
bash test/ops/pg_cron.sh || status=1
bash test/ops/demo_page.sh || status=1
bash test/ops/killed_run.sh || status=1

echo "== citus =="
# The aggregates on a real Citus cluster of its own (a coordinator and two
# workers on loopback, preloading Citus, which this cluster does not),
# Citus built once from the vendored source: test/citus/run.sh.
bash test/citus/run.sh || status=1

echo "== docs =="
# The grants doc/ledger.md recommends are the ones test/ledger_privileges.sql
# runs (from doc/ledger_roles.sql).
awk '/^The grants of a BI role/ {f = 1} f && /^```sql/ {g = 1; next} g && /^```/ {exit} g' doc/ledger.md |
    diff - doc/ledger_roles.sql || { echo "the grants in doc/ledger.md differ from doc/ledger_roles.sql"; status=1; }
# The pgTAP suite's role has the grants doc/ledger.md gives an admin role.
diff <(grep "'ar_admin'" doc/ledger_roles.sql | sed 's/ar_admin/arcollect_suite/') \
     <(sed -n '/^-- What doc\/ledger.md/,/^$/p' test/include/suite_role.sql | grep -v '^--\|^$') ||
    { echo "the grants in test/include/suite_role.sql differ from the admin role's in doc/ledger_roles.sql"; status=1; }

exit $status
