# Xakia SCIM / Okta provisioning toolkit.
# The two set-up commands: `make conformance` (the main job) and `make test` (every test).
# A bare `make` only prints the targets: `make test` takes minutes.

GO        ?= go
BIN       ?= bin
# A count, not a duration: a duration -fuzztime hits Go 1.26's coordinator race
# (golang/go#75804, fixed in 1.27) and fails with "context deadline exceeded".
FUZZTIME  ?= 150000x
# The input-contract targets run in the reference package (about 2,000 executions/s): fewer.
FUZZTIME_EDGE ?= 30000x
IMAGE     ?= xakia-reference:local
# The mock Okta image (`make image-mockokta`), its build context, and the CA bundle copied in.
MOCKOKTA_IMAGE ?= mockokta:local
MOCKOKTA_BUILD ?= build/mockokta-image
CA_CERTS       ?= /etc/ssl/certs/ca-certificates.crt
# Where `make dist` writes the release archives.
DIST_DIR  ?= dist
# make bench: users per load run, users seeded before the second reference run
# (0 skips it), -benchtime of the Go benchmarks, where the raw outputs and table go.
BENCH_USERS ?= 10000
BENCH_SEED  ?= 100000
BENCH_TIME  ?= 3s
BENCH_OUT   ?= build/bench
# The runs that need services (Docker, PostgreSQL): verbose in `make test` so a log shows they ran.
DEPLOY_TESTS := ^(TestConformanceInContainer|TestContainerImageNotPresent|TestReplicasOnPostgres|TestMockoktaImage)$$
SHELL        := bash
.SHELLFLAGS  := -o pipefail -c

.DEFAULT_GOAL := help

.PHONY: all conformance test unit deploy mutation fuzz lint tidy build image image-mockokta dist bench clean help

# The variables a target's help text may name; help prints their values.
HELP_VARS := MOCKOKTA_IMAGE IMAGE FUZZTIME FUZZTIME_EDGE BIN GO DIST_DIR BENCH_USERS BENCH_SEED

help: ## list the targets (this is what a bare `make` does)
	@echo 'usage: make TARGET   (the two set-up commands: make conformance, make test)'
	@echo
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed -e 's/:.*## /\t/' \
	  $(foreach v,$(HELP_VARS),-e 's|$$($(v))|$($(v))|g') | expand -t 16

all: test ## the same as make test

conformance: ## run the Gherkin conformance suite (SCIM_BASE_URL/SCIM_API_KEY, else the embedded reference; reports in SCIM_REPORTS, default scim-reports/)
	$(GO) run -tags containers ./cmd/mockokta conform

test: lint unit deploy mutation fuzz ## every test: lint, unit + suite (race detector), container + PostgreSQL runs, the mutation self-test, short fuzzing

unit: ## go test -race over every package (the deploy runs apart)
	$(GO) test -race -count=1 -timeout 25m -skip '$(DEPLOY_TESTS)' ./...

deploy: ## the suite in a container and on two PostgreSQL replicas, plus the PostgreSQL store tests; prints what ran or was skipped
	$(GO) test -race -count=1 -timeout 25m -v -run '$(DEPLOY_TESTS)' . \
	  | grep -E '^(=== RUN|\s*--- (PASS|FAIL|SKIP)|\s+[a-z_]+_test\.go:[0-9]+:|PASS|FAIL|ok )'
	$(GO) test -race -count=1 -v -run '^(TestStoreContract|TestStoreContractPostgres|TestOpenPostgres|TestPostgres)$$' ./reference/... \
	  | grep -E '^( {0,4}--- (PASS|FAIL|SKIP)|\s+[a-z_]+_test\.go:[0-9]+:.*(skip|SKIP|not run|NOT run)|ok |FAIL)'

mutation: ## the self-tests of the verdict (no -race): every fault fails the xakia profile, every Okta-visible fault the okta profile, every allowed variant passes the okta profile
	$(GO) test -count=1 -timeout 30m -run '^(TestMutationSelfTest|TestOktaProfileMutation|TestAllowedVariants)$$' .

fuzz: ## run each fuzz target briefly ($(FUZZTIME) executions each, $(FUZZTIME_EDGE) for the input-contract targets; a few seconds each)
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./reference/internal/filter
	$(GO) test -run '^$$' -fuzz '^FuzzApply$$' -fuzztime $(FUZZTIME) ./reference/internal/patch
	$(GO) test -run '^$$' -fuzz '^FuzzInputContract$$' -fuzztime $(FUZZTIME_EDGE) ./reference
	$(GO) test -run '^$$' -fuzz '^FuzzQueryContract$$' -fuzztime $(FUZZTIME_EDGE) ./reference

lint: ## gofmt, go vet, staticcheck, go.mod and go.sum tidy
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run make tidy (or go mod tidy) and commit the result"; exit 1; }

tidy: ## go mod tidy: what make lint checks
	$(GO) mod tidy

build: ## build xakia-reference and mockokta into $(BIN)/
	$(GO) build -o $(BIN)/ ./cmd/...

image: ## build the FROM scratch container image $(IMAGE)
	mkdir -p build/data
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o build/xakia-reference ./cmd/xakia-reference
	docker build -t $(IMAGE) -f Dockerfile .

image-mockokta: ## build the FROM scratch image $(MOCKOKTA_IMAGE) of mockokta (conform, lifecycle, load; CA certificates, non-root, SCIM_REPORTS=/reports)
	@test -s $(CA_CERTS) || { echo "no CA bundle at $(CA_CERTS) (apt-get install ca-certificates, or set CA_CERTS=FILE)"; exit 1; }
	rm -rf $(MOCKOKTA_BUILD)
	mkdir -p $(MOCKOKTA_BUILD)/reports $(MOCKOKTA_BUILD)/rootfs/tmp $(MOCKOKTA_BUILD)/rootfs/etc/ssl/certs
	chmod 1777 $(MOCKOKTA_BUILD)/rootfs/tmp
	cp $(CA_CERTS) $(MOCKOKTA_BUILD)/rootfs/etc/ssl/certs/ca-certificates.crt
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w $$(scripts/dist.sh ldflags)" -o $(MOCKOKTA_BUILD)/rootfs/mockokta ./cmd/mockokta
	docker build -t $(MOCKOKTA_IMAGE) -f Dockerfile.mockokta $(MOCKOKTA_BUILD)

dist: ## release archives of mockokta and xakia-reference for linux, darwin (amd64, arm64) and windows/amd64, with SHA256SUMS, in $(DIST_DIR)/
	DIST_DIR=$(DIST_DIR) GO=$(GO) scripts/dist.sh

bench: ## one table of figures, ceilings from the same run, ratios and goals: the Go benchmarks of reference/ and mockokta/, then mockokta load ($(BENCH_USERS) users, c=8) against a bare handler and xakia-reference serve on SQLite, empty and seeded with $(BENCH_SEED) users (docs/benchmarks.md)
	$(GO) build -o $(BENCH_OUT)/bin/ ./cmd/mockokta ./cmd/xakia-reference
	BENCH_USERS=$(BENCH_USERS) BENCH_SEED=$(BENCH_SEED) BENCH_TIME=$(BENCH_TIME) \
	  $(GO) run ./internal/benchrun -go $(GO) -out $(BENCH_OUT) -bin $(BENCH_OUT)/bin

clean: ## remove binaries and generated reports
	rm -rf $(BIN) build $(DIST_DIR) scim-reports
