package e2e

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
	"sync"
	"testing"
	"time"

	"hallway/core"
	"hallway/internal/netlab"
)

// The desktop window runs under Xvfb on a namespace host: a virtual X
// server with Mesa's software GL, and ImageMagick's import for screenshots.

var installOnce sync.Once

// needX returns once Xvfb and import are there, installing them through
// apt when missing; it skips the test only when that is impossible.
func needX(t *testing.T) {
	t.Helper()
	have := func() bool {
		_, e1 := exec.LookPath("Xvfb")
		_, e2 := exec.LookPath("import")
		return e1 == nil && e2 == nil
	}
	if have() {
		return
	}
	installOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "--no-install-recommends", "xvfb", "imagemagick")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("apt-get install xvfb imagemagick: %v\n%s", err, tail(out, 2000))
		}
	})
	if !have() {
		t.Skip("window test: Xvfb and ImageMagick's import are missing and could not be installed (make deps-test installs them)")
	}
}

// xserver is an Xvfb on a lab host.
type xserver struct {
	host    *netlab.Host
	display string
	cmd     *exec.Cmd
}

func startX(t *testing.T, host *netlab.Host) *xserver {
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
	x := &xserver{host: host, cmd: cmd}
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
		x.display = ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
	}
	return x
}

// shot saves a screenshot of the whole screen as PNG.
func (x *xserver) shot(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := x.host.Command(ctx, "import", "-display", x.display, "-window", "root", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() < 1000 {
		t.Fatalf("screenshot %s missing or empty: %v", path, err)
	}
}

// window is `hallway` without a verb (the desktop app) on a lab host.
type window struct {
	*daemon
	lines chan string // the window's log, line by line
}

// startWindow runs the real window on x's display and returns once its
// node is up and the window shows it.
func startWindow(t *testing.T, x *xserver, name string, dir string, args ...string) *window {
	t.Helper()
	d := newDaemon(t, x.host, name)
	if dir != "" {
		os.RemoveAll(d.dir)
		d.dir = dir
	}
	w := &window{daemon: d, lines: make(chan string, 4096)}
	cmd := x.host.Command(context.Background(), binary, append([]string{"--data", d.dir, "--name", name}, args...)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display, "LANG=C.UTF-8", "WAYLAND_DISPLAY=", "XDG_RUNTIME_DIR="+d.dir)
	logf, err := os.OpenFile(filepath.Join(d.dir, "daemon.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = logf, pw
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start window: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			select {
			case w.lines <- sc.Text():
			default:
			}
		}
		io.Copy(io.Discard, pr)
	}()
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		pw.Close()
		logf.Close()
		close(done)
	}()
	d.mu.Lock()
	d.cmd, d.done, d.log = cmd, done, logf
	d.mu.Unlock()
	w.waitLine(t, "window ready", 60*time.Second)
	t.Logf("window up in %s", time.Since(start).Round(time.Millisecond))
	return w
}

// waitLine returns the first log line containing s, failing after timeout.
func (w *window) waitLine(t *testing.T, s string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l := <-w.lines:
			if strings.Contains(l, s) {
				return l
			}
		case <-w.done:
			b, _ := os.ReadFile(filepath.Join(w.dir, "daemon.log"))
			t.Fatalf("window exited while waiting for %q:\n%s", s, tail(b, 3000))
		case <-deadline:
			t.Fatalf("window: no %q within %s", s, timeout)
		}
	}
}

// shotPath is where a screenshot goes: $HALLWAY_SHOTS, else
// internal/e2e/testdata/shots.
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

// TestWindowReceivesDM: the real window on one host, a daemon colleague
// on another. The colleague's DM reaches the window's history, which the
// CLI reads through the window's control API, and the window is
// photographed showing it.
func TestWindowReceivesDM(t *testing.T) {
	lab := netlab.New(t, 2)
	needX(t)
	x := startX(t, lab.Host(1))
	win := startWindow(t, x, "Ann", "")
	bob := newDaemon(t, lab.Host(2), "Bob")
	bob.start()
	bobID := bob.self().PeerID
	win.waitFor("Bob online", 20*time.Second, func() bool { return win.sees(bob, bobID) })

	// Every verb works against the window.
	me := decode[core.Self](t, win.cli("id", "--json"))
	if me.Name != "Ann" {
		t.Fatalf("window id: %+v", me)
	}
	bob.waitFor("Ann", 20*time.Second, func() bool { return bob.sees(win.daemon, me.PeerID) })
	const text = "Hello from the daemon next door"
	bob.cli("send", "Ann", text, "--wait")
	msgs := decode[[]core.Message](t, win.cli("history", "Bob", "--json"))
	if len(msgs) != 1 || msgs[0].Text != text || msgs[0].From != bobID {
		t.Fatalf("window history: %+v", msgs)
	}
	win.cli("send", "Bob", "Got it, thanks!", "--wait")

	// Past the first-run screen, into Bob's conversation, as a user would
	// land there on the next start.
	before := filepath.Join(win.dir, "first-run.png")
	x.shot(t, before)
	c := win.client()
	p, err := c.Prefs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.SetupDone, p.LastConversation = true, "dm:"+bobID
	if err := c.SetPrefs(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	win.waitLine(t, "conversation shown", 30*time.Second)
	// The conversation is laid out; the next frames paint it. Screenshots
	// follow until one has left the first-run screen and the next shows
	// the same (but for a blinking cursor). Each try waits for a whole
	// screenshot, and there are few.
	path := shotPath("window.png")
	prev := filepath.Join(win.dir, "previous.png")
	for try := 0; ; try++ {
		x.shot(t, path)
		if pixelsChanged(t, before, path) > 20000 {
			if try > 0 && pixelsChanged(t, prev, path) < 2000 {
				break
			}
		}
		if try == 40 {
			t.Fatal("the window did not settle on the conversation")
		}
		if err := os.Rename(path, prev); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s", path)
}

// pixelsChanged counts the pixels that differ between two screenshots.
func pixelsChanged(t *testing.T, a, b string) int {
	t.Helper()
	out, _ := exec.Command("compare", "-metric", "AE", a, b, "null:").CombinedOutput()
	f, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("compare screenshots: %q", out)
	}
	return int(f)
}
