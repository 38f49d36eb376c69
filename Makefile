# eddy — one GNU Makefile, pkg-config for dependencies.
#
# Each folder src/<layer>/ becomes build/lib/libeddy_<layer>.a; programs link the
# archives top layer first, so a lower layer that calls up does not link (the
# linker checks that arrows point down).  tests/<layer>/*.c become one test
# binary per layer, build/tests/<layer>.  `make asan` builds the same tree into
# build-asan/ with ASan+UBSan and runs the whole test suite against it.

PREFIX    ?= /usr/local
BUILD     ?= build
CC        ?= cc
PKGS      := libcurl libxml-2.0 jansson sqlite3
OPT       ?= -O2
CFLAGS    ?= $(OPT) -g
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes
ifeq ($(CI),true)
WARN      += -Werror
endif
CPPFLAGS  += -std=c11 -D_GNU_SOURCE -Iinclude -MMD -MP $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
LDFLAGS   += -Wl,--as-needed
# store/ is the one layer on SQLite (FTS5 is compiled into Debian's libsqlite3).
CPPFLAGS  += $(shell pkg-config --cflags sqlite3 2>/dev/null)
LDLIBS    += $(shell pkg-config --libs sqlite3 2>/dev/null)

# Top layer first: the link order that makes arrows point down.
LAYERS_TOP_DOWN := app feedfetch store web template server client feed http net loop base
LAYERS    := $(foreach l,$(LAYERS_TOP_DOWN),$(if $(wildcard src/$(l)/*.c src/$(l)/*.S),$(l)))

# What each layer may use (itself included).  A layer's test binary links only
# these, so one layer's work in progress never breaks another layer's tests.
USES_base   := base
USES_loop   := loop base
USES_net    := net loop base
USES_http   := http base
USES_feed   := feed base
USES_client := client loop base
USES_server := server http net loop base
USES_template := template base
USES_feedfetch := feedfetch template client feed loop base
USES_web    := web template server http net loop base
USES_store  := store loop base
USES_app    := $(LAYERS_TOP_DOWN)
uses_libs  = $(foreach l,$(filter $(or $(USES_$(1)),$(LAYERS_TOP_DOWN)),$(LAYERS)),$(BUILD)/lib/libeddy_$(l).a)

# The context-switch backend of loop/ is one file picked here, not an #ifdef
# forest: src/loop/ctx_<arch>.S when it exists, else the ucontext fallback.
# `make CORO=ucontext` forces the fallback.
ARCH      := $(shell uname -m)
CORO      ?= $(if $(wildcard src/loop/ctx_$(ARCH).S),$(ARCH),ucontext)
CTX_SRC   := $(wildcard src/loop/ctx_$(CORO).S src/loop/ctx_$(CORO).c)

layer_srcs = $(filter-out src/loop/ctx_%,$(wildcard src/$(1)/*.c src/$(1)/*.S)) $(if $(filter loop,$(1)),$(CTX_SRC))
obj        = $(patsubst %,$(BUILD)/obj/%.o,$(basename $(1)))
LIBS      := $(foreach l,$(LAYERS),$(BUILD)/lib/libeddy_$(l).a)

CLI_SRCS  := $(wildcard src/cli/*.c)
EXAMPLES  := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
BENCHES   := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
FUZZERS   := $(filter-out fuzz/replay_main.c,$(wildcard fuzz/*.c))
FUZZ_REPLAY := $(patsubst fuzz/%.c,$(BUILD)/fuzz-replay/%,$(FUZZERS))
TEST_LAYERS := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/*/*.c))))
TEST_BINS := $(foreach l,$(sort $(TEST_LAYERS)),$(BUILD)/tests/$(l))

.PHONY: all deps test asan run bench install clean fuzz
all: $(LIBS) $(BUILD)/libeddy.a $(BUILD)/eddy $(EXAMPLES) $(BENCHES) $(TEST_BINS) $(FUZZ_REPLAY)

deps:
	@scripts/deps

# Archives, one per layer.
define layer_rule
$(BUILD)/lib/libeddy_$(1).a: $(call obj,$(call layer_srcs,$(1)))
	@mkdir -p $$(@D)
	$$(AR) rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

# One archive with everything, for `make install` and users' programs.
$(BUILD)/libeddy.a: $(foreach l,$(LAYERS),$(call obj,$(call layer_srcs,$(l))))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@
$(BUILD)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/eddy: $(call obj,$(CLI_SRCS)) $(LIBS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@
$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@
# A fuzz target without libFuzzer: replays fuzz/corpus/<name> and fuzz/regression/<name>.
$(BUILD)/fuzz-replay/%: $(BUILD)/obj/fuzz/%.o $(BUILD)/obj/fuzz/replay_main.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@
.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/tests/%: $$(call obj,$$(wildcard tests/%/*.c)) $(BUILD)/obj/tests/test_main.o $$(call uses_libs,$$*)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# `make test`: install what is missing, build, run everything, last line "N passed, M failed".
test: deps
	@$(MAKE) --no-print-directory all
	@tests/run --build $(BUILD)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan: deps
	@$(MAKE) --no-print-directory all BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined"
	@tests/run --build build-asan

# Until the aggregator lands, `make run` starts the example web app.
RUN_CMD   ?= $(BUILD)/examples/feeds --port 8080
run: deps
	@$(MAKE) --no-print-directory all
	$(RUN_CMD)

bench: all
	@bench/run --build $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/eddy
	install -m 755 $(BUILD)/eddy $(DESTDIR)$(PREFIX)/bin/eddy
	install -m 644 $(BUILD)/libeddy.a $(DESTDIR)$(PREFIX)/lib/libeddy.a
	install -m 644 include/eddy/*.h $(DESTDIR)$(PREFIX)/include/eddy/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@PKGS@|$(PKGS)|' eddy.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/eddy.pc

# libFuzzer targets (clang): build/fuzz/<name>; `make test` replays fuzz/regression/.
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Iinclude $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
fuzz: $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZERS))
$(BUILD)/fuzz/%: fuzz/%.c $(foreach l,$(LAYERS),$(call layer_srcs,$(l)))
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $< $(foreach l,$(LAYERS),$(call layer_srcs,$(l))) $(LDLIBS) -o $@

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
