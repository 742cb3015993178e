package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hallway/control"
	"hallway/internal/netlab"
)

// binary is the hallway executable built once for the package.
var binary string

func TestMain(m *testing.M) {
	code := func() int {
		if netlab.Available() != nil {
			return m.Run() // every test skips with the reason
		}
		dir, err := os.MkdirTemp("", "hallway-e2e-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "hallway")
		build := exec.Command("go", "build", "-o", binary, "hallway")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build hallway:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// daemon is one `hallway daemon` process on a lab host.
type daemon struct {
	t    testing.TB
	host *netlab.Host
	name string
	dir  string
	args []string
	env  []string // extra environment

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// newDaemon prepares a daemon on host with a fresh data folder; start runs it.
func newDaemon(t testing.TB, host *netlab.Host, name string, args ...string) *daemon {
	t.Helper()
	// Short path: a Unix socket path must stay under ~104 bytes.
	dir, err := os.MkdirTemp("", "hw-"+strings.ToLower(name)+"-")
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{t: t, host: host, name: name, dir: dir, args: args}
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "daemon.log")); err == nil {
				t.Logf("--- %s's log (last 3000 bytes):\n%s", name, tail(b, 3000))
			}
		}
		os.RemoveAll(dir)
	})
	return d
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// start runs the daemon and returns once its control API answers, which it
// announces with its "Hallway running" log line.
func (d *daemon) start() {
	d.t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd != nil {
		d.t.Fatalf("%s already running", d.name)
	}
	args := append([]string{"daemon", "--data", d.dir, "--name", d.name}, d.args...)
	if os.Getenv("HALLWAY_E2E_VERBOSE") != "" {
		args = append(args, "--verbose")
	}
	cmd := d.host.Command(context.Background(), binary, args...)
	cmd.Env = append(append(os.Environ(), "LANG=C.UTF-8"), d.env...)
	logf, err := os.OpenFile(filepath.Join(d.dir, "daemon.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		d.t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = logf, pw
	if err := cmd.Start(); err != nil {
		d.t.Fatalf("start %s: %v", d.name, err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		signalled := false
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if !signalled && strings.Contains(sc.Text(), "Hallway running") {
				signalled = true
				close(ready)
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
	d.cmd, d.done, d.log = cmd, done, logf
	select {
	case <-ready:
	case <-done:
		d.cmd = nil
		b, _ := os.ReadFile(filepath.Join(d.dir, "daemon.log"))
		d.t.Fatalf("%s exited at start:\n%s", d.name, b)
	case <-time.After(20 * time.Second):
		d.t.Fatalf("%s did not start within 20 s", d.name)
	}
}

// stop ends the daemon with SIGTERM (a clean quit) and waits for it.
func (d *daemon) stop() { d.signal(syscall.SIGTERM) }

// kill ends the daemon with SIGKILL, as a crash or power cut would.
func (d *daemon) kill() { d.signal(syscall.SIGKILL) }

func (d *daemon) signal(sig syscall.Signal) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return
	}
	d.cmd.Process.Signal(sig)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
		d.t.Errorf("%s did not stop on %v within 15 s", d.name, sig)
	}
	d.cmd = nil
}

func (d *daemon) pid() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return 0
	}
	return d.cmd.Process.Pid
}

func (d *daemon) client() *control.Client { return control.NewClient(d.dir) }

// cli runs `hallway --data DIR args...` as a user would and returns stdout;
// a non-zero exit fails the test unless allowFail.
func (d *daemon) cli(args ...string) string {
	d.t.Helper()
	out, err := d.cliErr(args...)
	if err != nil {
		d.t.Fatalf("hallway %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (d *daemon) cliErr(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append([]string{"--data", d.dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// watcher follows a daemon's event stream so a test can wait for a
// condition to hold, re-checking it after every event.
type watcher struct {
	d      *daemon
	what   string
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}
	done   chan error
}

// watch opens d's event stream and returns once it is live, so nothing
// that happens afterwards can be missed.
func (d *daemon) watch(what string, timeout time.Duration) *watcher {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	w := &watcher{d: d, what: what, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		w.done <- d.client().Events(ctx, func() { close(ready) }, func(control.WireEvent) bool {
			select {
			case w.wake <- struct{}{}:
			default:
			}
			return true
		})
	}()
	select {
	case <-ready:
	case err := <-w.done:
		cancel()
		d.t.Fatalf("%s: event stream for %q: %v", d.name, what, err)
	case <-ctx.Done():
		d.t.Fatalf("%s: no event stream for %q", d.name, what)
	}
	return w
}

// until returns once cond holds, failing the test at the watcher's deadline.
func (w *watcher) until(cond func() bool) {
	w.d.t.Helper()
	defer w.cancel()
	for !cond() {
		select {
		case <-w.wake:
		case err := <-w.done:
			w.d.t.Fatalf("%s: event stream ended while waiting for %s: %v", w.d.name, w.what, err)
		case <-w.ctx.Done():
			w.d.t.Fatalf("%s: timed out waiting for %s", w.d.name, w.what)
		}
	}
}

// waitFor re-checks cond after each event from d until it holds, or fails
// the test after timeout, and returns how long it took.
func (d *daemon) waitFor(what string, timeout time.Duration, cond func() bool) time.Duration {
	d.t.Helper()
	start := time.Now()
	d.watch(what, timeout).until(cond)
	return time.Since(start)
}

// waitQuiet is waitFor for a condition that no event announces (a count
// the node keeps without notifying): it re-checks on a short ticker,
// bounded by the timeout.
func (d *daemon) waitQuiet(what string, timeout time.Duration, cond func() bool) {
	d.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline.C:
			d.t.Fatalf("%s: timed out after %s waiting for %s", d.name, timeout, what)
		}
	}
}
