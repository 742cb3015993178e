package wine

import (
	"context"
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
	if exe.path != "" {
		os.RemoveAll(filepath.Dir(exe.path))
	}
}

var exe struct {
	once sync.Once
	path string
	err  error
}

// Exe returns hallway.exe built from this module for windows/amd64 with
// cgo (the window included), building it on first use.
func Exe(t testing.TB) string {
	t.Helper()
	RequireMinGW(t)
	root := Root(t)
	exe.once.Do(func() {
		dir, err := os.MkdirTemp("", "hallway-exe-")
		if err != nil {
			exe.err = err
			return
		}
		exe.path = filepath.Join(dir, "hallway.exe")
		cmd := exec.Command("go", "build", "-o", exe.path, ".")
		cmd.Dir, cmd.Env = root, WindowsEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			exe.err = fmt.Errorf("build hallway.exe: %v\n%s", err, out)
		}
	})
	if exe.err != nil {
		t.Fatal(exe.err)
	}
	return exe.path
}
