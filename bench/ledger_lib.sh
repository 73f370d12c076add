# Shared by bench/ledger_trigger.sh and bench/ledger_reads.sh (sourced,
# from the repository's root): the server to measure on, and small helpers.
#
# With none of PGHOST, PGPORT, PGDATABASE set, the extension is built and
# installed into the server tree of PG_CONFIG (scripts/setup.sh) and a
# throwaway cluster is started for the run (scripts/cluster.sh: fsync off,
# plus the settings below); it is removed when the script exits.  With any
# of them set, that server and database are used as they are.

export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PATH=$("$PG_CONFIG" --bindir):$PATH
export PATH

ledger_server() {
    if [ -n "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
        return 0
    fi
    bash scripts/setup.sh >&2
    # shellcheck source=../scripts/cluster.sh
    source scripts/cluster.sh
    cluster_start -c shared_buffers=${BENCH_SHARED_BUFFERS:-1GB} -c max_wal_size=4GB \
                  -c checkpoint_timeout=30min -c autovacuum=off
}

PSQL="psql -X -q -v ON_ERROR_STOP=1"
export PGOPTIONS="-c client_min_messages=warning ${PGOPTIONS:-}"

ledger_header() {
    echo "== server: $($PSQL -At -c 'SELECT version()')"
    echo "== machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== settings: $($PSQL -At -c "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_wal_size', 'synchronous_commit', 'fsync', 'wal_level', 'autovacuum', 'jit')")"
    echo "== build: arcollect.so $(md5sum "$("$PG_CONFIG" --pkglibdir)/arcollect.so" | cut -c1-12), tree $(git describe --always --dirty 2>/dev/null || echo unknown), $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# The median of numbers, one a line, on standard input.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# Numbers one a line, as one line.
inline() { tr '\n' ' ' | sed 's/ $//'; }
