# eddy — one GNU Makefile, pkg-config for dependencies.
#
# Each folder src/<layer>/ becomes build/lib/libeddy_<layer>.a; programs link the
# archives top layer first, so a lower layer that calls up does not link (the
# linker checks that arrows point down).  tests/<layer>/*.c become one test
# binary per layer, build/tests/<layer>.  The installed library is the same
# objects again as build/libeddy.a and build/libeddy.so.
#
# One build folder per configuration: build/ (default), build-ucontext/
# (`make CORO=ucontext`), build-asan/ (`make asan`), build-fuzz/ (`make fuzz`).
# Each folder records its compiler and flags in <folder>/config, and a change
# there rebuilds everything in it, so a folder never mixes two configurations.

PREFIX    ?= /usr/local
VERSION   := 0.1.0
# The soname's number: bump it when a release breaks the ABI.
SOVERSION := 0
CC        ?= cc
OPT       ?= -O2
CFLAGS    ?= $(OPT) -g
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WARN      += -Werror
endif

# The context-switch backend of loop/ is one file picked here, not an #ifdef
# forest: src/loop/ctx_<arch>.S when it exists, else the ucontext fallback.
# `make CORO=ucontext` forces the fallback, in its own build folder.
ARCH      := $(shell uname -m)
CORO_DEFAULT := $(if $(wildcard src/loop/ctx_$(ARCH).S),$(ARCH),ucontext)
CORO      ?= $(CORO_DEFAULT)
BUILD     ?= $(if $(filter $(CORO_DEFAULT),$(CORO)),build,build-$(CORO))
CTX_SRC   := $(wildcard src/loop/ctx_$(CORO).S src/loop/ctx_$(CORO).c)

