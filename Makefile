# SPDX-License-Identifier: GPL-2.0-or-later
# Wrapper around meson/ninja, with QEMU's habits:
#   make         build into build/
#   make check   build normally and with sanitizers, run every test,
#                end with one line "N passed, M failed"
#   make bench   run the benchmarks (JSON lines); BENCH_N=... to size them
#   make run     run qemu-xenstored on a default socket, in the foreground
#   make clean   remove the build directories

BUILD := build
SAN_BUILD := build-san
FUZZ_BUILD := build-fuzz

.PHONY: all check bench run clean deps

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/install-deps.sh build

$(BUILD)/build.ninja:
	@scripts/install-deps.sh build
	./configure --builddir=$(BUILD)

check:
	@scripts/check.sh

bench: all
	@scripts/bench.sh $(BUILD)

# run.sh builds what it needs quietly, so the one line it prints stands.
run:
	@scripts/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)
