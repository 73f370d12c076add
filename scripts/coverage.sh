#!/usr/bin/env bash
# Line coverage of src/ under the whole test suite, measured with gcov (not
# part of CI): builds the library with --coverage (and without
# optimisation, so that lines map to code), runs scripts/test.sh, which
# installs that build, and prints the share of lines run per file.  The
# .gcov files stay in build/coverage/ for reading line by line; the next
# ordinary build starts from `make clean`, which this script runs at the
# end.  Usage: PG_CONFIG=... bash scripts/coverage.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

make -s clean PG_CONFIG="$PG_CONFIG"
# The Makefile's flags without -ffile-prefix-map, which would also map the
# paths where the server writes the counts (.gcda files, next to the
# objects).
make -s -j2 PG_CONFIG="$PG_CONFIG" LDFLAGS_SL=--coverage \
    PG_CFLAGS="-Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter -O0 --coverage"
# the server (user postgres, when run as root) writes the counts
chmod a+rwx src
status=0
mkdir -p build/coverage
bash scripts/test.sh >build/coverage/suite.log 2>&1 || status=$?
echo "suite: exit status $status (log in build/coverage/suite.log)"


gcov -o src src/*.c >build/coverage/gcov.txt 2>&1 || true
mv ./*.gcov build/coverage/ 2>/dev/null || true
awk '/^File .*src\/.*\.c/ { file = $2; gsub(/\x27/, "", file); sub(/.*src\//, "src/", file) }
     /^Lines executed:/ && file != "" { split($2, p, ":"); printf "%-24s %s of %s lines\n", file, p[2], $4; file = "" }' \
    build/coverage/gcov.txt | sort
awk '/^File .*src\/.*\.c/ { f = 1 } /^Lines executed:/ && f { split($2, p, ":"); sub(/%/, "", p[2]);
     run += p[2] * $4 / 100; all += $4; f = 0 } END { printf "%-24s %.2f%% of %d lines\n", "total", 100 * run / all, all }' \
    build/coverage/gcov.txt
chmod go-w src
find src -name '*.gcda' -o -name '*.gcno' | xargs rm -f
mv build/coverage /tmp/arcollect-coverage.$$ && make -s clean PG_CONFIG="$PG_CONFIG" &&
    mkdir -p build && mv /tmp/arcollect-coverage.$$ build/coverage
exit $status
