#!/usr/bin/env bash
# Builds Citus from the vendored source (../shared/vendor, see its README)
# against $PG_CONFIG and installs it into that server tree, for the Citus
# test (test/citus/run.sh).  Citus is a test tool here, never something
# arcollect needs.
#
# The build is cached outside the clone, in $CITUS_CACHE (default
# /var/cache/arcollect-citus, else /tmp), as a staged install keyed by the
# tarball's sha256 and the server it was built for, so a second run only
# copies files (seconds instead of minutes).  Prints nothing but progress
# on stderr; fails (never skips) when Citus cannot be built.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:?PG_CONFIG must name the server tree to build Citus for}
here=$(cd "$(dirname "$0")" && pwd)
# The shared folder beside the clone (../shared from its root), or
# CITUS_TARBALL.
tarball=${CITUS_TARBALL:-}
if [ -z "$tarball" ]; then
    for candidate in "$here/../../../shared/vendor/citus-13.2.2.tar.gz" /work/shared/vendor/citus-13.2.2.tar.gz; do
        [ -f "$candidate" ] && { tarball=$candidate; break; }
    done
fi
if [ ! -f "$tarball" ]; then
    echo "citus build: the Citus source is missing: no ../shared/vendor/citus-13.2.2.tar.gz beside the clone (set CITUS_TARBALL to it)" >&2
    exit 1
fi
want_sha=c8fc76dc8294636a52b1a0dd75a20d8b4a36937df6443e30ca84d8d0464a6bb9
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$sha" != "$want_sha" ]; then
    echo "citus build: $tarball has sha256 $sha, not the vendored release's $want_sha" >&2
    exit 1
fi

pkglibdir=$("$PG_CONFIG" --pkglibdir)
extdir=$("$PG_CONFIG" --sharedir)/extension
if [ -f "$pkglibdir/citus.so" ] && [ -f "$extdir/citus.control" ] &&
   grep -q "default_version = '13.2-1'" "$extdir/citus.control"; then
    exit 0    # installed already
fi

# One cache entry per tarball and server (version and tree).
key=$(printf '%s\n' "$sha" "$("$PG_CONFIG" --version)" "$pkglibdir" | sha256sum | cut -c1-16)
cache=${CITUS_CACHE:-/var/cache/arcollect-citus}
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache=/tmp/arcollect-citus-cache
mkdir -p "$cache"
stage=$cache/$key

if [ ! -f "$stage.complete" ]; then
    missing=()
    for p in libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "citus build: Citus cannot be built here: its build needs ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
            exit 1
        fi
        echo "citus build: installing ${missing[*]}" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    src=$(mktemp -d /tmp/arcollect-citus-src.XXXXXX)
    trap 'rm -rf "$src"' EXIT
    echo "citus build: building Citus 13.2.2 for $("$PG_CONFIG" --version) (a few minutes, once)" >&2
    tar -xzf "$tarball" -C "$src"
    cd "$src"/citus-*
    # PostgreSQL 15.18 exports have_createdb_privilege, of which Citus
    # 13.2.2 defines a static copy for PostgreSQL 15: drop the copy when
    # the server declares it (vendor README).
    if grep -q 'have_createdb_privilege' "$("$PG_CONFIG" --includedir-server)/commands/dbcommands.h"; then
        perl -0pi -e 's/static inline bool\nhave_createdb_privilege\(void\)\n\{.*?\n\}\n//s' \
            src/include/pg_version_compat.h
        ! grep -q '^have_createdb_privilege(void)' src/include/pg_version_compat.h
    fi
    log=$src/build.log
    if ! { ./configure PG_CONFIG="$PG_CONFIG" && make -j"$(nproc)" &&
           rm -rf "$stage.tmp" && make install DESTDIR="$stage.tmp"; } >"$log" 2>&1; then
        echo "citus build: Citus cannot be built on this machine; the end of its build log:" >&2
        tail -40 "$log" >&2
        exit 1
    fi
    rm -rf "$stage"
    mv "$stage.tmp" "$stage"
    touch "$stage.complete"
fi

# The staged files carry the tree's absolute paths.
if ! cp -a "$stage/." / 2>/dev/null || [ ! -f "$pkglibdir/citus.so" ]; then
    echo "citus build: cannot install Citus into $pkglibdir (run as a user who may write there)" >&2
    exit 1
fi
echo "citus build: Citus 13.2.2 installed into $pkglibdir" >&2
