#!/bin/sh
# tests/suite-install.sh — `make install` / `make uninstall` (Makefile): the
# exact file list under PREFIX in a temporary DESTDIR, the man page renders
# without warnings and covers every command, option, check id and target
# the binary has (so adding one without documenting it fails here), the
# bash completion offers the binary's check ids and targets, --version
# names the dtpb format, and uninstall removes exactly what was installed.
. "$(dirname "$0")/lib.sh"

dest=$tmp/dest
prefix=/opt/dtpass-test
# -o dtpass: install what is built ($BUILD/dtpass), never rebuild it here.
if make -s -o dtpass install BUILD="$BUILD" DESTDIR="$dest" PREFIX="$prefix" >"$tmp/install.log" 2>&1; then
    ok "make install DESTDIR=... PREFIX=$prefix"
else
    notok "make install"; sed 's/^/#   /' "$tmp/install.log"; exit 1
fi
cat >"$tmp/want" <<LIST
$prefix/bin/dtpass
$prefix/include/dtpass/dtpb.h
$prefix/share/bash-completion/completions/dtpass
$prefix/share/dtpass/board-groups.schema.json
$prefix/share/dtpass/device-classes.yaml
$prefix/share/dtpass/dtpass.schema.json
$prefix/share/dtpass/dtpb/reader.c
$prefix/share/man/man1/dtpass.1
LIST
(cd "$dest" && find . ! -type d | sed 's|^\.||' | LC_ALL=C sort) >"$tmp/got"
if diff "$tmp/want" "$tmp/got" >"$tmp/diff"; then ok "installed exactly the expected files"; else
    notok "installed files differ (- wanted, + got)"; sed 's/^/#   /' "$tmp/diff"; fi
[ "$(find "$dest" -path '*/usr/*' | head -n 1)" = "" ] && ok "nothing outside PREFIX" || notok "files outside PREFIX"
same=1
for pair in bin/dtpass:"$DTPASS" include/dtpass/dtpb.h:include/dtpass/dtpb.h \
    share/dtpass/dtpb/reader.c:src/dtpb/reader.c share/man/man1/dtpass.1:docs/dtpass.1 \
    share/bash-completion/completions/dtpass:completion/dtpass.bash \
    share/dtpass/dtpass.schema.json:schemas/dtpass.schema.json \
    share/dtpass/board-groups.schema.json:schemas/board-groups.schema.json \
    share/dtpass/device-classes.yaml:schemas/device-classes.yaml; do
    cmp -s "$dest$prefix/${pair%%:*}" "${pair#*:}" || { same=0; echo "# differs: ${pair%%:*}"; }
done
[ $same = 1 ] && ok "installed files are the tree's" || notok "installed files differ from the tree's"
[ "$(stat -c %a "$dest$prefix/bin/dtpass")" = 755 ] && [ "$(stat -c %a "$dest$prefix/share/man/man1/dtpass.1")" = 644 ] &&
    ok "modes 755 (binary) and 644 (data)" || notok "modes"

bin=$dest$prefix/bin/dtpass
maj=$(sed -n 's/^#define DTPB_VERSION_MAJOR \([0-9]*\).*/\1/p' include/dtpass/dtpb.h)
min=$(sed -n 's/^#define DTPB_VERSION_MINOR \([0-9]*\).*/\1/p' include/dtpass/dtpb.h)
ver=$("$bin" --version)
case $ver in
    "dtpass "[0-9]*" (dtpb format $maj.$min)") ok "--version: $ver" ;;
    *) notok "--version says '$ver', wanted 'dtpass X.Y.Z (dtpb format $maj.$min)'" ;;
esac

# --- the man page -----------------------------------------------------------
man=$dest$prefix/share/man/man1/dtpass.1
if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man --warnings -l "$man" >"$tmp/man.txt" 2>"$tmp/man.err"
    rc=$?
    [ $rc -eq 0 ] && [ ! -s "$tmp/man.err" ] && grep -q '^NAME' "$tmp/man.txt" &&
        ok "man --warnings -l renders the page without a warning" ||
        { notok "man -l: exit $rc"; sed 's/^/#   /' "$tmp/man.err" | head -n 20; }
else
    notok "man is needed (man-db; tools/setup installs it)"
    : >"$tmp/man.txt"
