# tests/lib.sh — the start every suite shares (sourced as the suite's first
# command): run from the top of the tree, $BUILD and $DTPASS, a scratch
# directory $tmp removed on exit, and ok/notok lines counted in $fails.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DTPASS=${DTPASS:-$PWD/$BUILD/dtpass}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fails=$((fails + 1)); }
# Whether $DTPASS is an AddressSanitizer build (memory figures mean
# nothing there, and LeakSanitizer stands in for valgrind).
asan_build() {
    nm -D "$DTPASS" 2>/dev/null | grep -q __asan_init || nm "$DTPASS" 2>/dev/null | grep -q __asan_init
}
# Runs a private copy of the binary from here on, so a `make` relinking it
# mid-run (several people building in one tree) cannot fail the suite. Not
# for suites whose Makefiles depend on the binary's time stamp.
private_dtpass() { cp "$DTPASS" "$tmp/dtpass" && DTPASS=$tmp/dtpass; }
