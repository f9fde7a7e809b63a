# Sluice — developer entry points. `make test` is what CI runs (.ci/run).

SHELL   := /bin/bash
GO      ?= go
BIN     := bin/sluice
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: all build run test unit e2e deps npm-deps debs vet fmt-check lint-docker fuzz bench clean docs

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

# Test tools from npm, installed together into .cache/npm (one install, so
# npm never prunes one tool while adding another), again only when the list
# changes: dockerfilelint for the Dockerfile, and clients and emulators
# nobody on the team wrote, which the e2e tests drive Sluice with
# (@fluent-org/logger; kinesalite for Kinesis Data Streams, s3rver for S3).
NPM_PREFIX   := .cache/npm
NPM_PACKAGES := dockerfilelint@1.8.0 @fluent-org/logger@1.0.10 kinesalite@3.3.3 s3rver@3.7.1
NPM_STAMP    := $(NPM_PREFIX)/.installed-$(shell echo '$(NPM_PACKAGES)' | cksum | cut -d' ' -f1)
DOCKERFILELINT := $(NPM_PREFIX)/node_modules/.bin/dockerfilelint

$(NPM_STAMP):
	npm install --prefix $(NPM_PREFIX) --no-audit --no-fund --silent $(NPM_PACKAGES)
	touch $@

npm-deps: $(NPM_STAMP)

lint-docker: npm-deps
	$(DOCKERFILELINT) Dockerfile

# Go tools the tests run, built from the Go module proxy into .cache/bin.
TOOLS_BIN := $(CURDIR)/.cache/bin
HELM := $(TOOLS_BIN)/helm

$(HELM):
	GOBIN=$(TOOLS_BIN) $(GO) install helm.sh/helm/v3/cmd/helm@v3.22.0

# Debian packages the e2e tests drive, installed in one apt-get run when any
# is missing: tmux drives `sluice top` in a real terminal; strace delays the
# binary's fsync calls in the slow-disk test (ptrace fault injection);
# prometheus-node-exporter is the reference node_exporter_metrics is compared
# with; prometheus (2.33+ for --web.enable-remote-write-receiver; bookworm has
# 2.42) receives the prometheus_remote_write output; systemd-journal-remote
# writes real journal files for the systemd input's tests (journalctl, from
# systemd, reads them back as the oracle).
DEBS := tmux strace prometheus-node-exporter prometheus systemd systemd-journal-remote

debs:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Everything the test suite installs; e2e depends on it.
deps: $(HELM) debs npm-deps

unit:
	$(GO) test -race -shuffle=on -count=1 $$($(GO) list ./... | grep -v /e2e)

# Builds the real binary and drives it through real files, pipes, sockets
# and signals.
e2e: deps
	$(GO) test -count=1 ./e2e/...

# Each fuzz target for a short time; crashers land in testdata/fuzz and
# become regression tests of `go test`.
FUZZTIME ?= 10s
fuzz:
	@set -e; for target in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for fn in $$(grep -h '^func Fuzz' $$target/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "fuzz $$target $$fn"; \
	    if ! $(GO) test -run XXX -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$target > /tmp/fuzz.$$fn.log 2>&1; then \
	      if grep -q 'context deadline exceeded' /tmp/fuzz.$$fn.log && ! grep -q 'Failing input written' /tmp/fuzz.$$fn.log; then \
	        echo "  (go test -fuzz ended during minimisation: no crasher; continuing)"; \
	      else cat /tmp/fuzz.$$fn.log; exit 1; fi; \
	    fi; \
	  done; \
	done

# Micro-benchmarks of every hot component, then whole-process scenarios
# (bench/routerbench) with the built binary. To compare with another
# Fluent Bit-compatible router on the same input:
#   go run ./bench/routerbench -router sluice=bin/sluice -router fluent-bit=/path/to/fluent-bit
BENCH_N ?= 500000
bench: build
	$(GO) test -run XXX -bench . -benchmem ./internal/... ./plugins/...
	$(GO) run ./bench/routerbench -router sluice=$(BIN) -n $(BENCH_N)

# The plugin reference (docs/plugins/, docs/service.md), generated from the
# plugin declarations; run it after adding or changing a plugin's Spec and
# commit docs/. internal/plugindoc's TestGeneratedDocs fails when it is stale.
docs:
	$(GO) run ./cmd/sluice plugins --markdown-dir docs

clean:
	rm -rf bin e2e.log
