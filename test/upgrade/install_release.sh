#!/usr/bin/env bash
# Usage: test/upgrade/install_release.sh VERSION COMMIT TREE
#
# Builds arcollect as released (VERSION, made at COMMIT) against
# $PG_CONFIG, and installs it into TREE: a copy of the
# server tree $PG_CONFIG belongs to (bin, lib and share folders, at the
# same paths under TREE), so that a server started from TREE's bin folder
# runs the released library and scripts while the main tree keeps the new
# ones.  PostgreSQL finds its lib and share folders relative to its
# binaries, so the copy works where it lies.
set -euo pipefail
version=$1 commit=$2 tree=$3
bindir=$("$PG_CONFIG" --bindir)
sharedir=$("$PG_CONFIG" --sharedir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)

src=$(mktemp -d /tmp/arcollect-release.XXXXXX)
stage=$(mktemp -d /tmp/arcollect-stage.XXXXXX)
trap 'rm -rf "$src" "$stage"' EXIT
# The release's sources are kept beside this script, so that the test
# needs no git history (a shallow clone has none).  Made with:
#   git archive --prefix=arcollect-VERSION/ COMMIT src Makefile arcollect.control sql | gzip -9n
archive=$(dirname "$0")/arcollect-$version.tar.gz
if [ ! -f "$archive" ]; then
    echo "install_release: $archive is missing; make it from commit $commit:" >&2
    echo "  git archive --prefix=arcollect-$version/ $commit src Makefile arcollect.control sql | gzip -9n > $archive" >&2
    exit 1
fi
tar -xzf "$archive" -C "$src" --strip-components=1
make -C "$src" -s -j2 PG_CONFIG="$PG_CONFIG" >/dev/null
make -C "$src" -s install PG_CONFIG="$PG_CONFIG" DESTDIR="$stage" >/dev/null

for dir in "$bindir" "$pkglibdir" "$sharedir"; do
    mkdir -p "$tree$dir"
    cp -a "$dir/." "$tree$dir/"
done
cp -a "$stage$pkglibdir/." "$tree$pkglibdir/"
cp -a "$stage$sharedir/extension/." "$tree$sharedir/extension/"
grep -q "default_version = '$version'" "$tree$sharedir/extension/arcollect.control" || {
    echo "install_release: commit $commit is not arcollect $version" >&2
    exit 1
}
echo "$tree$bindir"
