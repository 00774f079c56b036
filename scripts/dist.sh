#!/usr/bin/env bash
# Release archives of mockokta and xakia-reference, built with plain `go build`.
#
#   scripts/dist.sh            archives for every platform in DIST_PLATFORMS into DIST_DIR
#   scripts/dist.sh ldflags    print the -X flags that stamp the version (make image-mockokta uses them)
#
# Environment (all optional):
#   DIST_DIR         output folder (default dist; earlier archives in it are removed first)
#   DIST_PLATFORMS   GOOS/GOARCH list (default: linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)
#   VERSION          default: git describe --tags --always --dirty, else "dev"
#   COMMIT           default: git rev-parse HEAD (+ "-dirty" with uncommitted changes), else "unknown"
#   SOURCE_DATE_EPOCH  build date and archive timestamps (reproducible builds); default: now
#   GO               the go command (default go)
#
# Each binary gets its own archive, NAME_VERSION_OS_ARCH.tar.gz (.zip for windows),
# holding the binary and README.md; SHA256SUMS lists every archive.
#
# Why not GoReleaser: v2.15.1 resolves here as a `go tool`, but it adds about 300
# modules to go.mod (91 -> 388 lines, go.sum 226 -> 977) that every user of this
# module would download, and takes minutes to build on a 2-core machine. Static
# cross-compiles need nothing beyond go build, tar, zip and sha256sum.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
PKG=github.com/xakia-okta/scimtest/internal/buildinfo

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
commit=${COMMIT:-}
if [ -z "$commit" ]; then
  commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit-dirty"
  fi
fi
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  epoch=$SOURCE_DATE_EPOCH
else
  epoch=$(date -u +%s)
fi
date=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
ldflags="-X $PKG.version=$version -X $PKG.commit=$commit -X $PKG.date=$date"

if [ "${1:-}" = ldflags ]; then
  echo "$ldflags"
  exit 0
fi
if [ $# -gt 0 ]; then
  echo "usage: scripts/dist.sh [ldflags]" >&2
  exit 2
fi

for tool in tar zip sha256sum; do
  command -v "$tool" >/dev/null || { echo "dist: $tool is needed (apt-get install $tool)" >&2; exit 2; }
done

out=${DIST_DIR:-dist}
platforms=${DIST_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Only what an earlier run wrote goes: DIST_DIR may be a folder with other files.
rm -f "$out"/mockokta_*.tar.gz "$out"/mockokta_*.zip "$out"/xakia-reference_*.tar.gz \
  "$out"/xakia-reference_*.zip "$out/SHA256SUMS"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "dist: version $version, commit $commit, date $date, $($GO env GOVERSION)"
for platform in $platforms; do
  goos=${platform%/*} goarch=${platform#*/}
  for cmd in mockokta xakia-reference; do
    name="${cmd}_${version}_${goos}_${goarch}"
    exe=$cmd
    [ "$goos" = windows ] && exe=$cmd.exe
    dir="$work/$name"
    mkdir -p "$dir"
    began=$(date +%s)
    CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch "$GO" build -trimpath -ldflags "-s -w $ldflags" -o "$dir/$exe" "./cmd/$cmd"
    cp README.md "$dir/"
    touch -d "@$epoch" "$dir/$exe" "$dir/README.md"
    if [ "$goos" = windows ]; then
      archive="$name.zip"
      (cd "$dir" && zip -q -X -9 "$out/$archive" README.md "$exe")
    else
      archive="$name.tar.gz"
      tar -C "$dir" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
        -cf - README.md "$exe" | gzip -n -9 >"$out/$archive"
    fi
    echo "dist: $out/$archive ($(du -k "$out/$archive" | cut -f1) KiB, built in $(($(date +%s) - began))s)"
  done
done
(
  cd "$out"
  shopt -s nullglob
  archives=(*.tar.gz *.zip)
  sha256sum -- "${archives[@]}" >SHA256SUMS.tmp
  mv SHA256SUMS.tmp SHA256SUMS
)
echo "dist: $out/SHA256SUMS ($(wc -l <"$out/SHA256SUMS") archives)"
