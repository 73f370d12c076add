#!/usr/bin/env bash
# Installs what arcollect needs on Debian bookworm (as root), then builds and
# installs the extension.  Sourced by demo.sh and test.sh; safe to rerun.
# A user other than root can run it once root has installed the packages
# and this build (`make install`).
set -euo pipefail

PACKAGES=(make gcc postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
          libtap-parser-sourcehandler-pgtap-perl postgresql-15-cron)
# what the sourcing script needs besides (demo.sh: gnuplot; test.sh: a browser)
PACKAGES+=(${EXTRA_PACKAGES[@]+"${EXTRA_PACKAGES[@]}"})

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: run as root to install: ${missing[*]}" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PG_CONFIG may name another installation (a copy of the server's tree,
# say, so that two builds of arcollect can be tested side by side).
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PATH=$("$PG_CONFIG" --bindir):$PATH
export PATH
make -s -j2 PG_CONFIG="$PG_CONFIG"

# Installing writes into the server's directories, which on Debian only
# root may do.  Anyone else goes on when this very build is installed
# already (the Makefile builds the same library in every directory, so a
# byte comparison tells), and otherwise is told what root must run.
pkglibdir=$("$PG_CONFIG" --pkglibdir)
extdir=$("$PG_CONFIG" --sharedir)/extension
if [ -w "$pkglibdir" ] && [ -w "$extdir" ]; then
    make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
else
    stale=()
    for f in arcollect.control build/arcollect--*.sql sql/arcollect--*.sql; do
        cmp -s "$f" "$extdir/${f##*/}" || stale+=("$f")
    done
    cmp -s arcollect.so "$pkglibdir/arcollect.so" || stale+=(arcollect.so)
    if [ ${#stale[@]} -gt 0 ]; then
        echo "setup: $(id -un) cannot install into $pkglibdir, and the arcollect installed there is not this build (differing: ${stale[*]})" >&2
        echo "setup: as root, run in $PWD: make install PG_CONFIG=$PG_CONFIG" >&2
        exit 1
    fi
fi
