# corpintel: one Makefile for the library, the six tools, tests and man pages.
# The user's CC, CFLAGS, CPPFLAGS and LDFLAGS are honoured; our own flags are
# added beside them, never in their place.

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/corpintel
MANDIR  ?= $(PREFIX)/share/man
BUILD   ?= build

CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = libcurl libxml-2.0 libcjson libpq yaml-0.1

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
ifdef WERROR
WARN    += -Werror
endif
ifdef SANITIZE
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

ALL_CFLAGS = -std=c11 -pthread $(WARN) $(SAN) $(PKG_CFLAGS) -Ilib \
	-D_POSIX_C_SOURCE=200809L \
	-DCORPINTEL_VERSION='"$(VERSION)"' -DCORPINTEL_DATADIR='"$(DATADIR)"' \
	$(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pthread $(SAN) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm

LIB_SRC   := $(sort $(wildcard lib/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC  := $(sort $(wildcard tools/*.c))
TOOLS     := $(TOOL_SRC:tools/%.c=$(BUILD)/bin/%)
UNIT_SRC  := $(sort $(wildcard tests/unit/check_*.c))
UNITS     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
HELPERS   := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/%)
MAN_PAGES := $(sort $(wildcard man/*.[157]))

.PHONY: all check check-unit demo install uninstall clean bench sanitize
.SUFFIXES:
.SECONDARY:

all: $(TOOLS)

$(BUILD)/lib/%.o $(BUILD)/tools/%.o $(BUILD)/tests/%.o: Makefile

$(BUILD)/%.o: %.c $(wildcard lib/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcorpintel.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/tools/%.o $(BUILD)/libcorpintel.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/check_%: $(BUILD)/tests/unit/check_%.o $(BUILD)/libcorpintel.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(wildcard lib/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/helpers/%.o $(BUILD)/libcorpintel.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The test runner finds the programs, schemas and data through these.
TEST_ENV = BUILD=$(abspath $(BUILD)) TOP=$(CURDIR) \
	CORPINTEL_SCHEMA_DIR=$(CURDIR)/schemas

check: $(TOOLS) $(UNITS) $(HELPERS)
	$(TEST_ENV) sh tests/run

check-unit: $(UNITS)
	$(TEST_ENV) sh tests/run unit

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer,
# built apart so the normal build stays as it is.
sanitize:
	$(MAKE) BUILD=build-san SANITIZE=1 check

# The demo installs missing packages first, so it works on a fresh machine;
# the tools are built by a second make that sees the installed libraries.
demo:
	sh scripts/install-deps
	$(MAKE) all
	$(TEST_ENV) DEMO_DATA='$(DEMO_DATA)' DEMO_YAHOO='$(DEMO_YAHOO)' \
	    DEMO_UNIVERSE='$(DEMO_UNIVERSE)' bash scripts/demo

bench: $(TOOLS) $(HELPERS)
	$(TEST_ENV) sh scripts/bench

install: $(TOOLS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/migrations \
		$(DESTDIR)$(DATADIR)/pipelines/universe $(DESTDIR)$(DATADIR)/pipelines/systemd \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)
	install -m 644 $(wildcard schemas/*.yaml schemas/*.json) $(DESTDIR)$(DATADIR)
	install -m 644 $(wildcard schemas/migrations/*.sql) $(DESTDIR)$(DATADIR)/migrations
	install -m 755 $(wildcard pipelines/*.sh) $(DESTDIR)$(DATADIR)/pipelines
	install -m 644 $(wildcard pipelines/universe/*.yaml) $(DESTDIR)$(DATADIR)/pipelines/universe
	install -m 644 $(wildcard pipelines/systemd/*) $(DESTDIR)$(DATADIR)/pipelines/systemd
	for page in $(MAN_PAGES); do \
		section=$${page##*.}; \
		install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$section || exit 1; \
	done

uninstall:
	rm -f $(TOOL_SRC:tools/%.c=$(DESTDIR)$(BINDIR)/%)
	rm -rf $(DESTDIR)$(DATADIR)
	for page in $(MAN_PAGES); do \
		section=$${page##*.}; \
		rm -f $(DESTDIR)$(MANDIR)/man$$section/$${page#man/}; \
	done

clean:
	rm -rf build build-san
