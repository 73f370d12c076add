#!/usr/bin/env bash
# The main job: installs what is needed, starts a throwaway PostgreSQL 15
# (or uses the server the usual PG* variables point at), creates the
# extension, lives through a quarter of collections day by day on an
# attached billing table and receipts table (scripts/demo_quarter.sql),
# prints the reports (scripts/demo_report.sql) and draws them on an HTML
# page (scripts/demo_charts.sh), whose path it prints last.  The page goes
# to $ARCOLLECT_REPORT_DIR, by default demo-report/ in this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA_PACKAGES=(gnuplot-nox)
source scripts/setup.sh
if [ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
    source scripts/cluster.sh
    cluster_start
fi
report_dir=$(mkdir -p "${ARCOLLECT_REPORT_DIR:-demo-report}" && cd "${ARCOLLECT_REPORT_DIR:-demo-report}" && pwd)
rm -f "$report_dir"/*.csv "$report_dir"/*.svg "$report_dir"/index.html

psql -X -q -f scripts/demo_quarter.sql
# From standard input rather than -f, so that what the reports print is
# not prefixed with a file and line.
psql -X -q -v report_dir="$report_dir" < scripts/demo_report.sql 2>&1
bash scripts/demo_charts.sh "$report_dir" 2>/dev/null
echo
echo "The charts: file://$report_dir/index.html"
