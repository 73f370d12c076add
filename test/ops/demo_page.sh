#!/usr/bin/env bash
# The main job end to end, as a newcomer runs it (scripts/demo.sh) but in
# a database of its own on the suite's server: it must finish, print
# every report it announces, and write a page whose charts Chromium
# (Debian's, headless) draws.  The page records, once loaded, how many of
# its chart images the browser decoded and laid out at a size
# (scripts/demo_charts.sh); Chromium's rendered DOM is read back, and a
# screenshot is kept beside the page for a person to look at.
OPS_TEST=demo_page
source "$(dirname "$0")/lib.sh"
cd "$OPS_DIR/../.."
db=arcollect_demo_page
out=$(mktemp -d /tmp/arcollect-demo-page.XXXXXX)
trap 'rm -rf "$out"' EXIT
ops_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"

PGDATABASE=$db ARCOLLECT_REPORT_DIR=$out/report bash scripts/demo.sh > "$out/demo.log" 2>&1 ||
    { tail -30 "$out/demo.log" >&2; ops_fail "scripts/demo.sh failed"; }
for section in 'The quarter' 'Aging today' 'Aging by owner' 'KPIs by month' "Today's worklist for Ana" \
               'What customer C001 received' 'Disputes' 'Payment plans and promises' 'Cash forecast'; do
    grep -q "== $section" "$out/demo.log" || ops_fail "the demo printed no \"$section\" report"
done
grep -q "^The charts: file://$out/report/index.html$" "$out/demo.log" || ops_fail "the demo did not say where the page is"
ops_ok "scripts/demo.sh ran the quarter and printed every report"

# every chart has data: gnuplot writes a plotted series as a path
charts=$(ls "$out"/report/*.svg | wc -l)
[ "$charts" -ge 6 ] || ops_fail "expected 3 charts for each of EUR and GBP, found $charts"
for svg in "$out"/report/*.svg; do
    grep -q '<path' "$svg" || ops_fail "$(basename "$svg") has nothing drawn"
done

browser=(chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=10000)
dom=$("${browser[@]}" --dump-dom "file://$out/report/index.html" 2>/dev/null)
grep -q "charts drawn: $charts of $charts" <<<"$dom" ||
    ops_fail "Chromium drew $(grep -o 'charts drawn: [0-9]* of [0-9]*' <<<"$dom" || echo 'no charts') (expected $charts of $charts)"
"${browser[@]}" --window-size=800,3000 --screenshot="$out/report/page.png" "file://$out/report/index.html" >/dev/null 2>&1
[ -s "$out/report/page.png" ] || ops_fail "Chromium made no screenshot"
ops_ok "Chromium drew all $charts charts of the page"
ops_psql -d postgres -c "DROP DATABASE $db"
