# The commands of the README: `make demo` and `make test` (which CI runs: `make suite`, then `make sanitize`).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SVCOV = $(BUILD)/svcov
OUT ?= out

.PHONY: all deps build demo test suite check sanitize valgrind fuzz bench bench-quick clean readme-picture

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The main job on the demo city: analyze, export maps for QGIS or a web map, print the table.
demo: build
	@mkdir -p $(OUT)
	$(SVCOV) analyze --stations geodata/stations.geojson --districts geodata/districts.geojson \
	    --minutes 10,15 --mode walk --detour 1.3 --population-field population \
	    --out $(OUT)/demo.sqlite
	@for layer in districts stations coverage gaps service_areas district_redundancy critical_stations responsibility; do \
	    $(SVCOV) export --db $(OUT)/demo.sqlite --layer $$layer --out $(OUT)/$$layer.geojson --overwrite || exit 1; \
	done
	@$(SVCOV) export --db $(OUT)/demo.sqlite --layer district_coverage --out $(OUT)/district_coverage.csv --overwrite
	@# maps people can look at: the city, one district as a printable PDF, the interactive map, the report
	@$(SVCOV) map --db $(OUT)/demo.sqlite --out $(OUT)/demo_map.png -q
	@$(SVCOV) map --db $(OUT)/demo.sqlite --district D0013 --out $(OUT)/demo_D0013.pdf -q
	@$(SVCOV) map --db $(OUT)/demo.sqlite --atlas $(OUT)/demo_atlas.pdf -q
	@$(SVCOV) map --db $(OUT)/demo.sqlite --html $(OUT)/demo_map.html -q
	@$(SVCOV) report --db $(OUT)/demo.sqlite --out $(OUT)/report.html -q
	@$(SVCOV) poster --db $(OUT)/demo.sqlite --district D0005 --lang zh --out $(OUT)/demo_poster_D0005.pdf -q >/dev/null
	@$(MAKE) --no-print-directory docs/demo-map.png docs/demo-poster.png
	@echo
	@$(SVCOV) query --db $(OUT)/demo.sqlite break_summary
	@echo
	@echo "Demo results in $(OUT)/: demo.sqlite (open it in QGIS), *.geojson, district_coverage.csv,"
	@echo "  demo_map.png, demo_D0013.pdf, demo_atlas.pdf (every district), demo_map.html (open in a browser,"
	@echo "  works offline), report.html, demo_poster_D0005.pdf (the friendly map)"

# The README's picture: drawn by `make demo` when it is missing (its footer carries the run's time, so it is
# not redrawn on every run); `make readme-picture` redraws it after a change to the maps or the demo city.
docs/demo-map.png:
	@mkdir -p docs
	$(SVCOV) map --db $(OUT)/demo.sqlite --district D0013 --page a4-landscape --size 1100x778 --out $@ -q

docs/demo-poster.png:
	@mkdir -p docs
	$(SVCOV) poster --db $(OUT)/demo.sqlite --district D0005 --lang zh --dpi 100 \
	    --qr-url https://example.org/svcov/D0005 --out $@ -q >/dev/null

readme-picture: demo
	@rm -f docs/demo-map.png docs/demo-poster.png
	@$(MAKE) --no-print-directory docs/demo-map.png docs/demo-poster.png

# The README's test command and what CI runs (.ci/run): the suite, every benchmark at its smallest size
# (bench-quick), then the same suite under the sanitizers.
test:
	@$(MAKE) --no-print-directory suite
	@$(MAKE) --no-print-directory bench-quick
	@$(MAKE) --no-print-directory sanitize

# The whole suite once, in the normal build (about 5 minutes on a quiet 2-core machine).
suite: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# The name this target had before `make test` took in the sanitizer suite.
check: test

# The same suite under AddressSanitizer and UBSan. SVCOV_TEST_SLACK multiplies the tests' time bounds (an
# instrumented svcov is several times slower; e.g. robust_interrupt's "exit 130 within 1 s"); the tests
# labelled no_sanitize (ctest -LE) are left out here: the list and the reason are in tests/CMakeLists.txt.
SANITIZE_SLACK ?= 4
sanitize: deps
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DSVCOV_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)-asan -j$(JOBS)
	SVCOV_TEST_SLACK=$(SANITIZE_SLACK) ASAN_OPTIONS=detect_leaks=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    ctest --test-dir $(BUILD)-asan --output-on-failure -j$(JOBS) -LE no_sanitize

