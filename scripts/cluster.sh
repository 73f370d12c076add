#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite and the main job.
# Sourced after scripts/setup.sh (which puts the server's bin directory,
# from $PG_CONFIG, first on PATH):
#
#   cluster_start [-c name=value ...]    cluster_init, then cluster_up
#   cluster_init                         initdb in a new folder under /tmp
#   cluster_up [-c name=value ...]       start the server (BINDIR= another
#                                        server tree's bin folder, if set)
#   cluster_down                         stop it (the data stays)
#
# The server listens on a Unix socket in the cluster's folder only, so two
# clusters never clash over a port; PGHOST, PGPORT, PGUSER and PGDATABASE
# are exported for it, and the folder is removed when the calling shell
# exits.  As root the server runs as the postgres user, since initdb
# refuses to run as root.

cluster_init() {
    ARCOLLECT_CLUSTER=$(mktemp -d /tmp/arcollect-cluster.XXXXXX)
    chmod 755 "$ARCOLLECT_CLUSTER"
    ARCOLLECT_AS_OWNER=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$ARCOLLECT_CLUSTER"
        ARCOLLECT_AS_OWNER=(runuser -u postgres --)
    fi
    trap cluster_remove EXIT
    "${ARCOLLECT_AS_OWNER[@]}" initdb -D "$ARCOLLECT_CLUSTER/data" -U postgres -E UTF8 \
        --locale=C.UTF-8 --auth=trust --no-sync >/dev/null
    export PGHOST=$ARCOLLECT_CLUSTER PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
}

cluster_up() {
    local bindir=${BINDIR:-$(dirname "$(command -v pg_ctl)")}
    local opts=(-c "port=$PGPORT" -c "listen_addresses=" -c "unix_socket_directories=$ARCOLLECT_CLUSTER"
                -c "fsync=off" "$@")
    "${ARCOLLECT_AS_OWNER[@]}" "$bindir/pg_ctl" -D "$ARCOLLECT_CLUSTER/data" \
        -l "$ARCOLLECT_CLUSTER/server.log" -w -o "${opts[*]@Q}" start >/dev/null
    ARCOLLECT_BINDIR=$bindir
}

cluster_down() {
    "${ARCOLLECT_AS_OWNER[@]}" "$ARCOLLECT_BINDIR/pg_ctl" -D "$ARCOLLECT_CLUSTER/data" \
        -m fast -w stop >/dev/null
}

cluster_start() {
    cluster_init
    cluster_up "$@"
}

cluster_remove() {
    [ -n "${ARCOLLECT_CLUSTER:-}" ] || return 0
    cluster_down 2>/dev/null || true
    rm -rf "$ARCOLLECT_CLUSTER"
    ARCOLLECT_CLUSTER=
}
