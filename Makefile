# convo — the two entry points: `make run` and `make test`. Both install what is missing.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
WERROR := $(if $(CI),ON,OFF)
CONVO := $(BUILD_DIR)/apps/convo/convo

.PHONY: all deps test-deps configure build test run bench clean

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

# The main job: convo serve over an embedded SQLite store holding the example conversation.
run: build
	$(CONVO) tracker put alice examples/restaurant_tracker.json --store sqlite:///$(RUN_DB) -o table
	$(CONVO) tracker show alice --store sqlite:///$(RUN_DB) --domain examples/restaurant_domain.yml --all-sessions -o table
	@echo "convo serve on http://localhost:$(PORT) (store $(RUN_DB)); try:"
	@echo "  curl -s localhost:$(PORT)/conversations/alice/tracker | head -c 300"
	$(CONVO) serve --enable-api --port $(PORT) --store sqlite:///$(RUN_DB) --domain examples/restaurant_domain.yml

bench: build
	sh bench/tracker/run.sh

clean:
	rm -rf $(BUILD_DIR)
