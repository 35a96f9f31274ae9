#!/bin/sh
# tests/suite-guest-dt.sh — SPEC §5 guest device trees through the real dtc:
# for every example (and the boot-test systems on the cached QEMU boards)
# and every guest,
#   * `dtc -I dtb -O dtb` of <guest>.dtb prints no warning (dtc's checks:
#     phandle references, cell counts, unit addresses, reg/ranges formats);
#   * `dtc -I dts -O dtb` of <guest>.dts prints no warning and gives the same
#     tree as the DTB: both go through dtc and must be byte-identical (libfdt's
#     sequential writer lays out the header and string table differently from
#     dtc, so the raw files are compared after that one normalisation);
#   * a second build gives byte-identical files (determinism).
# fdt_check_full and the structural checks are in tests/unit/test_guest_dt.c.
. "$(dirname "$0")/lib.sh"
CACHE=${DTPASS_CACHE:-$(sh tools/fetch-boards)}
command -v dtc >/dev/null || { notok "dtc is needed"; exit 1; }

# A guest keeps what the board says (docs/guest-dt.md): a copied interrupt
# controller without #address-cells, a bus kept as on the board with a
# non-empty `ranges` and no unit address. dtc then draws the board's own
# warning on the guest: accepted when the board draws the same check on the
# same node path (a kept bus is at its board path), or, for
# interrupt_provider, anywhere on the board (a relocated device changes its
# path). Every other warning fails.
board_of() { # system-file [--board FILE] -> the board file
    if [ "${2:-}" = --board ]; then echo "$3"; return; fi
    b=$(sed -n 's/^board: *//p' "$1")
    echo "$(dirname "$1")/$b"
}
norm() { sed -n 's/.*Warning (\([^)]*\)): \(.*\)$/\1 \2/p'; } # check path: message
filter_warnings() { # warnings-file: drops the lines the board draws too
    norm <"$1" >"$1.n"
    : >"$1.f"
    while IFS= read -r w; do
        grep -qxF -e "$w" "$tmp/board.w" && continue
        case $w in "interrupt_provider "*": Missing #address-cells in interrupt provider") [ "$board_irq_provider" = yes ] && continue ;; esac
        echo "$w" >>"$1.f"
    done <"$1.n"
    mv "$1.f" "$1"
}

check_system() { # name system-file [dtpass options...]
    name=$1 sys=$2; shift 2
    board=$(board_of "$sys" "$@")
    case $board in *.dtb) fmt=dtb ;; *) fmt=dts ;; esac
    dtc -I $fmt -O dtb -o /dev/null "$board" 2>&1 | norm >"$tmp/board.w"
    if grep -q "^interrupt_provider .*: Missing #address-cells in interrupt provider$" "$tmp/board.w"; then
        board_irq_provider=yes
    else
        board_irq_provider=no
    fi
    if ! "$DTPASS" build "$sys" -q --target dts,dtb -o "$tmp/$name" "$@" 2>"$tmp/$name.err"; then
        notok "$name: build failed"; sed 's/^/#   /' "$tmp/$name.err"; return
    fi
    "$DTPASS" build "$sys" -q --target dts,dtb -o "$tmp/$name-again" "$@" 2>/dev/null
    if diff -r "$tmp/$name" "$tmp/$name-again" >/dev/null; then
        ok "$name: a second build gives byte-identical DTS and DTB files"
    else
        notok "$name: two builds differ"
    fi
    for dtb in "$tmp/$name"/*.dtb; do
        g=$(basename "$dtb" .dtb)
        dts=$tmp/$name/$g.dts
        dtc -I dtb -O dtb -o "$tmp/from-dtb" "$dtb" 2>"$tmp/w1"
        dtc -I dts -O dtb -o "$tmp/from-dts" "$dts" 2>"$tmp/w2"
        filter_warnings "$tmp/w1"
        filter_warnings "$tmp/w2"
        if [ -s "$tmp/w1" ]; then
            notok "$name/$g.dtb: dtc warns"; sed 's/^/#   /' "$tmp/w1"
        else
            ok "$name/$g.dtb: dtc -I dtb -O dtb without warnings"
        fi
        if [ -s "$tmp/w2" ]; then
            notok "$name/$g.dts: dtc warns"; sed 's/^/#   /' "$tmp/w2"
        else
            ok "$name/$g.dts: dtc -I dts -O dtb without warnings"
        fi
        if cmp -s "$tmp/from-dtb" "$tmp/from-dts"; then
            ok "$name/$g: the DTS and the DTB hold the same tree"
        else
            notok "$name/$g: the DTS and the DTB differ"
            dtc -I dtb -O dts "$tmp/from-dtb" >"$tmp/a.dts" 2>/dev/null
            dtc -I dtb -O dts "$tmp/from-dts" >"$tmp/b.dts" 2>/dev/null
            diff -u "$tmp/a.dts" "$tmp/b.dts" | head -n 30 | sed 's/^/#   /'
        fi
    done
}

# Every golden case (tests/golden.sh): each example through its link, and
# the test-only rewrites/ system.
for sys in tests/golden/*/input/system.yaml; do
    check_system "$(basename "$(dirname "$(dirname "$sys")")")" "$sys"
done
check_system boot-gicv2 tests/boot/gicv2.yaml --board "$CACHE/qemu/virt-gicv2.dtb"
check_system boot-gicv3 examples/qemu-virt/system.yaml --board "$CACHE/qemu/virt-gicv3-smmuv3.dtb"
[ $fails -eq 0 ]
