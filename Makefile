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
# and ImageMagick (import, compare) for the window tests and screenshots,
# dbus-daemon and sway (run headless, about 4 MB with its libraries) for the
# desktop idle-time tests.
APT_BUILD := gcc pkg-config libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev
APT_TEST := iproute2 procps socat openssh-client openssh-server xvfb imagemagick libgl1-mesa-dri dbus-daemon sway
# The Windows build: MinGW-w64 for cgo (its windres compiles the icon and
# version resource), ImageMagick for the .ico, zip for the package; Wine
# runs the Windows binaries in the tests.
APT_WINDOWS := gcc-mingw-w64-x86-64 imagemagick zip
APT_WINE := wine wine64
# Syncthing, a baseline of the file-transfer benchmark: make bench only.
APT_BENCH := syncthing
WINDOWS_ENV := GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc

.PHONY: run build daemon test bench soak fuzz deps deps-test deps-bench deps-windows vet clean package windows package-windows

run: deps build
	./$(BIN) $(ARGS)

build:
	$(GO) build -o $(BIN) .

# The headless build: the daemon and every verb, no window, no Fyne, no
# cgo, for servers, bots and always-on PCs. Cross-compiles like any Go
# program: make daemon GOOS=darwin GOARCH=arm64 (or windows, linux/arm64).
daemon:
	CGO_ENABLED=0 $(GO) build -tags headless -o bin/headless/hallway$(if $(filter windows,$(GOOS)),.exe) .

deps:
	@./scripts/install-deps.sh $(APT_BUILD)

deps-test:
	@./scripts/install-deps.sh $(APT_BUILD) $(APT_TEST) $(APT_WINDOWS) $(APT_WINE)

deps-bench: deps-test
	@./scripts/install-deps.sh $(APT_BENCH)

deps-windows:
	@./scripts/install-deps.sh $(APT_WINDOWS)

# hallway.exe for windows/amd64, cross-compiled with cgo and MinGW-w64,
# with the app icon and version information from FyneApp.toml.
windows: deps-windows
	./scripts/windows-resource.sh rsrc_windows_amd64.syso
	$(WINDOWS_ENV) $(GO) build -ldflags "-s -w" -o bin/hallway.exe .; s=$$?; rm -f rsrc_windows_amd64.syso; exit $$s
	@ls -l bin/hallway.exe

# out/Hallway-windows-amd64.zip: hallway.exe, install.cmd (a per-user
# install with a Start-menu shortcut), uninstall.cmd and a README.
package-windows: windows
	rm -rf out/windows out/Hallway-windows-amd64.zip && mkdir -p out/windows
	cp bin/hallway.exe scripts/windows/* out/windows/
	cd out/windows && zip -q -X ../Hallway-windows-amd64.zip *
	rm -rf out/windows
	@echo "out/Hallway-windows-amd64.zip: unpack it on Windows and double-click install.cmd"

vet:
	$(GO) vet ./...

# Unit and in-process multi-host tests under the race detector, then the
# namespace end-to-end tests and the short forms of the chaos scenarios
# (they need root and skip with a reason otherwise), then the Windows
# build under Wine (internal/wine).
test: deps-test
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m $$($(GO) list ./... | grep -v -e /internal/e2e -e /internal/chaos -e /internal/wine)
	$(GO) test -count=1 -timeout 20m ./internal/e2e/
	$(GO) test -count=1 -timeout 40m ./internal/wine/
	$(GO) test -count=1 -timeout 20m ./internal/chaos/

# The chaos scenarios in full (the durations of the threat model, a couple
# of hours on 2 cores) and every fuzz target for HALLWAY_FUZZTIME; rewrites
# docs/RELIABILITY.md with the measured results.
HALLWAY_FUZZTIME ?= 1m
# SOAK_RUN picks scenarios by test name (go test -run), e.g. 'R4|S9'; only
# their rows of docs/RELIABILITY.md are rewritten.
SOAK_RUN ?= .
soak: deps-test
	set -o pipefail; HALLWAY_SOAK=1 HALLWAY_FUZZTIME=$(HALLWAY_FUZZTIME) HALLWAY_RELIABILITY=$(CURDIR)/docs/RELIABILITY.md \
	  $(GO) test -count=1 -timeout 300m -v -run '$(SOAK_RUN)' ./internal/chaos/ | grep --line-buffered -E '^(    [a-z0-9_]+_test\.go:[0-9]+: |--- |ok|FAIL|PASS|panic)'
	@echo "docs/RELIABILITY.md: the rows of the scenarios that ran rewritten"

# Benchmarks print figures next to baselines measured in the same run, one
# package at a time (-p 1) so that none is measured under another's load.
bench: deps-bench
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 300x ./storage/ ./crypto/
	$(GO) test -count=1 -run '^$$' -bench 'Membership|PlainEnvelopes' -benchtime 100x ./core/rooms/
	$(GO) test -count=1 -run '^$$' -bench 'IntroductionOfOneColleague|DecodeProfile|ConnectedColleagues' -benchtime 20000x ./p2p/
	HALLWAY_BENCH=1 $(GO) test -p 1 -count=1 -timeout 60m -run '^TestBench' -v ./crypto/ ./storage/ ./core/ ./core/rooms/ ./discovery/ ./app/ ./internal/e2e/ | grep -E '^(BENCH|--- FAIL|ok|FAIL)'

FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s $$pkg || exit 1; \
	  done; \
	done

# A desktop bundle from FyneApp.toml, made by the fyne CLI (installed here
# when missing): on Linux out/Hallway.tar.xz (binary, .desktop entry,
# icon), on a Mac out/Hallway.app (it needs the Xcode command line tools;
# Fyne's window needs cgo, so the app cannot be cross-built from Linux).
FYNE := $(shell $(GO) env GOPATH)/bin/fyne
ifeq ($(shell uname -s),Darwin)
package:
	@test -x $(FYNE) || GO=$(GO) ./scripts/install-fyne.sh
	rm -rf Hallway.app
	cp FyneApp.toml out.FyneApp.toml.keep  # fyne package bumps the build number
	$(FYNE) package --target darwin --release; s=$$?; mv out.FyneApp.toml.keep FyneApp.toml; exit $$s
	mkdir -p out && rm -rf out/Hallway.app && mv Hallway.app out/
	@echo "out/Hallway.app: drag it into /Applications"
else
package: deps
	@test -x $(FYNE) || GO=$(GO) ./scripts/install-fyne.sh
	rm -f Hallway.tar.xz
	cp FyneApp.toml out.FyneApp.toml.keep  # fyne package bumps the build number
	$(FYNE) package --target linux --release; s=$$?; mv out.FyneApp.toml.keep FyneApp.toml; exit $$s
	mkdir -p out && mv Hallway.tar.xz out/
	@echo "out/Hallway.tar.xz: unpack it and run 'sudo make install' inside (or copy usr/local/ by hand)"
endif

clean:
	rm -rf bin out