fi
# The rendered text with hyphenation and line breaks undone, one word a line.
tr -s ' \n' '\n\n' <"$tmp/man.txt" | sed 's/‐/-/g; s/[,.;:()]*$//; s/^[(\[]*//' >"$tmp/man.words"
"$bin" --help >"$tmp/help"
opts=$(grep -oE -- '(^|[[ |])-(-[a-z][a-z-]*|[a-zA-Z][a-z-]*)' "$tmp/help" | sed 's/^[[ |]//' | sort -u)
missing=""
for o in $opts; do
    case $o in -W*) o=${o%%[<\[]*} ;; esac
    grep -q -- "$o" "$tmp/man.txt" || missing="$missing $o"
done
[ -n "$opts" ] && [ -z "$missing" ] && ok "every option of --help is in the man page ($(echo $opts | wc -w))" ||
    notok "options of dtpass --help missing from docs/dtpass.1:$missing"
cmds=$(sed -n 's/^\(usage:\)\{0,1\} *dtpass \([a-z][a-z]*\) .*/\2/p' "$tmp/help" | sort -u)
missing=""
for c in $cmds; do grep -q "^ *dtpass $c" "$tmp/man.txt" && grep -qE "^       $c( |\$)" "$tmp/man.txt" || missing="$missing $c"; done
[ -n "$cmds" ] && [ -z "$missing" ] && ok "every command of --help has its entry in the man page ($(echo $cmds))" ||
    notok "commands missing from docs/dtpass.1:$missing"
missing=""
for id in $("$bin" --list-checks); do grep -qx -- "$id" "$tmp/man.words" || missing="$missing $id"; done
[ -z "$missing" ] && ok "every check id of --list-checks is in the man page" ||
    notok "check ids missing from docs/dtpass.1:$missing"
missing=""
for t in $("$bin" --list-targets); do grep -qx -- "$t" "$tmp/man.words" || missing="$missing $t"; done
[ -z "$missing" ] && ok "every target of --list-targets is in the man page" ||
    notok "targets missing from docs/dtpass.1:$missing"
# The targets --help lists are the binary's own.
[ "$(sed -n 's/^targets: \([^ ]*\) .*/\1/p' "$tmp/help")" = "$("$bin" --list-targets | paste -sd, -)" ] &&
    ok "--list-targets matches --help" || notok "--list-targets and --help disagree"

# --- bash completion ----------------------------------------------------------
if command -v bash >/dev/null 2>&1; then
    comp=$dest$prefix/share/bash-completion/completions/dtpass
    PATH=$dest$prefix/bin:$PATH bash -c '
        . "$1"
        c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _dtpass
              printf "%s\n" "${COMPREPLY[@]}" | sort; }
        echo "== cmds"; c dtpass ""
        echo "== -Wno-"; c dtpass build s.yaml -Wno-
        echo "== -W"; c dtpass check s.yaml -W
        echo "== -Werror="; c dtpass check s.yaml -Werror = ""
        echo "== target"; c dtpass build s.yaml --target ""
        echo "== target2"; c dtpass build s.yaml --target dts,s
        echo "== --"; c dtpass build s.yaml --
        echo "== format"; c dtpass build s.yaml --format ""' sh "$comp" >"$tmp/comp" 2>"$tmp/comp.err"
    section() { sed -n "/^== $1\$/,/^== /p" "$tmp/comp" | sed '1d;/^== /d'; }
    [ "$(section cmds | paste -sd' ' -)" = "$(echo $cmds)" ] && ok "completion: the commands ($(echo $cmds))" ||
        { notok "completion: commands"; section cmds | sed 's/^/#   /'; }
    ids=$("$bin" --list-checks | LC_ALL=C sort)
    [ "$(section -Wno- | sed 's/^-Wno-//' | LC_ALL=C sort)" = "$ids" ] &&
        ok "completion: -Wno- offers every check id ($(echo "$ids" | wc -l))" ||
        { notok "completion: -Wno-"; section -Wno- | head -n 5 | sed 's/^/#   /'; }
    section -W | grep -qx -- -Wdma-no-iommu && section -W | grep -qx -- -Werror=mem-overlap &&
        section -W | grep -qx -- -Werror && ok "completion: -W offers -W<id>, -Werror, -Werror=<id>" ||
        notok "completion: -W"
    [ "$(section -Werror= | LC_ALL=C sort)" = "$ids" ] && ok "completion: -Werror= offers the check ids" ||
        notok "completion: -Werror="
    [ "$(section target | LC_ALL=C sort)" = "$("$bin" --list-targets | LC_ALL=C sort)" ] &&
        ok "completion: --target offers every target" || { notok "completion: --target"; section target; }
    [ "$(section target2 | paste -sd' ' -)" = "dts,s2 dts,smmu" ] && ok "completion: --target completes after a comma" ||
        { notok "completion: --target a,b"; section target2; }
    missing=""
    for o in $opts; do case $o in -W*) ;; *) section -- -- | grep -qx -- "$o" || case $o in --*) missing="$missing $o" ;; esac ;; esac; done
    [ -z "$missing" ] && ok "completion: -- offers every long option of --help" || notok "completion: missing$missing"
    [ "$(section format | paste -sd' ' -)" = "json sarif text" ] && ok "completion: --format values" ||
        notok "completion: --format"
    [ ! -s "$tmp/comp.err" ] || { notok "completion printed errors"; sed 's/^/#   /' "$tmp/comp.err"; }
else
    notok "bash is needed"
fi

# --- uninstall ------------------------------------------------------------------
mkdir -p "$dest$prefix/share/doc/other" && : >"$dest$prefix/share/doc/other/keep"
if make -s uninstall BUILD="$BUILD" DESTDIR="$dest" PREFIX="$prefix" >"$tmp/un.log" 2>&1; then
    left=$(cd "$dest" && find . ! -type d | sed 's|^\.||')
    [ "$left" = "$prefix/share/doc/other/keep" ] && ok "make uninstall removes exactly the installed files" ||
        { notok "after uninstall:"; echo "$left" | sed 's/^/#   /'; }
    [ ! -e "$dest$prefix/share/dtpass" ] && [ ! -e "$dest$prefix/include/dtpass" ] &&
        ok "  ... and the dtpass-only directories" || notok "dtpass directories left behind"
else
    notok "make uninstall"; sed 's/^/#   /' "$tmp/un.log"
fi
exit $((fails > 0))