# The fast tests (label valgrind in tests/CMakeLists.txt: unit tests and end-to-end runs of seconds) under
# valgrind's memcheck, the test programs and every svcov they start (SVCOV_TEST_WRAPPER, tests/common/svtest.h):
# any error or a definite leak fails the test; tests/valgrind.supp holds the libraries' own one-time allocations.
# The svcov program allocates through mimalloc, whose operator delete is the same function as its free: valgrind
# then names every C++ delete of PROJ, GEOS and GDAL "free" and reports a mismatched free (at PROJ's first static
# constructor, before main). svcov's own code is C, so mismatches of new/delete are not looked for.
VALGRIND_OPTS = --soname-synonyms=somalloc=*mimalloc* --show-mismatched-frees=no --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --num-callers=30 --suppressions=$(CURDIR)/tests/valgrind.supp
valgrind: build
	@scripts/install-deps.sh --valgrind
	SVCOV_TEST_SLACK=30 SVCOV_TEST_WRAPPER="valgrind -q $(VALGRIND_OPTS)" \
	    ctest --test-dir $(BUILD) -T memcheck -L valgrind --output-on-failure -j$(JOBS) \
	    --overwrite MemoryCheckCommand=/usr/bin/valgrind \
	    --overwrite "MemoryCheckCommandOptions=-q $(VALGRIND_OPTS)"

# The libFuzzer targets (tests/fuzz/) with clang, AddressSanitizer and UBSan, for FUZZ_TIME seconds each;
# new inputs go to $(BUILD)-fuzz/corpus, crashes to $(BUILD)-fuzz/ (add them to tests/fuzz/corpus/ once fixed).
# FUZZ_TARGETS picks some (e.g. make fuzz FUZZ_TARGETS="blob wkb" FUZZ_TIME=60).
FUZZ_TIME ?= 300
FUZZ_TARGETS ?= hours blob speeds wkb query_set options pg
fuzz:
	@scripts/install-deps.sh --fuzz
	@CC=clang-14 cmake -S . -B $(BUILD)-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSVCOV_FUZZ=ON >/dev/null
	@cmake --build $(BUILD)-fuzz --target $(addprefix fuzz_,$(FUZZ_TARGETS)) -j$(JOBS)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)-fuzz/corpus/$$t; \
	    echo "fuzz_$$t: $(FUZZ_TIME) s"; \
	    $(BUILD)-fuzz/tests/fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=4200 -artifact_prefix=$(BUILD)-fuzz/$$t- \
	        $(BUILD)-fuzz/corpus/$$t tests/fuzz/corpus/$$t > $(BUILD)-fuzz/$$t.log 2>&1 || \
	        { tail -n 40 $(BUILD)-fuzz/$$t.log; exit 1; }; \
	    grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' $(BUILD)-fuzz/$$t.log; \
	done

# svcov against its peers on the same inputs (see bench/README.md): SpatiaLite SQL and
# GeoPandas for circle coverage (uniform and clustered city), pgRouting for network
# distances, glpsol and CBC for siting.
bench: build
	@scripts/install-deps.sh --bench
	bench/bench_scale.sh --svcov $(SVCOV) --gencity $(BUILD)/bench/svcov-gencity
	bench/bench_sql.sh --svcov $(SVCOV) --gencity $(BUILD)/bench/svcov-gencity
	bench/bench_network.sh --svcov $(SVCOV) --genroads $(BUILD)/bench/svcov-genroads
	bench/bench_site.sh --svcov $(SVCOV) --gencity $(BUILD)/bench/svcov-gencity

# Every benchmark at its smallest size, once (make test runs it, so CI does: it proves each benchmark
# works and that svcov's answers agree with its peers' there; it does not judge speed). Each script exits
# non-zero when a run fails or disagrees; their files go to temporary folders, removed on success.
bench-quick: build
	@scripts/install-deps.sh --bench
	bench/bench_scale.sh --quick --timeout 600 --svcov $(SVCOV) --gencity $(BUILD)/bench/svcov-gencity
	bench/bench_sql.sh --stations 2000 --districts 200 --svcov $(SVCOV) --gencity $(BUILD)/bench/svcov-gencity
	bench/bench_network.sh --grid 40 --stations 50 --demand 1000 --svcov $(SVCOV) --genroads $(BUILD)/bench/svcov-genroads
	bench/bench_site.sh --demand 2000 --candidates 1000 --k 5 --svcov $(SVCOV) --gencity $(BUILD)/bench/svcov-gencity
	bench/bench_netsite.sh --scale 0.05 --k 3 --svcov $(SVCOV) --gencity $(BUILD)/bench/svcov-gencity
	SVCOV=$(SVCOV) bench/bench_pg.sh --quick
	bench/bench_shard_reads.sh A=$(SVCOV) B=$(SVCOV) --stations 2000 --districts 200 --shards 4

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz $(OUT)
