# tests/golden.sh — the layout every golden tree shares (tests/golden,
# tests/golden-hv, tests/golden-jailhouse; docs/contributing.md, "A golden
# case"), sourced from the top of the tree by the golden suites and the
# regen scripts. A case is a directory tests/<tree>/<case>/: its `input` is
# the directory of the system file it compiles — a symlink to
# examples/<case> for a case built from an example (examples stay where
# README.md points, never copied), or a directory of its own holding the
# test-only inputs (tests/golden/rewrites/input/) — and every other file in
# the case is a reviewed expected output.

# golden_cases TREE FILE: each case directory of TREE whose input has FILE
# (system.yaml, jailhouse.yaml), in name order.
golden_cases() {
    for c in "$1"/*; do
        if [ -f "$c/input/$2" ]; then echo "$c"; fi
    done
}

# golden_missing TREE FILE: each examples/*/FILE that no case of TREE
# compiles; a golden suite fails on these, the regen script makes their case.
golden_missing() {
    for f in examples/*/"$2"; do
        [ -f "$f" ] || continue
        found=
        for c in $(golden_cases "$1" "$2"); do
            [ "$c/input/$2" -ef "$f" ] && { found=1; break; }
        done
        [ -n "$found" ] || echo "$f"
    done
}

# golden_notok_missing TREE FILE: a `not ok` line (tests/lib.sh) for each
# example golden_missing names; the golden suites start with it.
golden_notok_missing() {
    for f in $(golden_missing "$1" "$2"); do
        notok "$f: no golden case in $1 (run make golden and review)"
    done
}

# golden_add_missing TREE FILE: a case for each example golden_missing
# names, its input a link to the example (for the regen scripts).
golden_add_missing() {
    for f in $(golden_missing "$1" "$2"); do
        ex=$(basename "$(dirname "$f")")
        mkdir -p "$1/$ex"
        ln -s "../../../examples/$ex" "$1/$ex/input"
        echo "$1/$ex: new case, input -> examples/$ex"
    done
}
