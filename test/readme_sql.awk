# Extracts the SQL examples of a manual (README.md, doc/ledger.md) into one
# psql script, which a pg_regress test runs (sql/readme.sql and
# sql/ledger_manual.sql; the Makefile writes the scripts to build/):
#
# - every ```sql block, in README order, each headed by a comment naming
#   the file and section it is in (not its line: that would change with
#   every edit above it), except that the blocks of the introduction (before the first
#   "## " heading) run last: they query the sample table that "Getting
#   started" creates;
# - every table cell `expression` → `result` (the examples of the function
#   reference) as a query that prints what the expression gives, what the
#   README says it gives, and whether the two agree.
#
# A block shown as ``` without sql (a synopsis, output) is not run.
#
# Usage: awk -f test/readme_sql.awk README.md > build/readme.sql

BEGIN { in_block = 0; intro = 1; held = ""; section = "introduction" }

/^##+ / { section = $0; sub(/^#+ /, "", section) }
/^## / { intro = 0 }

in_block && /^```/ {
    in_block = 0
    if (intro) held = held block; else printf "%s", block
    next
}

in_block { block = block $0 "\n"; next }

/^```sql[ \t]*$/ {
    in_block = 1
    block = "\n-- " FILENAME ", " section "\n"
    next
}

# A table row whose last cell is `expression` → `result`.
/^\|.*` → `[^`]*` *\|[ \t]*$/ {
    cell = $0
    sub(/[ \t]*\|[ \t]*$/, "", cell)       # the closing pipe
    sub(/^.*\|[ \t]*/, "", cell)           # everything before the last cell
    arrow = index(cell, "` → `")
    expr = substr(cell, 2, arrow - 2)
    result = substr(cell, arrow + length("` → `"))
    sub(/`$/, "", result)
    gsub(/'/, "''", result)
    printf "\n-- %s, %s\nSELECT (%s)::text AS gives, '%s' AS readme_says, (%s)::text = '%s' AS agrees;\n",
           FILENAME, section, expr, result, expr, result
    next
}

END { printf "%s", held }
