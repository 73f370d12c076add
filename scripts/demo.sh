#!/usr/bin/env bash
# The main job: installs what is needed, starts a throwaway PostgreSQL 15
# (or uses the server the usual PG* variables point at), creates the
# extension, generates a year of sample receivables and prints the reports.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
    source scripts/cluster.sh
    cluster_start
fi

psql -X -q -f scripts/demo.sql
