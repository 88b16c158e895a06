# libcrm build/test entry points. `make test` is the one test command: it installs what is
# missing, builds, and runs every test (SQLite and PostgreSQL) against a throw-away PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := build

BUILD_DIR      ?= build
ASAN_BUILD_DIR ?= build-asan
TSAN_BUILD_DIR ?= build-tsan
RELEASE_BUILD_DIR ?= build-release
FUZZ_BUILD_DIR ?= build-fuzz
BUILD_TYPE     ?= RelWithDebInfo
CMAKE_ARGS     ?=
# Development and CI builds treat warnings as errors; a plain cmake build (a packager's) does not.
DEV_CMAKE_ARGS := -DCRM_WERROR=ON
JOBS           ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_JOBS     ?= 2
CTEST_ARGS     ?=
SERVER_BIN     ?= $(BUILD_DIR)/examples/server/crm-server
SERVER_ARGS    ?=
WITH_PG        := bash scripts/with-postgres.sh
ASAN_ENV       := ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1} \
                  UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

.PHONY: all deps build test run sanitize tsan release-build fuzz-build fuzz-smoke fuzz soak lint-openapi clean

all: build

deps:
	bash scripts/install-deps.sh

# $(call configure,DIR,EXTRA_CMAKE_ARGS): configure DIR only when it has no usable cache.
# A cache made for another source folder (e.g. a copied or committed build dir) or with another
# generator cannot be reused: it is dropped and DIR configured anew.
define configure
	@if [ -f $(1)/CMakeCache.txt ] && ! { grep -qxF 'CMAKE_HOME_DIRECTORY:INTERNAL=$(CURDIR)' $(1)/CMakeCache.txt && \
	     grep -qxF 'CMAKE_GENERATOR:INTERNAL=Ninja' $(1)/CMakeCache.txt; }; then \
	  echo "make: $(1)/CMakeCache.txt belongs to another source folder or generator: reconfiguring"; \
	  rm -rf $(1)/CMakeCache.txt $(1)/CMakeFiles; \
	fi
	@if [ ! -f $(1)/CMakeCache.txt ] || [ ! -f $(1)/build.ninja ] || ! grep -qxF 'CRM_WERROR:BOOL=ON' $(1)/CMakeCache.txt; then \
	  echo "cmake -S . -B $(1) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(DEV_CMAKE_ARGS) $(2) $(CMAKE_ARGS)"; \
	  cmake -S . -B $(1) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(DEV_CMAKE_ARGS) $(2) $(CMAKE_ARGS); \
	fi
endef

build: deps
	$(call configure,$(BUILD_DIR),)
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	$(WITH_PG) ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(CTEST_JOBS) $(CTEST_ARGS)

# Runs the HTTP server from the current directory (its data files land here).
run: build
	@if [ -x "$(SERVER_BIN)" ]; then \
	  echo "$(SERVER_BIN) $(SERVER_ARGS)"; exec "$(SERVER_BIN)" $(SERVER_ARGS); \
	else \
	  echo "make run: $(SERVER_BIN) was not built: the HTTP server (examples/server) does not exist yet." >&2; \
	  exit 1; \
	fi

sanitize: deps
	$(call configure,$(ASAN_BUILD_DIR),-DCRM_SANITIZE=ON)
	cmake --build $(ASAN_BUILD_DIR) -j$(JOBS)
	$(ASAN_ENV) $(WITH_PG) ctest --test-dir $(ASAN_BUILD_DIR) --output-on-failure -j$(CTEST_JOBS) $(CTEST_ARGS)

# The core's tests (every concurrency test among them) under ThreadSanitizer, on both backends.
# Suppressions, each with its reason, live in tests/tsan.supp.
TSAN_ENV := TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp"
tsan: deps
	$(call configure,$(TSAN_BUILD_DIR),-DCRM_TSAN=ON -DCRM_BUILD_EXAMPLES=OFF -DCRM_BUILD_TOOLS=OFF -DCRM_BUILD_BENCH=OFF)
	cmake --build $(TSAN_BUILD_DIR) -j$(JOBS) --target crm_tests
	$(WITH_PG) bash -c 'set -e; \
	  $(TSAN_ENV) CRM_TEST_BACKEND=sqlite $(TSAN_BUILD_DIR)/tests/crm_tests; \
	  $(TSAN_ENV) CRM_TEST_BACKEND=postgresql $(TSAN_BUILD_DIR)/tests/crm_tests -tc="db: *"'

# What a packager does: a plain Release build with Debian's hardening flags and without
# CRM_WERROR, then an install into a scratch folder.
release-build: deps
	rm -rf $(RELEASE_BUILD_DIR)
	cmake -S . -B $(RELEASE_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRM_BUILD_TESTS=OFF \
	  -DCMAKE_C_FLAGS="$$(dpkg-buildflags --get CFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
	  -DCMAKE_CXX_FLAGS="$$(dpkg-buildflags --get CXXFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
	  -DCMAKE_SHARED_LINKER_FLAGS="$$(dpkg-buildflags --get LDFLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$$(dpkg-buildflags --get LDFLAGS)"
	cmake --build $(RELEASE_BUILD_DIR) -j$(JOBS)
	DESTDIR=$(CURDIR)/$(RELEASE_BUILD_DIR)/staging cmake --install $(RELEASE_BUILD_DIR) --prefix /usr >/dev/null
	$(RELEASE_BUILD_DIR)/staging/usr/bin/crmctl --version

# libFuzzer targets (tests/fuzz, docs/reliability.md), built with clang in their own folder; the
# core is instrumented too. `make fuzz-smoke` (CI): each target replays its committed corpus, then
# mutates for FUZZ_SMOKE_SECONDS; any crash, leak, timeout or sanitizer report fails.
# `make fuzz FUZZ_SECONDS=600` runs longer. FUZZ_TARGETS picks some.
FUZZ_CC            ?= clang-14
FUZZ_CXX           ?= clang++-14
FUZZ_TARGETS       ?= jwt_verify csv_reader capi_strings server_json query_params
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_SECONDS       ?= 600
fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=$(FUZZ_CC) -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) -DCRM_FUZZ=ON \
	  -DCRM_BUILD_TESTS=OFF -DCRM_BUILD_EXAMPLES=OFF -DCRM_BUILD_TOOLS=OFF -DCRM_BUILD_BENCH=OFF -DCRM_INSTALL=OFF \
	  $(CMAKE_ARGS) >/dev/null
	cmake --build $(FUZZ_BUILD_DIR) -j$(JOBS) --target crm_fuzzers

fuzz-smoke: fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

fuzz: fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Mixed HTTP load against crm-server for SOAK_SECONDS, RSS sampled every 10 s; fails when the RSS
# at the end is more than 10 % above the RSS after the first minute (scripts/soak.sh).
SOAK_SECONDS ?= 600
soak: build
	bash scripts/soak.sh --server $(SERVER_BIN) --seconds $(SOAK_SECONDS)

# docs/openapi.yaml against a pinned @redocly/cli (npm; warnings are errors): CI runs it.
lint-openapi: deps
	bash scripts/lint-openapi.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(TSAN_BUILD_DIR) $(RELEASE_BUILD_DIR) $(FUZZ_BUILD_DIR)
