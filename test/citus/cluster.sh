# A throwaway Citus cluster on loopback, for test/citus/run.sh and
# bench/citus.sh.  Sourced after scripts/setup.sh (the server's bin folder
# first on PATH, PG_CONFIG set) and test/citus/build.sh (Citus installed
# into that tree):
#
#   citus_cluster_start db    a coordinator and two workers, each its own
#                             server preloading Citus, listening on
#                             127.0.0.1 on a free port, with database db,
#                             the citus and arcollect extensions in it on
#                             all three, and the workers added
#   citus_cluster_remove      stop them and remove their folders (also on
#                             the calling shell's exit)
#
# It exports CITUS_COORDINATOR, CITUS_WORKER1 and CITUS_WORKER2 (the ports)
# and CITUS_DIR; citus_psql port db ... runs psql against one of them.
# Only these servers preload Citus: the suite's own cluster does not.

citus_psql() {
    local port=$1 db=$2
    shift 2
    PGOPTIONS='-c client_min_messages=warning' \
        psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# A port nothing listens on (nor is about to: each is tried once).
citus_free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 30000))
        case " ${CITUS_PORTS_TAKEN:-} " in *" $port "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            CITUS_PORTS_TAKEN="${CITUS_PORTS_TAKEN:-} $port"
            echo "$port"
            return
        fi
    done
}

citus_node_start() {
    local name=$1 port=$2
    local data=$CITUS_DIR/$name
    "${CITUS_AS_OWNER[@]}" initdb -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth=trust --no-sync >/dev/null
    # Sized for a small shared machine: the suite's cluster runs beside.
    local opts=(-c "port=$port" -c "listen_addresses=127.0.0.1"
                -c "unix_socket_directories=$CITUS_DIR" -c "shared_preload_libraries=citus"
                -c "fsync=off" -c "synchronous_commit=off" -c "full_page_writes=off"
                -c "max_connections=200" -c "max_worker_processes=16"
                -c "shared_buffers=${CITUS_SHARED_BUFFERS:-128MB}"
                -c "work_mem=${CITUS_WORK_MEM:-64MB}"
                -c "max_parallel_workers_per_gather=${CITUS_PARALLEL_WORKERS:-0}"
                -c "jit=off" -c "autovacuum=off")
    "${CITUS_AS_OWNER[@]}" pg_ctl -D "$data" -l "$CITUS_DIR/$name.log" -w \
        -o "${opts[*]@Q}" start >/dev/null || {
        echo "citus: the $name did not start:" >&2
        tail -20 "$CITUS_DIR/$name.log" >&2
        return 1
    }
}

citus_cluster_start() {
    local db=$1 port
    CITUS_DIR=$(mktemp -d /tmp/arcollect-citus.XXXXXX)
    chmod 755 "$CITUS_DIR"
    CITUS_AS_OWNER=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$CITUS_DIR"
        CITUS_AS_OWNER=(runuser -u postgres --)
    fi
    trap citus_cluster_remove EXIT
    CITUS_COORDINATOR=$(citus_free_port)
    CITUS_WORKER1=$(citus_free_port)
    CITUS_WORKER2=$(citus_free_port)
    export CITUS_DIR CITUS_COORDINATOR CITUS_WORKER1 CITUS_WORKER2
    citus_node_start coordinator "$CITUS_COORDINATOR"
    citus_node_start worker1 "$CITUS_WORKER1"
    citus_node_start worker2 "$CITUS_WORKER2"
    # Every node gets the database and both extensions before the workers
    # join, so the coordinator finds arcollect there already.
    for port in "$CITUS_COORDINATOR" "$CITUS_WORKER1" "$CITUS_WORKER2"; do
        citus_psql "$port" postgres -c "CREATE DATABASE \"$db\""
        citus_psql "$port" "$db" -c 'CREATE EXTENSION citus' -c 'CREATE EXTENSION arcollect'
    done
    citus_psql "$CITUS_COORDINATOR" "$db" \
        -c "SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', $CITUS_COORDINATOR)" \
        -c "SELECT pg_catalog.citus_add_node('127.0.0.1', $CITUS_WORKER1)" \
        -c "SELECT pg_catalog.citus_add_node('127.0.0.1', $CITUS_WORKER2)" >/dev/null
}

citus_cluster_remove() {
    [ -n "${CITUS_DIR:-}" ] || return 0
    local name
    for name in worker2 worker1 coordinator; do
        [ -d "$CITUS_DIR/$name" ] &&
            "${CITUS_AS_OWNER[@]}" pg_ctl -D "$CITUS_DIR/$name" -m immediate -w stop >/dev/null 2>&1
    done
    rm -rf "$CITUS_DIR"
    CITUS_DIR=
}
