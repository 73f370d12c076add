#!/usr/bin/env bash
# The main job: installs what is needed, starts a throwaway PostgreSQL 15
# (or uses the server the usual PG* variables point at), creates the
# extension, generates a year of sample receivables and prints the reports.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${ARCOLLECT_IN_VIRTUALENV:-}" ]; then
    source scripts/setup.sh
    if [ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
        export ARCOLLECT_IN_VIRTUALENV=1
        exec pg_virtualenv -t bash "$0" "$@"
    fi
fi

psql -X -q -f scripts/demo.sql
