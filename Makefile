# Sluice — developer entry points. `make test` is what CI runs (.ci/run).

SHELL   := /bin/bash
GO      ?= go
BIN     := bin/sluice
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: all build run test unit e2e e2e-deps vet fmt-check fuzz bench clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/sluice

# Runs the embedded default pipeline (dummy -> stdout); needs no cloud account.
run:
	$(GO) run ./cmd/sluice run

# The whole suite: static checks, unit tests with the race detector (which
# also replay every fuzz target's seeds and kept crashers in testdata/fuzz),
# and the end-to-end tests against the built binary. Installs nothing beyond
# Go modules today; when a test needs an emulator, its install step goes
# here. Coverage-guided fuzzing is `make fuzz`: it is kept out of `test`
# because go test -fuzz can report "context deadline exceeded" when its time
# runs out during input minimisation, which would make CI flaky.
test: fmt-check vet unit e2e

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -shuffle=on -count=1 $$($(GO) list ./... | grep -v /e2e)

# Builds the real binary and drives it through real files, pipes, sockets
# and signals.
e2e: e2e-deps
	$(GO) test -count=1 ./e2e/...

# Third-party emulators of the AWS output tests (kinesalite for Kinesis Data
# Streams, s3rver for S3), installed from npm into .cache/npm only when
# missing. Without npm outside CI the tests that need them skip; in CI
# (CI set) a missing npm is an error.
NPM_PREFIX   := .cache/npm
NPM_TOOLS    := kinesalite@3.3.3 s3rver@3.7.1
e2e-deps:
	@if ! command -v npm >/dev/null; then 	  if [ -n "$$CI" ]; then echo "npm is required to install $(NPM_TOOLS)"; exit 1; fi; 	  echo "npm not found: the kinesis_streams and s3 e2e tests will skip"; exit 0; 	fi; 	for tool in $(NPM_TOOLS); do 	  name=$${tool%@*}; 	  [ -x $(NPM_PREFIX)/node_modules/.bin/$$name ] || 	    npm install --no-audit --no-fund --prefix $(NPM_PREFIX) $$tool || exit 1; 	done

# Each fuzz target for a short time; crashers land in testdata/fuzz and
# become regression tests of `go test`.
FUZZTIME ?= 10s
fuzz:
	@set -e; for target in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for fn in $$(grep -h '^func Fuzz' $$target/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "fuzz $$target $$fn"; \
	    $(GO) test -run XXX -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$target > /tmp/fuzz.$$fn.log 2>&1 || { cat /tmp/fuzz.$$fn.log; exit 1; }; \
	  done; \
	done

bench:
	$(GO) test -run XXX -bench . -benchmem ./internal/... ./plugins/...

clean:
	rm -rf bin e2e.log
