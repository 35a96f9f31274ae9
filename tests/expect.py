#!/usr/bin/python3
# tests/expect.py — the one parser of the `expect:` headers of the invalid-
# input corpora (tests/invalid/README.md): suite-invalid.sh and
# suite-checks.sh both read a file's expectations through it.
#
# The header is the file's leading comment lines (`#` in YAML, `//` in the
# DSL). Recognised, anywhere in it:
#   expect: <check-id> <line>:<col> [error|warning][, <check-id> <line>:<col> ...]
#   expect: clean                      no finding at all
#   expect-exit: N                     the exit status, when it is not the default
#   command: build                     run `dtpass build` instead of `check`
# Lines and columns are 1-based and count the header lines too.
#
# As a program: `expect.py FILE` prints one line per expected finding,
# `<check-id> <line>:<col> [severity]`, then `exit N` when expect-exit is
# given, `clean` for a clean file and `command C` when given; exit 1 with a
# message when the header is malformed or has no `expect:`.
import re
import sys

ITEM = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*) (\d+):(\d+)(?: (error|warning))?$")


class Expect:
    def __init__(self):
        self.want = []  # (check-id, line, col, severity or None)
        self.clean = False
        self.exit = None
        self.command = None


def parse(path):
    e, seen = Expect(), False
    for line in open(path, encoding="utf-8"):
        m = re.match(r"\s*(#|//)\s?(.*?)\s*$", line)
        if not m:
            break
        text = m.group(2)
        if text.startswith("expect-exit:"):
            e.exit = int(text[len("expect-exit:"):].strip())
        elif text.startswith("command:"):
            e.command = text[len("command:"):].strip()
        elif text.startswith("expect:"):
            seen = True
            spec = text[len("expect:"):].strip()
            if spec == "clean":
                e.clean = True
                continue
            for item in spec.split(","):
                im = ITEM.match(item.strip())
                if not im:
                    raise ValueError("%s: bad expect item '%s'" % (path, item.strip()))
                e.want.append((im.group(1), int(im.group(2)), int(im.group(3)), im.group(4)))
    if not seen:
        raise ValueError("%s: no 'expect:' line" % path)
    return e


if __name__ == "__main__":
    try:
        e = parse(sys.argv[1])
    except ValueError as err:
        sys.exit(str(err))
    for cid, line, col, sev in e.want:
        print("%s %d:%d%s" % (cid, line, col, " " + sev if sev else ""))
    if e.exit is not None:
        print("exit %d" % e.exit)
    if e.clean:
        print("clean")
    if e.command:
        print("command %s" % e.command)
