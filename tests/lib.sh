# tests/lib.sh — the start every suite shares (sourced as the suite's first
# command): run from the top of the tree, $DTPASS, a scratch directory $tmp
# removed on exit, and ok/notok lines counted in $fails.
set -u
cd "$(dirname "$0")/.."
DTPASS=${DTPASS:-$PWD/build/dtpass}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fails=$((fails + 1)); }
