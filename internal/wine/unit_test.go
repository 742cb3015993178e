package wine

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// notUnderWine are the packages whose tests do not run as Windows
// binaries, and why.
var notUnderWine = map[string]string{
	"hallway":                 "the window's entry point: its build is TestCrossCompileWindows",
	"hallway/app":             "the window's tests need a GL display",
	"hallway/internal/e2e":    "needs root network namespaces (Linux only)",
	"hallway/internal/chaos":  "needs root network namespaces (Linux only)",
	"hallway/internal/netlab": "network namespaces (Linux only)",
	"hallway/internal/fleet":  "drives daemons in network namespaces (Linux only)",
	"hallway/internal/layers": "reads the import graph with go list: the same on every platform",
	"hallway/internal/wine":   "this harness",
}

// unitTimeout bounds one package's test binary under Wine.
const unitTimeout = 15 * time.Minute

// TestUnitTestsUnderWine compiles the unit tests of every package that
// needs no display for windows/amd64 and runs each binary under Wine, in
// its package folder as `go test` would. HALLWAY_WINE_PKGS (a regular
// expression on import paths) narrows the packages and
// HALLWAY_WINE_COUNT runs each test that many times, to chase a test that
// fails only now and then under Windows.
func TestUnitTestsUnderWine(t *testing.T) {
	only, err := regexp.Compile(os.Getenv("HALLWAY_WINE_PKGS"))
	if err != nil {
		t.Fatalf("HALLWAY_WINE_PKGS: %v", err)
	}
	count := "1"
	if c := os.Getenv("HALLWAY_WINE_COUNT"); c != "" {
		count = c
	}
	p := Setup(t)
	root := Root(t)
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Name}} {{.Dir}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	bin := t.TempDir()
	type pkg struct{ path, dir, exe string }
	var pkgs []pkg
	names := map[string]string{}
	for line := range strings.Lines(string(out)) {
		f := strings.SplitN(strings.TrimSpace(line), " ", 3)
		if _, skip := notUnderWine[f[0]]; skip || len(f) != 3 || !only.MatchString(f[0]) {
			continue
		}
		pkgs = append(pkgs, pkg{f[0], f[2], filepath.Join(bin, strings.ReplaceAll(f[0], "/", "_")+".test.exe")})
		names[f[2]] = f[1]
	}
	ovPath, err := fallbackOverlay(bin, names)
	if err != nil {
		t.Fatal(err)
	}
	for _, pk := range pkgs {
		cmd := exec.Command("go", "test", "-c", "-overlay", ovPath, "-ldflags=-checklinkname=0", "-o", pk.exe, pk.path)
		cmd.Dir, cmd.Env = root, WindowsEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("compile %s for windows: %v\n%s", pk.path, err, out)
		}
	}
	// Two binaries at a time: the machine may have only two cores.
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, pk := range pkgs {
		if _, err := os.Stat(pk.exe); err != nil {
			t.Logf("%s: no tests", pk.path)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out, err := runUnit(p, pk.exe, pk.dir, count)
			if err != nil && lostServer(out) {
				// Wine itself failed, not the tests: run them all again once.
				t.Logf("%s: the wineserver dropped the test binary; running it again\n%s", pk.path, tail(out, 600))
				out, err = runUnit(p, pk.exe, pk.dir, count)
			}
			if err != nil {
				t.Errorf("%s under wine: %v\n%s", pk.path, err, tail(out, 6000))
				return
			}
			t.Logf("%s under wine: %s", pk.path, lastLine(out))
		}()
	}
	wg.Wait()
}

// runUnit runs one package's test binary under Wine in its folder.
func runUnit(p *Prefix, exe, dir, count string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), unitTimeout)
	defer cancel()
	cmd := p.Command(ctx, exe, "-test.count="+count, "-test.timeout="+(unitTimeout-time.Minute).String())
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

// lostServer reports whether a failed run ended because the Wine client
// lost its wineserver ("wine client error:…"), an error of Wine's
// own that no Windows program can cause or see, rather than of a test.
func lostServer(out []byte) bool {
	return bytes.Contains(out, []byte("wine client error:")) && !bytes.Contains(out, []byte("--- FAIL"))
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
