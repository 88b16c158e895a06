# libcrm build/test entry points. `make test` is the one test command: it installs what is
# missing, builds, and runs every test (SQLite and PostgreSQL) against a throw-away PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := build

BUILD_DIR      ?= build
ASAN_BUILD_DIR ?= build-asan
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

.PHONY: all deps build test run sanitize clean

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

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR)
