package fleet

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/internal/netlab"
)

// The desktop window runs under Xvfb on a lab host: a virtual X server
// with Mesa's software GL, and ImageMagick's import for screenshots.

var installX sync.Once

// NeedX returns once Xvfb and ImageMagick's import are there, installing
// them through apt when missing; it skips the test only when that is
// impossible.
func NeedX(t testing.TB) {
	t.Helper()
	have := func() bool {
		_, e1 := exec.LookPath("Xvfb")
		_, e2 := exec.LookPath("import")
		return e1 == nil && e2 == nil
	}
	if have() {
		return
	}
	installX.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "--no-install-recommends", "xvfb", "imagemagick")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("apt-get install xvfb imagemagick: %v\n%s", err, Tail(out, 2000))
		}
	})
	if !have() {
		t.Skip("window test: Xvfb and ImageMagick's import are missing and could not be installed (make deps-test installs them)")
	}
}

// X is an Xvfb server on a lab host, stopped when the test ends.
type X struct {
	Host    *netlab.Host
	Display string // ":N"
}

// StartX runs Xvfb on host and returns once it serves its display.
func StartX(t testing.TB, host *netlab.Host) *X {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := host.Command(context.Background(), "Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{pw}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	pw.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(pr).ReadString('\n')
		line <- strings.TrimSpace(s)
		pr.Close()
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err != nil {
			t.Fatalf("Xvfb gave no display number (%q)", n)
		}
		return &X{Host: host, Display: ":" + n}
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
		return nil
	}
}

// Shot saves a screenshot of the whole screen as PNG at path.
func (x *X) Shot(t testing.TB, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := x.Host.Command(ctx, "import", "-display", x.Display, "-window", "root", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() < 1000 {
		t.Fatalf("screenshot %s missing or empty: %v", path, err)
	}
}

// PixelsChanged counts the pixels that differ between two screenshots.
func PixelsChanged(t testing.TB, a, b string) int {
	t.Helper()
	out, _ := exec.Command("compare", "-metric", "AE", a, b, "null:").CombinedOutput()
	f, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("compare screenshots: %q", out)
	}
	return int(f)
}

// NewWindow prepares the desktop window (hallway without a verb) called
// name on x's display and host, with a fresh data folder; Start runs it
// and returns once the window shows its running node. Every CLI verb and
// control call works against it as against a daemon.
func NewWindow(t testing.TB, x *X, name string, args ...string) *Daemon {
	t.Helper()
	d := New(t, x.Host, name, args...)
	d.Display = x.Display
	return d
}
