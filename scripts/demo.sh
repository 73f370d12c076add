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

# From standard input rather than -f: psql then prints the WARNING that the
# demo provokes on purpose as any session sees it, not prefixed with a file
# and line as if the script had failed; 2>&1 keeps it in its place in the
# output.
psql -X -q < scripts/demo.sql 2>&1
