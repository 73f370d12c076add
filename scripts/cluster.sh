#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite and the main job.
# Sourced after scripts/setup.sh (which puts the server's bin directory,
# from $PG_CONFIG, first on PATH):
#
#   cluster_start [-c name=value ...]
#
# initdb's a cluster in a new folder under /tmp, starts it listening on a
# Unix socket in that folder only (so two clusters never clash over a
# port), exports PGHOST, PGPORT, PGUSER and PGDATABASE for it, and removes
# it again when the calling shell exits.  As root the server runs as the
# postgres user, since initdb refuses to run as root.

cluster_start() {
    ARCOLLECT_CLUSTER=$(mktemp -d /tmp/arcollect-cluster.XXXXXX)
    chmod 755 "$ARCOLLECT_CLUSTER"
    ARCOLLECT_AS_OWNER=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$ARCOLLECT_CLUSTER"
        ARCOLLECT_AS_OWNER=(runuser -u postgres --)
    fi
    trap cluster_stop EXIT
    "${ARCOLLECT_AS_OWNER[@]}" initdb -D "$ARCOLLECT_CLUSTER/data" -U postgres -E UTF8 \
        --locale=C.UTF-8 --auth=trust --no-sync >/dev/null
    local opts=(-c "port=5432" -c "listen_addresses=" -c "unix_socket_directories=$ARCOLLECT_CLUSTER"
                -c "fsync=off" "$@")
    "${ARCOLLECT_AS_OWNER[@]}" pg_ctl -D "$ARCOLLECT_CLUSTER/data" -l "$ARCOLLECT_CLUSTER/server.log" \
        -w -o "${opts[*]@Q}" start >/dev/null
    export PGHOST=$ARCOLLECT_CLUSTER PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
}

cluster_stop() {
    [ -n "${ARCOLLECT_CLUSTER:-}" ] || return 0
    "${ARCOLLECT_AS_OWNER[@]}" pg_ctl -D "$ARCOLLECT_CLUSTER/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$ARCOLLECT_CLUSTER"
    ARCOLLECT_CLUSTER=
}
