# Xakia SCIM / Okta provisioning toolkit.
# The two set-up commands: `make conformance` (the main job) and `make test` (every test).

GO        ?= go
BIN       ?= bin
REPORTS   ?= reports
FUZZTIME  ?= 10s
IMAGE     ?= xakia-reference:local

.PHONY: all conformance test unit mutation fuzz lint build image bench clean help

all: lint test

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

conformance: ## run the Gherkin conformance suite (SCIM_BASE_URL/SCIM_API_KEY, else the embedded reference); exit 0 pass, 1 fail, 2 config error
	$(GO) run ./cmd/mockokta conform --reports $(REPORTS)

test: lint unit mutation fuzz ## every test: lint, unit + suite + PostgreSQL + containers (race detector), the mutation self-test, short fuzzing

unit: ## go test -race over every package
	$(GO) test -race -count=1 -timeout 25m ./...

mutation: ## the suite against the reference with each fault: every check must be able to fail (no -race: 27 suite runs)
	$(GO) test -count=1 -timeout 20m -run '^TestMutationSelfTest$$' .

fuzz: ## run each fuzz target briefly (FUZZTIME, default 10s)
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./reference/internal/filter
	$(GO) test -run '^$$' -fuzz '^FuzzApply$$' -fuzztime $(FUZZTIME) ./reference/internal/patch

lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

build: ## build xakia-reference and mockokta into ./bin
	$(GO) build -o $(BIN)/ ./cmd/...

image: ## build the FROM scratch container image $(IMAGE)
	mkdir -p build/data
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o build/xakia-reference ./cmd/xakia-reference
	docker build -t $(IMAGE) -f Dockerfile .

bench: ## benchmarks of the reference (ratios against a bare net/http handler)
	$(GO) test -run '^$$' -bench . -benchtime 2s ./reference/

clean: ## remove binaries and generated reports
	rm -rf $(BIN) build $(REPORTS)/*.json $(REPORTS)/*.xml $(REPORTS)/*.html $(REPORTS)/traces
