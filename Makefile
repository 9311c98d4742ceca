# convo — the two entry points: `make run` and `make test`. Both install what is missing.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
WERROR := $(if $(CI),ON,OFF)
CONVO := $(BUILD_DIR)/apps/convo/convo

.PHONY: all deps test-deps configure build test run bench clean test-asan fuzz asan-build

all: build

deps:
	@sh scripts/install-deps.sh build

test-deps:
	@sh scripts/install-deps.sh test

# Always (re)configure: cheap when nothing changed, and a change of CI (-Werror) takes effect.
configure:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCONVO_WERROR=$(WERROR)

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: test-deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

RUN_DB ?= $(BUILD_DIR)/run.db
PORT ?= 5005
ACTIONS_PORT ?= 5055

# The main job: convo serve on an embedded SQLite store, answering the example bot (examples/bot:
# rules, stories, a form, a custom action on its small action server) through the REST channel,
# with the example conversation loaded.
run: build
	$(CONVO) tracker put alice examples/restaurant_tracker.json --store sqlite:///$(RUN_DB) -o table
	$(CONVO) model build examples/bot -o $(BUILD_DIR)/models --name bot.tar.gz --format table
	printf 'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: %s\naction_endpoint:\n  url: http://localhost:%s/webhook\n' \
	  "$(abspath $(RUN_DB))" "$(ACTIONS_PORT)" >$(BUILD_DIR)/run_endpoints.yml
	@echo "convo serve on http://localhost:$(PORT) (store $(RUN_DB), the example bot; actions on port $(ACTIONS_PORT)); try:"
	@echo "  curl -s localhost:$(PORT)/webhooks/rest/webhook -d '{\"sender\": \"u1\", \"message\": \"/greet\"}'"
	@echo "  curl -s localhost:$(PORT)/conversations/alice/tracker | head -c 300"
	@if command -v python3 >/dev/null; then python3 examples/bot/actions.py --port $(ACTIONS_PORT) & \
	  actions=$$!; trap 'kill $$actions 2>/dev/null' EXIT INT TERM; \
	  $(CONVO) serve --enable-api --port $(PORT) --model $(BUILD_DIR)/models --endpoints $(BUILD_DIR)/run_endpoints.yml \
	    --credentials examples/bot/credentials.yml; \
	else $(CONVO) serve --enable-api --port $(PORT) --model $(BUILD_DIR)/models --endpoints $(BUILD_DIR)/run_endpoints.yml \
	    --credentials examples/bot/credentials.yml; fi

bench: build
	BUILD_DIR=$(BUILD_DIR) sh bench/table.sh

# Sanitizers and fuzzing share one clang tree (AddressSanitizer + UndefinedBehaviorSanitizer, with
# libFuzzer's coverage): `make test-asan` runs the unit, oracle, CLI and fuzz-corpus tiers in it;
# `make fuzz` runs every fuzz target for FUZZ_SECONDS each (fuzz/run.sh prints the table).
ASAN_DIR ?= build-asan
ASAN_TESTS ?= ^(unit|oracle|cli|tty|dialogue|store_cli|serve|model_cli|serve_model|nlu_cli|fuzz_corpus)$$
FUZZ_SECONDS ?= 60
asan-build:
	@sh scripts/install-deps.sh test
	@sh scripts/install-deps.sh sanitize
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCONVO_SANITIZE=ON -DCONVO_FUZZ=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)

test-asan: asan-build
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -R '$(ASAN_TESTS)'

fuzz: asan-build
	sh fuzz/run.sh $(ASAN_DIR) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR)
