#!/usr/bin/env bash
# Draws the main job's charts with gnuplot (Debian's gnuplot-nox) from the
# CSV files scripts/demo_report.sql writes, and the HTML page that shows
# them: usage  demo_charts.sh DIR  (DIR holds the CSV files; the SVG files
# and index.html are written beside them).  One chart per currency:
#   aging-CUR.svg     open amount by aging bucket, one bar per owner
#   kpi-CUR.svg       DSO, best possible DSO (days) and CEI (%) by month
#   forecast-CUR.svg  expected collections per week, next 13 weeks,
#                     beside what a due-date forecast would say
set -euo pipefail
dir=$1
cd "$dir"

# Rows of a CSV file (header first) for one currency, with the currency
# in column 2: gnuplot reads them from a file of their own.
rows_of() {  # file currency
    awk -F, -v c="$2" 'NR == 1 || $2 == c' "$1"
}

currencies=$(awk -F, 'FNR > 1 {print $2}' aging_by_owner.csv kpi_monthly.csv cash_forecast.csv | sort -u)

common='set terminal svg size 720,380 dynamic font "sans,11" background "#ffffff"
set datafile separator ","
set key outside right top
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set termoption noenhanced
set yrange [0:*]'

for cur in $currencies; do
    rows_of aging_by_owner.csv "$cur" > "aging-$cur.csv"
    rows_of kpi_monthly.csv "$cur" > "kpi-$cur.csv"
    rows_of cash_forecast.csv "$cur" > "forecast-$cur.csv"

    # aging_by_owner.csv: owner,currency,current,days_1_30,days_31_60,days_61_90,days_91_plus
    gnuplot <<EOF
$common
set output "aging-$cur.svg"
set title "Open receivables by days past due ($cur), by owner"
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.6
set ylabel "$cur"
set key autotitle columnheader
plot for [col = 3:7] "aging-$cur.csv" using col:xtic(1)
EOF

    # kpi_monthly.csv: month,currency,dso,best_possible_dso,cei
    gnuplot <<EOF
$common
set output "kpi-$cur.svg"
set title "DSO and CEI by month ($cur)"
set xtics rotate by -30
set offsets 0.3, 0.3, 0, 0
set ylabel "days"
set y2label "CEI %"
set y2tics
set y2range [0:100]
plot "kpi-$cur.csv" using 0:3:xtic(1) skip 1 with linespoints lw 2 pt 7 title "DSO", \
     "kpi-$cur.csv" using 0:4 skip 1 with linespoints lw 2 pt 5 dt 2 title "best possible DSO", \
     "kpi-$cur.csv" using 0:5 skip 1 axes x1y2 with linespoints lw 2 pt 9 title "CEI"
EOF

    # cash_forecast.csv: week_start,currency,expected_amount,naive_amount
    gnuplot <<EOF
$common
set output "forecast-$cur.svg"
set title "Expected collections, next 13 weeks ($cur)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -45
set ylabel "$cur"
plot "forecast-$cur.csv" using 3:xtic(1) skip 1 title "forecast", \
     "" using 4 skip 1 title "if paid on the due date"
EOF
done

# The page: every chart as an image, and a script that records, once the
# page has loaded, how many of them the browser decoded and laid out at a
# size (the test reads it back from the rendered page).
{
    cat <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>arcollect: the collections cycle</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
h2 { margin-top: 1.5em; }
img { display: block; margin: 0.5em 0; max-width: 100%; }
</style></head>
<body>
<h1>arcollect: the quarter's collections</h1>
EOF
    date -u +'<p>Made on %Y-%m-%d at %H:%M UTC by scripts/demo.sh.</p>'
    for cur in $currencies; do
        echo "<h2>$cur</h2>"
        echo "<img class=\"chart\" src=\"aging-$cur.svg\" alt=\"aging by bucket and owner, $cur\">"
        echo "<img class=\"chart\" src=\"kpi-$cur.svg\" alt=\"DSO and CEI by month, $cur\">"
        echo "<img class=\"chart\" src=\"forecast-$cur.svg\" alt=\"13-week cash forecast, $cur\">"
    done
    cat <<'EOF'
<p id="render-check"></p>
<script>
window.addEventListener('load', function () {
  var charts = document.querySelectorAll('img.chart');
  var drawn = 0;
  charts.forEach(function (img) {
    if (img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().height > 100) drawn++;
  });
  document.getElementById('render-check').textContent =
    'charts drawn: ' + drawn + ' of ' + charts.length;
});
</script>
</body></html>
EOF
} > index.html
