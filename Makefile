# Sluice — developer entry points. `make test` is what CI runs (.ci/run).

SHELL   := /bin/bash
GO      ?= go
BIN     := bin/sluice
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: all build run test unit e2e vet fmt-check lint-docker fuzz bench clean

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
test: fmt-check vet lint-docker unit e2e

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# Test tools from npm install into .cache/npm, once per machine.
NPM_PREFIX := .cache/npm
DOCKERFILELINT := $(NPM_PREFIX)/node_modules/.bin/dockerfilelint

$(DOCKERFILELINT):
	npm install --prefix $(NPM_PREFIX) --no-audit --no-fund --silent dockerfilelint@1.8.0

lint-docker: $(DOCKERFILELINT)
	$(DOCKERFILELINT) Dockerfile

unit:
	$(GO) test -race -shuffle=on -count=1 $$($(GO) list ./... | grep -v /e2e)

# Builds the real binary and drives it through real files, pipes, sockets
# and signals.
e2e:
	$(GO) test -count=1 ./e2e/...

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
