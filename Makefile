# dtpass — build, test, install.
#   make                 build ./dtpass (objects in build/)
#   make check           unit tests + integration suites (tests/run)
#   make SANITIZE=1 check   the same under ASan+UBSan (objects in build-san/)
#   make example         dtpass on the bundled example (README)
#   make golden          regenerate every golden file (review the diff!)
#   make bench           benchmark (docs/performance.md)
#   make fuzz            run every libFuzzer target for FUZZ_SECONDS each
#   make install PREFIX=/usr/local DESTDIR=   (make uninstall: the same files)

PREFIX ?= /usr/local
CC ?= cc
PKG_CONFIG ?= pkg-config
BISON ?= bison
FLEX ?= flex

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT ?= -O1 -g
else
BUILD ?= build
SANFLAGS =
OPT ?= -O2 -g
endif

PKGS = libfdt yaml-0.1
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lfdt -lyaml)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# `make V=1` shows the full command lines.
ifeq ($(V),1)
Q =
else
Q = @
endif

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -Isrc -Iinclude -I$(BUILD)/gen $(CPPFLAGS) \
             $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

# Every .c under src/ is part of the library except main.c; new files need no
# Makefile change.
SRCS := $(sort $(shell find src -name '*.c' ! -path src/main.c))
GEN_SRCS := $(BUILD)/gen/dtpass.tab.c $(BUILD)/gen/dtpass.lex.c $(BUILD)/gen/device_classes_data.c
OBJS := $(SRCS:%.c=$(BUILD)/%.o) $(GEN_SRCS:%.c=%.o)

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

all: dtpass

dtpass: $(BUILD)/dtpass
	@if [ "$(BUILD)" = build ]; then ln -sf $(BUILD)/dtpass dtpass; fi

# Objects are linked directly: no archive step, and a test binary sees the
# same objects as dtpass.
$(BUILD)/dtpass: $(BUILD)/src/main.o $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: %.c | $(BUILD)/gen/dtpass.tab.h $(BUILD)/gen/dtpass.lex.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# Generated code is built without -Werror noise from the generators.
$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Wno-unused-function -Wno-missing-prototypes -Wno-sign-compare -Wno-unused-parameter -MMD -MP -c -o $@ $<

$(BUILD)/gen/dtpass.tab.c $(BUILD)/gen/dtpass.tab.h &: grammar/dtpass.y
	@mkdir -p $(BUILD)/gen
	$(BISON) -Wall -Werror --defines=$(BUILD)/gen/dtpass.tab.h -o $(BUILD)/gen/dtpass.tab.c $<

$(BUILD)/gen/dtpass.lex.c $(BUILD)/gen/dtpass.lex.h &: grammar/dtpass.l $(BUILD)/gen/dtpass.tab.h
	@mkdir -p $(BUILD)/gen
	$(FLEX) --header-file=$(BUILD)/gen/dtpass.lex.h -o $(BUILD)/gen/dtpass.lex.c $<

# The built-in device-class data (schemas/device-classes.yaml) is compiled in,
# so the binary works from any directory.
$(BUILD)/gen/device_classes_data.c: schemas/device-classes.yaml tools/embed
	@mkdir -p $(BUILD)/gen
	sh tools/embed device_classes_yaml $< > $@

$(BUILD)/tests/%: tests/unit/%.c $(OBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST-LD $@"
	$(Q)$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -o $@ $< $(OBJS) $(PKG_LIBS) $(CMOCKA_LIBS) $(LDFLAGS_ALL)

unit: $(UNIT_BINS)

check: dtpass unit
	BUILD=$(BUILD) DTPASS=$(CURDIR)/$(BUILD)/dtpass sh tests/run

example: dtpass
	sh tools/example $(BUILD)/dtpass

# Every golden tree, each case built from its input/ (tests/golden.sh).
golden: dtpass
	DTPASS=$(CURDIR)/$(BUILD)/dtpass sh tests/golden/regen
	DTPASS=$(CURDIR)/$(BUILD)/dtpass sh tests/golden-hv/regen
	DTPASS=$(CURDIR)/$(BUILD)/dtpass sh tests/golden-jailhouse/regen

bench: dtpass
	DTPASS=$(CURDIR)/$(BUILD)/dtpass python3 tools/bench

fuzz:
	$(MAKE) -f tests/fuzz/Makefile run

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, its man page and
# bash completion, the blob header and reader sources, the schemas.
# make uninstall removes exactly those files (and the dtpass-only
# directories, when empty). tests/suite-install.sh checks both.
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
INSTALL ?= install
INSTALL_HEADERS := $(notdir $(wildcard include/dtpass/*.h))
INSTALL_READER := $(notdir $(wildcard src/dtpb/*.c))
INSTALL_SCHEMAS := $(notdir $(wildcard schemas/*))

install: dtpass
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(INCLUDEDIR)/dtpass $(DESTDIR)$(DATADIR)/dtpass/dtpb
	$(INSTALL) -m 755 $(BUILD)/dtpass $(DESTDIR)$(BINDIR)/dtpass
	$(INSTALL) -m 644 docs/dtpass.1 $(DESTDIR)$(MANDIR)/man1/dtpass.1
	$(INSTALL) -m 644 completion/dtpass.bash $(DESTDIR)$(BASHCOMPDIR)/dtpass
	$(INSTALL) -m 644 $(addprefix include/dtpass/,$(INSTALL_HEADERS)) $(DESTDIR)$(INCLUDEDIR)/dtpass/
	$(INSTALL) -m 644 $(addprefix src/dtpb/,$(INSTALL_READER)) $(DESTDIR)$(DATADIR)/dtpass/dtpb/
	$(INSTALL) -m 644 $(addprefix schemas/,$(INSTALL_SCHEMAS)) $(DESTDIR)$(DATADIR)/dtpass/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/dtpass $(DESTDIR)$(MANDIR)/man1/dtpass.1 $(DESTDIR)$(BASHCOMPDIR)/dtpass \
	    $(addprefix $(DESTDIR)$(INCLUDEDIR)/dtpass/,$(INSTALL_HEADERS)) \
	    $(addprefix $(DESTDIR)$(DATADIR)/dtpass/dtpb/,$(INSTALL_READER)) \
	    $(addprefix $(DESTDIR)$(DATADIR)/dtpass/,$(INSTALL_SCHEMAS))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/dtpass $(DESTDIR)$(DATADIR)/dtpass/dtpb $(DESTDIR)$(DATADIR)/dtpass 2>/dev/null

clean:
	rm -rf build build-san dtpass

.PHONY: all dtpass unit check example golden bench fuzz install uninstall clean

-include $(OBJS:.o=.d) $(BUILD)/src/main.d
