package wine

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWindowUnderWine: hallway.exe opens its window under Wine on an Xvfb
// display (Mesa's software GL), answers hallway.exe verbs through the
// window's control pipe, and is photographed drawing something. The
// screenshot goes to $HALLWAY_SHOTS/windows-window.png, by default
// internal/wine/testdata/shots.
func TestWindowUnderWine(t *testing.T) {
	p := Setup(t)
	for _, tool := range []string{"Xvfb", "import", "convert"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s missing (make deps-test installs it)", tool)
		}
	}
	exe := WineExe(t)
	display := startXvfb(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := p.Command(ctx, exe, "--data", winPath(dir), "--name", "Wendy", "--no-mdns", "--listen", "/ip4/127.0.0.1/tcp/0")
	cmd.Env = append(cmd.Env, "DISPLAY="+display)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = io.Discard, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); pw.Close(); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	ready := make(chan struct{})
	var logTail strings.Builder
	go func() {
		sc := bufio.NewScanner(pr)
		signalled := false
		for sc.Scan() {
			logTail.WriteString(sc.Text() + "\n")
			if !signalled && strings.Contains(sc.Text(), "window ready") {
				signalled = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-done:
		t.Fatalf("the window exited:\n%s", logTail.String())
	case <-time.After(3 * time.Minute):
		t.Fatal("the window did not come up")
	}

	win := &node{t: t, name: "Wendy", dir: dir, winDir: winPath,
		cli: func(ctx context.Context, args ...string) *exec.Cmd { return p.Command(ctx, exe, args...) }}
	if out := win.must("id"); !strings.Contains(out, "Wendy") {
		t.Fatalf("hallway.exe id against the window: %q", out)
	}

	shot := shotPath("windows-window.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	// The first frames may still be blank: each try is one more round
	// trip through the window's control pipe.
	colors := 0
	for try := 0; try < 10 && colors < 16; try++ {
		if out, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v\n%s", err, out)
		}
		out, err := exec.Command("convert", shot, "-format", "%k", "info:").Output()
		if err != nil {
			t.Fatal(err)
		}
		colors, _ = strconv.Atoi(strings.TrimSpace(string(out)))
		if colors < 16 {
			win.must("id")
		}
	}
	if colors < 16 {
		t.Fatalf("the window drew nothing (%d colours in %s)", colors, shot)
	}
	t.Logf("screenshot of the Windows window: %s (%d colours)", shot, colors)
}

// startXvfb runs an X server on a free display until the test ends.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not say its display: %v", err)
	}
	return fmt.Sprintf(":%s", strings.TrimSpace(line))
}

// shotPath is where a screenshot goes: $HALLWAY_SHOTS, else
// internal/wine/testdata/shots.
func shotPath(name string) string {
	dir := os.Getenv("HALLWAY_SHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "shots")
	}
	abs, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		return filepath.Join(dir, name)
	}
	return abs
}
