package wine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// MinGW is the C cross-compiler cgo uses for windows/amd64.
const MinGW = "x86_64-w64-mingw32-gcc"

// WindowsEnv is the environment of a windows/amd64 build with cgo.
func WindowsEnv() []string {
	return append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC="+MinGW)
}

// Root is the module's folder.
func Root(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// RequireMinGW skips the test when the cross-compiler is missing.
func RequireMinGW(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath(MinGW); err != nil {
		t.Skipf("%s missing (Debian package gcc-mingw-w64-x86-64; make deps-test installs it)", MinGW)
	}
}

// Prefix is a Wine prefix of its own (a fake C: drive and registry), set
// up once per test binary and removed by Cleanup.
type Prefix struct{ Dir string }

var prefix struct {
	once sync.Once
	p    *Prefix
	err  error
}

// Setup returns the package's Wine prefix, creating it on first use; it
// skips the test where Wine or MinGW-w64 is missing.
func Setup(t testing.TB) *Prefix {
	t.Helper()
	RequireMinGW(t)
	if _, err := exec.LookPath("wine"); err != nil {
		t.Skip("wine missing (Debian package wine; make deps-test installs it)")
	}
	prefix.once.Do(func() { prefix.p, prefix.err = newPrefix() })
	if prefix.err != nil {
		t.Fatal(prefix.err)
	}
	return prefix.p
}

func newPrefix() (*Prefix, error) {
	dir, err := os.MkdirTemp("", "hallway-wine-")
	if err != nil {
		return nil, err
	}
	p := &Prefix{Dir: dir}
	boot := p.Command(context.Background(), "wineboot", "--init")
	if out, err := boot.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("wineboot: %v\n%s", err, out)
	}
	src, err := filepath.Abs(filepath.Join("testdata", "bcryptprimitives.c"))
	if err != nil {
		return nil, err
	}
	dll := filepath.Join(dir, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	if _, err := os.Stat(dll); errors.Is(err, os.ErrNotExist) {
		cc := exec.Command(MinGW, "-shared", "-O2", "-o", dll, src, "-ladvapi32")
		if out, err := cc.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build bcryptprimitives.dll: %v\n%s", err, out)
		}
	}
	return p, nil
}

// Command runs a Wine tool or a Windows program (its Linux path) in the
// prefix, without a display and with Wine's debug output off.
func (p *Prefix) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	if strings.HasSuffix(name, ".exe") {
		args = append([]string{name}, args...)
		name = "wine"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "WINEPREFIX="+p.Dir, "WINEDEBUG=-all", "DISPLAY=", "WAYLAND_DISPLAY=",
		// No Mono or Gecko install prompts: nothing here needs them.
		"WINEDLLOVERRIDES=mscoree=;mshtml=")
	return cmd
}

// Cleanup stops the prefix's wineserver and removes the prefix; call it
// from TestMain after m.Run.
func Cleanup() {
	if p := prefix.p; p != nil {
		p.Command(context.Background(), "wineserver", "--kill").Run()
		os.RemoveAll(p.Dir)
	}
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// built holds the hallway.exe builds, by kind.
var built struct {
	sync.Mutex
	paths map[bool]string
	dir   string
}

// Exe returns hallway.exe built from this module for windows/amd64 with
// cgo (the window included), as shipped, building it on first use.
func Exe(t testing.TB) string { return buildExe(t, false) }

// WineExe is Exe with Go's older way of deleting files switched on (see
// deleteFallback), for running under Wine 8.
func WineExe(t testing.TB) string { return buildExe(t, true) }

func buildExe(t testing.TB, forWine bool) string {
	t.Helper()
	RequireMinGW(t)
	root := Root(t)
	built.Lock()
	defer built.Unlock()
	if p, ok := built.paths[forWine]; ok {
		return p
	}
	if built.dir == "" {
		dir, err := os.MkdirTemp("", "hallway-exe-")
		if err != nil {
			t.Fatal(err)
		}
		built.dir, built.paths = dir, map[bool]string{}
	}
	name := "hallway.exe"
	args := []string{"build"}
	if forWine {
		name = "wine/hallway.exe"
		ov, err := fallbackOverlay(built.dir, map[string]string{root: "main"})
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "-overlay", ov, "-ldflags=-checklinkname=0")
	}
	path := filepath.Join(built.dir, name)
	cmd := exec.Command("go", append(args, "-o", path, ".")...)
	cmd.Dir, cmd.Env = root, WindowsEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	built.paths[forWine] = path
	return path
}

// deleteFallback is added to the Windows builds run under Wine: Wine 8
// does not implement the FileDispositionInformationEx call with which Go
// deletes through an open folder (os.Root.Remove, os.RemoveAll, so every
// t.TempDir cleanup too), and reports "Invalid function" instead of "not
// supported", so Go does not fall back by itself. This switch, Go's own
// for testing the fallback, makes it delete the way Windows versions
// before 10 1607 need. Real Windows builds do not have it.
const deleteFallback = `package %s

import _ "unsafe"

//go:linkname wineDeleteatFallback internal/syscall/windows.TestDeleteatFallback
var wineDeleteatFallback bool

func init() { wineDeleteatFallback = true }
`

// fallbackOverlay writes, under dir, a go build overlay that adds
// deleteFallback to each package folder (mapped to its package name), and
// returns its path.
func fallbackOverlay(dir string, pkgs map[string]string) (string, error) {
	replace := map[string]string{}
	for pkgDir, name := range pkgs {
		src := filepath.Join(dir, fmt.Sprintf("fallback_%d.go", len(replace)))
		if err := os.WriteFile(src, []byte(fmt.Sprintf(deleteFallback, name)), 0o600); err != nil {
			return "", err
		}
		replace[filepath.Join(pkgDir, "zz_wine_fallback_test.go")] = src
		if name == "main" {
			replace[filepath.Join(pkgDir, "zz_wine_fallback.go")] = src
			delete(replace, filepath.Join(pkgDir, "zz_wine_fallback_test.go"))
		}
	}
	ov, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("overlay%d.json", len(pkgs)))
	return path, os.WriteFile(path, ov, 0o600)
}
