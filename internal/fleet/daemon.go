package fleet

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hallway/control"
	"hallway/internal/netlab"
)

const (
	// startTimeout bounds how long a daemon may take to serve its control API.
	startTimeout = 30 * time.Second
	// windowStartTimeout bounds how long a window under a software
	// renderer may take to show its running node.
	windowStartTimeout = 60 * time.Second
	// lineBuffer is how many log lines of a process WaitLine can look back on.
	lineBuffer = 4096
)

// Daemon is one `hallway daemon` process on a lab host, with its own data
// folder. Its methods fail the test on errors unless named ...Err.
type Daemon struct {
	T    testing.TB
	Host *netlab.Host
	Name string
	Dir  string   // data folder
	Args []string // extra daemon flags
	Env  []string // extra environment
	// Bin is the executable the daemon and CLI run; empty means Binary
	// (HeadlessBinary for the build without a window).
	Bin string
	// Display, when set, runs the desktop window (hallway without a verb)
	// on that X display instead of the headless daemon; see NewWindow.
	Display string

	// mu guards client, cmd, done, lines and exited.
	mu     sync.Mutex
	client *control.Client
	cmd    *exec.Cmd
	done   chan struct{}
	lines  chan string // the running process's log lines, for WaitLine
	exited error       // how the last process ended
}

// New prepares a daemon called name on host with a fresh data folder,
// removed when the test ends; Start runs it.
func New(t testing.TB, host *netlab.Host, name string, args ...string) *Daemon {
	t.Helper()
	// Short path: a Unix socket path must stay under ~104 bytes.
	dir, err := os.MkdirTemp("", "hw-"+strings.ToLower(name)+"-")
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{T: t, Host: host, Name: name, Dir: dir, Args: args}
	t.Cleanup(func() {
		d.Stop()
		if t.Failed() {
			t.Logf("--- %s's log (last 4000 bytes):\n%s", name, Tail(d.Log(), 4000))
		}
		os.RemoveAll(dir)
	})
	return d
}

// Start runs the daemon and returns once its control API answers, which it
// announces with its "Hallway running" log line (a window: once it shows
// its running node, "window ready").
func (d *Daemon) Start() {
	d.T.Helper()
	if err := d.StartErr(); err != nil {
		d.T.Fatal(err)
	}
}

// StartErr is Start returning the failure instead of failing the test.
func (d *Daemon) StartErr() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd != nil {
		return fmt.Errorf("%s already running", d.Name)
	}
	args := append([]string{"daemon", "--data", d.Dir, "--name", d.Name}, d.Args...)
	if os.Getenv("HALLWAY_E2E_VERBOSE") != "" {
		args = append(args, "--verbose")
	}
	env := append(os.Environ(), "LANG=C.UTF-8")
	readyLine, timeout := "Hallway running", startTimeout
	if d.Display != "" {
		args = append([]string{"--data", d.Dir, "--name", d.Name}, d.Args...)
		env = append(env, "DISPLAY="+d.Display, "WAYLAND_DISPLAY=", "XDG_RUNTIME_DIR="+d.Dir)
		readyLine, timeout = "window ready", windowStartTimeout
	}
	cmd := d.Host.Command(context.Background(), d.binary(), args...)
	cmd.Env = append(env, d.Env...)
	logf, err := os.OpenFile(filepath.Join(d.Dir, "daemon.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = logf, pw
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", d.Name, err)
	}
	ready := make(chan struct{})
	lines := make(chan string, lineBuffer)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		signalled := false
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if !signalled && strings.Contains(sc.Text(), readyLine) {
				signalled = true
				close(ready)
			}
			select {
			case lines <- sc.Text():
			default: // nobody reads them: keep the first ones only
			}
		}
		io.Copy(logf, pr)
	}()
	done := make(chan struct{})
	go func() {
		err := cmd.Wait()
		pw.Close()
		d.mu.Lock()
		d.exited = err
		d.mu.Unlock()
		close(done)
	}()
	d.cmd, d.done, d.lines = cmd, done, lines
	select {
	case <-ready:
		return nil
	case <-done:
		d.cmd = nil
		return fmt.Errorf("%s exited at start:\n%s", d.Name, Tail(d.Log(), 4000))
	case <-time.After(timeout):
		return fmt.Errorf("%s did not start within %s", d.Name, timeout)
	}
}

// Stop ends the daemon with SIGTERM (a clean quit) and waits for it.
func (d *Daemon) Stop() { d.signal(syscall.SIGTERM) }

// Kill ends the daemon with SIGKILL, as a crash or a power cut would.
func (d *Daemon) Kill() { d.signal(syscall.SIGKILL) }

// Quit ends the daemon with SIGQUIT, which makes it write every
// goroutine's stack to its log first, and waits until it has exited.
func (d *Daemon) Quit() { d.signal(syscall.SIGQUIT) }

// Restart stops the daemon cleanly and starts it again.
func (d *Daemon) Restart() {
	d.T.Helper()
	d.Stop()
	d.Start()
}

func (d *Daemon) signal(sig syscall.Signal) {
	d.mu.Lock()
	cmd, done := d.cmd, d.done
	d.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
		d.T.Errorf("%s did not stop on %v within 15 s", d.Name, sig)
	}
	d.mu.Lock()
	d.cmd = nil
	d.mu.Unlock()
}

// WaitExit waits for the process to end by itself (the user quit it),
// failing the test after timeout.
func (d *Daemon) WaitExit(timeout time.Duration) {
	d.T.Helper()
	d.mu.Lock()
	done := d.done
	d.mu.Unlock()
	if done == nil {
		d.T.Fatalf("%s: waiting for its end before Start", d.Name)
	}
	select {
	case <-done:
	case <-time.After(timeout):
		d.T.Fatalf("%s still running after %s", d.Name, timeout)
	}
}

// Running reports whether the process is alive (it has not exited by
// itself, crashed or panicked since Start).
func (d *Daemon) Running() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return false
	}
	select {
	case <-d.done:
		return false
	default:
		return true
	}
}

// Pid is the process id, or 0 when not running.
func (d *Daemon) Pid() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return 0
	}
	return d.cmd.Process.Pid
}

// RSS is the resident memory of the process in bytes (0 when not running).
func (d *Daemon) RSS() int64 {
	pid := d.Pid()
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Client is the control API client for the daemon's data folder. It is
// shared, so its idle connections are reused instead of piling up in the
// daemon.
func (d *Daemon) Client() *control.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.client == nil {
		d.client = control.NewClient(d.Dir)
	}
	return d.client
}

// binary is the executable the daemon and its CLI run.
func (d *Daemon) binary() string {
	if d.Bin != "" {
		return d.Bin
	}
	return Binary(d.T)
}

// CLI runs `hallway --data DIR args...` as a user would and returns stdout.
func (d *Daemon) CLI(args ...string) string {
	d.T.Helper()
	out, err := d.CLIErr(args...)
	if err != nil {
		d.T.Fatalf("hallway %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// CLIErr is CLI returning a non-zero exit as an error carrying stderr.
func (d *Daemon) CLIErr(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.binary(), append([]string{"--data", d.Dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
