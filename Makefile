# Truce — `make` builds ./truce; `make run` installs what is missing, builds,
# creates ./data from the Gaza scenario and serves; `make check` runs every test.
PKGS    := libmicrohttpd jansson sqlite3 libsodium geos proj
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -Wno-missing-field-initializers -pthread $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
# The server and its benchmarks allocate with jemalloc (as Redis does): with
# glibc's malloc (its arenas, and the fast-bin consolidation every block
# over 1 KB sets off) the server spent 13% of its CPU in malloc at 64
# writers, and about a sixth more CPU an event (bench/README.md). Left out when the
# package is missing, and never in the sanitizer builds (ASan has its own).
MALLOC   = $(shell pkg-config --libs jemalloc 2>/dev/null)
SRC     := $(wildcard src/*.c)
OBJ     := $(SRC:src/%.c=build/%.o)
LIBOBJ  := $(filter-out build/main.o,$(OBJ))
ASAN    := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
DATA    ?= data
LISTEN  ?= 127.0.0.1:8080

.PHONY: all run deps check unit unit-asan api browser pg bench web clean fuzz
all: truce web

truce: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(MALLOC)

build/%.o: src/%.c $(wildcard src/*.h) | build
	$(CC) $(CFLAGS) -MMD -c -o $@ $<

build:
	mkdir -p build

deps:
	@scripts/deps.sh

web: node_modules/.package-lock.json
	@scripts/vendor.sh

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

run: deps all
	@test -f $(DATA)/truce.db || ./truce init $(DATA) --scenario gaza
	@echo "Open http://$(LISTEN)/ ; exercise accounts are in $(DATA)/demo-credentials.txt"
	./truce serve $(DATA) --listen $(LISTEN)

# Unit tests (cmocka), plain and under AddressSanitizer + UBSan.
UNIT     := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/*_test.c))
ASANOBJ  := $(SRC:src/%.c=build/asan/%.o)
ASANLIB  := $(filter-out build/asan/main.o,$(ASANOBJ))
ASANUNIT := $(patsubst tests/unit/%.c,build/asan/unit/%,$(wildcard tests/unit/*_test.c))

build/unit/%: tests/unit/%.c tests/unit/unit.h $(LIBOBJ)
	@mkdir -p build/unit
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(LIBOBJ) $(LDLIBS) -lcmocka

build/asan/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p build/asan
	$(CC) $(CFLAGS) -O1 $(ASAN) -c -o $@ $<

build/asan/unit/%: tests/unit/%.c tests/unit/unit.h $(ASANLIB)
	@mkdir -p build/asan/unit
	$(CC) $(CFLAGS) -O1 $(ASAN) -Isrc -o $@ $< $(ASANLIB) $(LDLIBS) -lcmocka

unit: $(UNIT)
	@for t in $(UNIT); do echo "== $$t"; $$t || exit 1; done

unit-asan: $(ASANUNIT)
	@for t in $(ASANUNIT); do echo "== $$t"; $$t || exit 1; done

# Fuzzing (libFuzzer, clang): not part of make check; run it after touching a parser.
FUZZ_SECONDS ?= 60
fuzz:
	@mkdir -p build/fuzz
	clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Isrc \
	  $(shell pkg-config --cflags $(PKGS)) -o build/fuzz/parse_fuzz tests/fuzz/parse_fuzz.c \
	  $(filter-out src/main.c,$(SRC)) $(LDLIBS)
	@mkdir -p build/fuzz/corpus-parse
	build/fuzz/parse_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 build/fuzz/corpus-parse 2>&1 | tail -5 || true

api: truce
	node --test --test-concurrency=1 tests/api/

browser: truce web
	node --test --test-concurrency=1 tests/browser/

# The deconfliction engine against PostGIS on a generated set (a throw-away
# PostgreSQL cluster from Debian's packages, started and removed by the script).
build/bench/deconflict: bench/deconflict.c bench/bench.h $(LIBOBJ)
	@mkdir -p build/bench
	$(CC) $(CFLAGS) -Isrc $(shell pkg-config --cflags libpq) -o $@ $< $(LIBOBJ) $(LDLIBS) $(shell pkg-config --libs libpq) $(MALLOC)

# The dashboards and the SITREP at 1,000,000 incidents and 200,000 consignments
# (issue 7), over HTTP on the real server in process; DDR registration with
# every fraud check at 200,000 people and 500,000 weapons (issue 8).
build/bench/monitor build/bench/ddr: build/bench/%: bench/%.c bench/bench.h $(LIBOBJ)
	@mkdir -p build/bench
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(LIBOBJ) $(LDLIBS) $(MALLOC)

pg: build/bench/deconflict
	bench/pg_check.sh

check: deps all unit unit-asan pg api browser
	@echo "make check: all tests passed"

bench: truce
	@bench/run.sh

clean:
	rm -rf build truce web/vendor

-include $(OBJ:.o=.d)
