# Vigie — build, run and test.
#
#   make          build everything (server module, worker, unit tests)
#   make run      install what is missing, start the local stack, serve
#   make test     install what is missing, start a test stack, run all tests
#
# The layers of src/ become one static library shared by the Kore module
# (build/vigie.so) and the worker (build/vigie-worker).

CC		?= cc
BUILD		:= build
VERSION		:= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)

PKGS		:= libmongoc-1.0 hiredis libcurl jansson libjwt libargon2
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf -lssl -lcrypto -lm -lpthread
KORE_FEATURES	:= $(shell cat /usr/share/kore/features 2>/dev/null)

WARN		:= -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wformat=2 \
		   -Wmissing-prototypes -Wstrict-prototypes -Wno-format-truncation -Wno-missing-field-initializers
CFLAGS		?= -O2 -g
ALL_CFLAGS	:= -std=c11 -D_GNU_SOURCE -fPIC $(WARN) $(CFLAGS) -Isrc \
		   -DVIGIE_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS		?=

CORE_SRC	:= $(wildcard src/core/*.c)
LIB_SRC		:= $(CORE_SRC) $(wildcard src/common/*.c) $(wildcard src/store/*.c) \
		   $(wildcard src/service/*.c)
API_SRC		:= $(wildcard src/api/*.c)
WORKER_SRC	:= $(wildcard src/worker/*.c)
UNIT_SRC	:= $(wildcard tests/unit/test_*.c)

LIB_OBJ		:= $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CORE_OBJ	:= $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
API_OBJ		:= $(API_SRC:%.c=$(BUILD)/obj/%.o)
WORKER_OBJ	:= $(WORKER_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN	:= $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all build run stop test unit integration install stack-test \
	format format-check clean bench

all: build $(UNIT_BIN)

build: $(BUILD)/vigie.so $(BUILD)/vigie-worker

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The Kore module must see Kore's own feature flags: struct http_request
# changes shape with them.
$(BUILD)/obj/src/api/%.o: src/api/%.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(ALL_CFLAGS) $(KORE_FEATURES) -MMD -MP -c $< -o $@

$(BUILD)/libvigie.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libvigie-core.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/vigie.so: $(API_OBJ) $(BUILD)/libvigie.a
	$(CC) -shared $(LDFLAGS) -o $@ $(API_OBJ) $(BUILD)/libvigie.a $(PKG_LIBS)

$(BUILD)/vigie-worker: $(WORKER_OBJ) $(BUILD)/libvigie.a
	$(CC) $(LDFLAGS) -o $@ $(WORKER_OBJ) $(BUILD)/libvigie.a $(PKG_LIBS)

# Unit tests link the pure core only: no service, no Kore.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvigie-core.a
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libvigie-core.a -lcmocka $(PKG_LIBS)

install:
	@scripts/install.sh

run: install
	@scripts/run.sh

stop:
	@scripts/run.sh stop

unit: $(UNIT_BIN)
	@scripts/unit.sh $(UNIT_BIN)

integration: build
	@scripts/integration.sh

test: install
	@scripts/test.sh

bench: install build
	@bench/http_baseline/run.sh

format:
	clang-format -i $(shell git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

format-check:
	clang-format --dry-run --Werror $(shell git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