# Top layer first: the link order that makes arrows point down.  A name
# without a src/<name>/ folder yet is skipped.
LAYERS_TOP_DOWN := app feedfetch store web template server client feed http net loop base
LAYERS    := $(foreach l,$(LAYERS_TOP_DOWN),$(if $(wildcard src/$(l)/*.c src/$(l)/*.S),$(l)))

# What each layer may use (itself included).  A layer's test binary links only
# these, so one layer's work in progress never breaks another layer's tests.
USES_base     := base
USES_loop     := loop base
USES_net      := net loop base
USES_http     := http base
USES_feed     := feed base
USES_template := template base
USES_client   := client loop base
USES_server   := server http net loop base
USES_web      := web template server http net loop base
USES_app      := $(LAYERS_TOP_DOWN)
uses       = $(filter $(or $(USES_$(1)),$(LAYERS_TOP_DOWN)),$(LAYERS))
uses_libs  = $(foreach l,$(call uses,$(1)),$(BUILD)/lib/libeddy_$(l).a)

# The pkg-config packages each layer's code calls; a binary links those of the
# layers it links, so a layer that forgets one here fails its own test link.
PKGS_feed   := libxml-2.0 jansson
PKGS_client := libcurl
PKGS_web    := jansson
# web/ sends static files gzipped (zlib), compressed once.
PKGS_web    += zlib
PKGS_template := jansson
PKGS_cli    := jansson
# store/ is the one layer on SQLite (FTS5 is compiled into Debian's libsqlite3).
PKGS_store  := sqlite3
# app/ reads OPML with libxml2.
PKGS_app    := libxml-2.0
PKGS_app    += jansson
# app/'s login: yescrypt from libcrypt (libxcrypt), SHA-256 of session ids from libcrypto.
PKGS_app    += libcrypt libcrypto
PKGS      := $(sort $(foreach l,$(LAYERS) cli,$(PKGS_$(l))))
# The packages whose types the public headers use (web.h and template.h
# include <jansson.h>): a user's program needs their -I and -l too, so eddy.pc
# lists them in Requires; the rest only libeddy itself calls (Requires.private).
PKGS_PUBLIC  := $(filter jansson,$(PKGS))
PKGS_PRIVATE := $(filter-out $(PKGS_PUBLIC),$(PKGS))
pkg_libs   = $(if $(1),$(shell pkg-config --libs $(sort $(1))))
layers_ldlibs = $(call pkg_libs,$(foreach l,$(1),$(PKGS_$(l)))) -lpthread -lm

ALL_CPPFLAGS := -std=c11 -D_GNU_SOURCE -DEDDY_VERSION='"$(VERSION)"' -Iinclude -MMD -MP $(if $(PKGS),$(shell pkg-config --cflags $(PKGS))) $(CPPFLAGS)
ALL_LDLIBS   := $(call pkg_libs,$(PKGS)) -lpthread -lm $(LDLIBS)
ALL_LDFLAGS  := -Wl,--as-needed $(LDFLAGS)
# The library's objects serve the archives and the shared library alike.
# -fPIC costs nothing measurable here (x86_64: bench/template_bench,
# html_bench and parse-files run within 0.2% of a non-PIC build's instruction
# count under valgrind), so there is one set of objects, not two.  -fvisibility=hidden: only what the public headers declare
# is exported (they wrap their declarations in `visibility push(default)`), so
# eddy__* cross-file helpers stay private to the library;
# -fno-semantic-interposition lets calls between public functions inline as in
# a static build.
LIB_CFLAGS := -fPIC -fvisibility=hidden -fno-semantic-interposition

# The configuration of this build folder; any change rebuilds the folder.
CONFIG := CC=$(CC)|CFLAGS=$(CFLAGS)|CPPFLAGS=$(CPPFLAGS)|LDFLAGS=$(LDFLAGS)|CORO=$(CORO)|WARN=$(WARN)
ifeq ($(filter clean format format-check deps,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD) && printf '%s\n' '$(CONFIG)' | tr '|' '\n' | cmp -s - $(BUILD)/config \
	|| printf '%s\n' '$(CONFIG)' | tr '|' '\n' >$(BUILD)/config)
endif

layer_srcs = $(filter-out src/loop/ctx_%,$(wildcard src/$(1)/*.c src/$(1)/*.S)) $(if $(filter loop,$(1)),$(CTX_SRC))
obj        = $(patsubst %,$(BUILD)/obj/%.o,$(basename $(1)))
LIBS      := $(foreach l,$(LAYERS),$(BUILD)/lib/libeddy_$(l).a)
LIB_OBJS  := $(foreach l,$(LAYERS),$(call obj,$(call layer_srcs,$(l))))
SONAME    := libeddy.so.$(SOVERSION)
SHLIB     := $(BUILD)/libeddy.so.$(VERSION)

CLI_SRCS  := $(wildcard src/cli/*.c)
EXAMPLES  := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
BENCHES   := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
TEST_LAYERS := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/*/*.c))))
TEST_BINS := $(foreach l,$(sort $(TEST_LAYERS)),$(BUILD)/tests/$(l))

