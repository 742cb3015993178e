# Hallway — make run: install what is missing, build, start. make test: every test.
SHELL := /bin/bash
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)
BIN := bin/hallway
export PATH := $(PATH):/usr/local/go/bin
export GOFLAGS := -buildvcs=false
# Go toolchains newer than the system's come from the Go module proxy.
export GOTOOLCHAIN := auto

# Debian packages: the C toolchain and Fyne's GL/X11/Wayland headers to build,
# iproute2 for the network-namespace tests, Xvfb (with Mesa's software GL)
# and ImageMagick (import, compare) for the window tests and screenshots.
APT_BUILD := gcc pkg-config libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev
APT_TEST := iproute2 procps socat openssh-client openssh-server xvfb imagemagick libgl1-mesa-dri

.PHONY: run build test bench soak fuzz deps deps-test vet clean package

run: deps build
	./$(BIN) $(ARGS)

build:
	$(GO) build -o $(BIN) .

deps:
	@./scripts/install-deps.sh $(APT_BUILD)

deps-test:
	@./scripts/install-deps.sh $(APT_BUILD) $(APT_TEST)

vet:
	$(GO) vet ./...

# Unit and in-process multi-host tests under the race detector, then the
# namespace end-to-end tests and the short forms of the chaos scenarios
# (they need root and skip with a reason otherwise).
test: deps-test
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m $$($(GO) list ./... | grep -v -e /internal/e2e -e /internal/chaos)
	$(GO) test -count=1 -timeout 20m ./internal/e2e/
	$(GO) test -count=1 -timeout 20m ./internal/chaos/

# The chaos scenarios in full (the durations of the threat model, a couple
# of hours on 2 cores) and every fuzz target for HALLWAY_FUZZTIME; rewrites
# docs/RELIABILITY.md with the measured results.
HALLWAY_FUZZTIME ?= 1m
soak: deps-test
	set -o pipefail; HALLWAY_SOAK=1 HALLWAY_FUZZTIME=$(HALLWAY_FUZZTIME) HALLWAY_RELIABILITY=$(CURDIR)/docs/RELIABILITY.md \
	  $(GO) test -count=1 -timeout 300m -v ./internal/chaos/ | grep --line-buffered -E '^(    [a-z0-9_]+_test\.go:[0-9]+: |--- |ok|FAIL|PASS|panic)'
	@echo "docs/RELIABILITY.md rewritten"

# Benchmarks print figures next to baselines measured in the same run.
bench: deps-test
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 300x ./storage/ ./crypto/
	HALLWAY_BENCH=1 $(GO) test -count=1 -timeout 30m -run '^TestBench' -v ./crypto/ ./storage/ ./core/ ./internal/e2e/ | grep -E '^(BENCH|--- FAIL|ok|FAIL)'

FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s $$pkg || exit 1; \
	  done; \
	done

# A Linux desktop bundle (binary, .desktop entry, icon) from FyneApp.toml,
# made by the fyne CLI, installed here when missing.
FYNE := $(shell $(GO) env GOPATH)/bin/fyne
package: deps
	@test -x $(FYNE) || GO=$(GO) ./scripts/install-fyne.sh
	rm -f Hallway.tar.xz
	cp FyneApp.toml out.FyneApp.toml.keep  # fyne package bumps the build number
	$(FYNE) package --target linux --release; s=$$?; mv out.FyneApp.toml.keep FyneApp.toml; exit $$s
	mkdir -p out && mv Hallway.tar.xz out/
	@echo "out/Hallway.tar.xz: unpack it and run 'sudo make install' inside (or copy usr/local/ by hand)"

clean:
	rm -rf bin out
