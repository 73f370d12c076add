#!/usr/bin/env bash
# Runs every arcollect test on a throwaway PostgreSQL 15 server with pg_cron
# preloaded: the pg_regress suite (sql/, expected/) and the pgTAP suite (test/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

if [ -z "${ARCOLLECT_IN_VIRTUALENV:-}" ]; then
    # Re-enter this script inside a temporary cluster that pg_virtualenv
    # creates and removes again; pg_cron needs to be preloaded.
    export ARCOLLECT_IN_VIRTUALENV=1
    exec pg_virtualenv -t \
        -o 'shared_preload_libraries=pg_cron' \
        -o 'cron.database_name=arcollect_test' \
        -o 'max_worker_processes=16' \
        -o 'max_parallel_workers_per_gather=2' \
        bash "$0" "$@"
fi

# pg_virtualenv runs us as root with a cluster owned by postgres; the test
# results folder must be writable by the regression driver.
status=0

echo "== pg_regress =="
make -s installcheck PG_CONFIG="$PG_CONFIG" || { status=1; cat regression.diffs 2>/dev/null | head -200; }

echo "== pgTAP =="
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'DROP DATABASE IF EXISTS arcollect_test' -c 'CREATE DATABASE arcollect_test'
psql -X -q -v ON_ERROR_STOP=1 -d arcollect_test \
    -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION pg_cron' -c 'CREATE EXTENSION arcollect'
PGDATABASE=arcollect_test make -s prove PG_CONFIG="$PG_CONFIG" || status=1

exit $status