# Fuzz targets: fuzz/<name>.c tests one layer, through the public headers or
# that layer's internal ones, and links only what that layer may use (the
# check the tests get).  A new target gets its line here.
FUZZ_LAYER_buf      := base
FUZZ_LAYER_date     := feed
FUZZ_LAYER_encoding := feed
FUZZ_LAYER_feed     := feed
FUZZ_LAYER_html     := feed
FUZZ_LAYER_uri      := feed
FUZZ_LAYER_http     := http
FUZZ_LAYER_server_conn := server
FUZZ_LAYER_form     := web
FUZZ_LAYER_template := $(if $(filter template,$(LAYERS)),template,web)
FUZZ_LAYER_opml     := app
FUZZ_LAYER_discover := app
FUZZ_LAYER_reader   := net
FUZZ_LAYER_client_guard := client
FUZZ_LAYER_web_static := web
FUZZ_LAYER_xfast    := feed
FUZZ_LAYER_sse      := app
FUZZ_LAYER_header   := http
FUZZ_LAYER_api_body := app
fuzz_layer = $(or $(FUZZ_LAYER_$(1)),$(error fuzz/$(1).c: add FUZZ_LAYER_$(1) := <layer> to the Makefile))
FUZZERS   := $(patsubst fuzz/%.c,%,$(filter-out fuzz/replay_main.c,$(wildcard fuzz/*.c)))
FUZZ_REPLAY := $(patsubst %,$(BUILD)/fuzz-replay/%,$(FUZZERS))

.PHONY: all deps test asan run bench install clean fuzz fuzz-targets fuzz-run fuzz-merge format format-check
all: $(LIBS) $(BUILD)/libeddy.a $(BUILD)/libeddy.so $(BUILD)/eddy $(EXAMPLES) $(BENCHES) $(TEST_BINS) $(FUZZ_REPLAY)

deps:
	@scripts/deps

# Archives, one per layer.
define layer_rule
$(BUILD)/lib/libeddy_$(1).a: $(call obj,$(call layer_srcs,$(1)))
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR) rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

# One archive and one shared library with everything, for `make install`.
# The version script (libeddy.map) exports eddy_* and nothing else.
$(BUILD)/libeddy.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^
$(SHLIB): $(LIB_OBJS) libeddy.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=libeddy.map -Wl,-z,defs \
		$(CFLAGS) $(ALL_LDFLAGS) $(LIB_OBJS) $(ALL_LDLIBS) -o $@
$(BUILD)/libeddy.so: $(SHLIB)
	ln -sf $(notdir $(SHLIB)) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

$(BUILD)/obj/src/%.o: XCFLAGS := $(LIB_CFLAGS)
# LLVMFuzzerTestOneInput's prototype, for -Wmissing-prototypes.
$(BUILD)/obj/fuzz/%.o: XCFLAGS := -include fuzz/fuzz.h
$(BUILD)/obj/%.o: %.c $(BUILD)/config
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(CFLAGS) $(XCFLAGS) $(WARN) -c $< -o $@
$(BUILD)/obj/%.o: %.S $(BUILD)/config
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(CFLAGS) $(XCFLAGS) -c $< -o $@

$(BUILD)/eddy: $(call obj,$(CLI_SRCS)) $(LIBS)
	$(CC) $(CFLAGS) $(ALL_LDFLAGS) $^ $(ALL_LDLIBS) -o $@
$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALL_LDFLAGS) $^ $(ALL_LDLIBS) -o $@
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALL_LDFLAGS) $^ $(ALL_LDLIBS) -o $@
.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/tests/%: $$(call obj,$$(wildcard tests/%/*.c)) $(BUILD)/obj/tests/test_main.o $$(call uses_libs,$$*)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALL_LDFLAGS) $^ $(call layers_ldlibs,$(call uses,$*)) $(LDLIBS) -o $@
# A fuzz target without libFuzzer: replays fuzz/corpus/<name> and fuzz/regression/<name>.
$(BUILD)/fuzz-replay/%: $(BUILD)/obj/fuzz/%.o $(BUILD)/obj/fuzz/replay_main.o $$(call uses_libs,$$(call fuzz_layer,$$*))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALL_LDFLAGS) $^ $(call layers_ldlibs,$(call uses,$(call fuzz_layer,$*))) $(LDLIBS) -o $@

# `make test`: install what is missing, build, run everything, last line "N passed, M failed".
test: deps
	@$(MAKE) --no-print-directory all
	@tests/run --build $(BUILD)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
ASAN_BUILD := $(subst build,build-asan,$(BUILD))
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan: deps
	@$(MAKE) --no-print-directory all BUILD=$(ASAN_BUILD) CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined"
	@tests/run --build $(ASAN_BUILD)

# `make run`: `eddy serve` on 127.0.0.1:8080 with the demo feeds, its data in
# RUN_DATA (kept across runs; `make run RUN_DATA=~/.local/share/eddy` for the
# default folder).  Ctrl-C stops it.
RUN_DATA  ?= $(BUILD)/data
RUN_CMD   ?= $(BUILD)/eddy serve --data $(RUN_DATA)
run: deps
	@$(MAKE) --no-print-directory all
	@echo "eddy: open http://$${EDDY_LISTEN:-127.0.0.1:8080}/ (data folder $(RUN_DATA)); add real feeds with"
	@echo "      $(BUILD)/eddy add --data $(RUN_DATA) URL   or   $(BUILD)/eddy import --data $(RUN_DATA) FILE.opml"
	$(RUN_CMD)

bench: all
	@bench/run --build $(BUILD)

# Headers, both libraries, eddy.pc and the command line tool.
LIBDIR    := $(DESTDIR)$(PREFIX)/lib
# The demo feeds `eddy serve` looks for in PREFIX/share/eddy/demo.
DEMO_FILES = $(wildcard demo/*.xml demo/*.rss demo/*.atom demo/*.rdf demo/*.json demo/*.html demo/*.wav)
install: $(BUILD)/eddy $(BUILD)/libeddy.a $(BUILD)/libeddy.so
	install -d $(DESTDIR)$(PREFIX)/bin $(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include/eddy
	install -m 755 $(BUILD)/eddy $(DESTDIR)$(PREFIX)/bin/eddy
	install -m 644 $(BUILD)/libeddy.a $(LIBDIR)/libeddy.a
	install -m 755 $(SHLIB) $(LIBDIR)/$(notdir $(SHLIB))
	ln -sf $(notdir $(SHLIB)) $(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(LIBDIR)/libeddy.so
	install -m 644 include/eddy/*.h $(DESTDIR)$(PREFIX)/include/eddy/
	install -d $(DESTDIR)$(PREFIX)/share/eddy/demo
	$(if $(DEMO_FILES),install -m 644 $(DEMO_FILES) $(DESTDIR)$(PREFIX)/share/eddy/demo/)
	install -d $(DESTDIR)$(PREFIX)/share/eddy/templates $(DESTDIR)$(PREFIX)/share/eddy/static
	install -m 644 templates/*.html $(DESTDIR)$(PREFIX)/share/eddy/templates/
	install -m 644 static/*.css static/*.js static/*.svg $(DESTDIR)$(PREFIX)/share/eddy/static/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES@|$(PKGS_PUBLIC)|' -e 's|@REQUIRES_PRIVATE@|$(PKGS_PRIVATE)|' \
		eddy.pc.in >$(LIBDIR)/pkgconfig/eddy.pc

# libFuzzer targets (clang) into build-fuzz/fuzz/<name>: the layers are built
# once into build-fuzz/lib/ with the fuzzing flags, each target links its own.
# `make test` replays fuzz/corpus/ and fuzz/regression/ with the gcc build.
FUZZ_BUILD  := build-fuzz
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-targets BUILD=$(FUZZ_BUILD) CC=clang CORO=$(CORO) \
		CFLAGS="$(FUZZ_CFLAGS)" LDFLAGS="-fsanitize=fuzzer,address,undefined"
fuzz-targets: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZERS))
$(BUILD)/fuzz/%: $(BUILD)/obj/fuzz/%.o $$(call uses_libs,$$(call fuzz_layer,$$*))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ALL_LDFLAGS) $^ $(call layers_ldlibs,$(call uses,$(call fuzz_layer,$*))) $(LDLIBS) -o $@

# `make fuzz-run SECONDS=60`: every target for SECONDS each, new inputs into a
# scratch corpus (build-fuzz/corpus/<name>), crashes into build-fuzz/crashes/;
# fuzz/corpus/ is only read.  `make fuzz-merge` then adds to fuzz/corpus/ the
# scratch inputs that bring new coverage (review and commit them by hand).
SECONDS   ?= 60
fuzz-run: fuzz
	@scripts/fuzz run $(FUZZ_BUILD) $(SECONDS) $(FUZZERS)
fuzz-merge: fuzz
	@scripts/fuzz merge $(FUZZ_BUILD) 0 $(FUZZERS)

# clang-format (.clang-format) over every C file but the generated tables;
# format-check lists the files it would change (tests/style/ runs it).
FORMAT_GENERATED := tests/feed/html_cases.h src/feed/html_entities.h src/feed/entities4.h
FORMAT_FILES = $(filter-out $(FORMAT_GENERATED),$(shell git ls-files --cached --others --exclude-standard \
	-- 'src/*.[ch]' 'include/*.h' 'tests/*.[ch]' 'examples/*.[ch]' 'bench/*.[ch]' 'fuzz/*.[ch]'))
format: deps
	clang-format -i $(FORMAT_FILES)
format-check:
	@scripts/format-check $(FORMAT_FILES)

clean:
	rm -rf build build-*

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
