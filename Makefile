# Thin front door over CMake (see README).  `make` builds build/booksync,
# `make check` installs what is missing and runs every test (also under
# ASan+UBSan), `make demo` runs the tour.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo -G Ninja)

.PHONY: all deps build build-asan build-fuzz check demo bench format clean

all: build

deps:
	@sh scripts/install-deps

build:
	@cmake -S . -B build $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j $(JOBS)

build-asan:
	@cmake -S . -B build-asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DBS_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

build-fuzz:
	@CC=clang cmake -S . -B build-fuzz $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DBS_FUZZ=ON -DBS_WERROR=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

check: deps
	@$(MAKE) --no-print-directory build build-asan
	@sh scripts/check-tests

demo: deps build
	@sh scripts/demo

bench: deps build
	@sh bench/run

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf build build-asan build-fuzz
