# Thin wrapper over CMake. `make run` serves on :5000 with SQLite, `make test` runs every test.
JOBS    ?= $(shell nproc)
BUILD   ?= build
ASAN    ?= build-asan
CMAKE_FLAGS ?=
PREFIX  ?= /usr/local
DESTDIR ?=

.PHONY: all deps models npm build install package run test test-fast test-asan bench bench-api bench-face bench-multinode fuzz clean

all: build

deps:
	@bash scripts/deps.sh

models: deps
	@bash scripts/models.sh

# Node tooling of tools/apidocs: the OpenAPI checks and the Redoc bundle of /api/docs
npm: deps
	@bash scripts/npm.sh

$(BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps models npm $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# The binary, models, systemd unit and example configuration under $(PREFIX) (and
# $(DESTDIR)). The unit names absolute paths, hence the reconfigure for PREFIX (quick: the
# prefix is not compiled in, nothing is rebuilt).
install: build
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# $(BUILD)/attendly_<version>_<arch>.deb, installed under /usr.
package: build
	cd $(BUILD) && cpack -G DEB

run: build
	./$(BUILD)/attendly serve

# Release build: unit, HTTP (SQLite and PostgreSQL) and face tests; then the
# sanitizer build of the unit, HTTP and bad-input tests.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory test-asan

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L fast

test-asan: deps models npm
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DATTENDLY_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ctest --output-on-failure -j $(JOBS) -L asan

bench: bench-face bench-api

bench-api: build
	bash bench/api.sh $(BUILD)

bench-face: build
	./$(BUILD)/attendly-bench-face

# recognize-faces throughput through nginx in front of 1 and 2 nodes (docs/scaling.md)
bench-multinode: build
	cd $(BUILD) && ATTENDLY_BIN=$(CURDIR)/$(BUILD)/attendly ATTENDLY_MODELS_DIR=$(CURDIR)/models \
	  ATTENDLY_SHARED_DIR=$(CURDIR)/../shared ./bench/attendly-bench-multinode

fuzz: deps models npm
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTENDLY_FUZZ=ON
	JOBS=$(JOBS) bash tests/fuzz/run.sh build-fuzz

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz
