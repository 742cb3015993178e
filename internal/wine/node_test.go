package wine

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// node is one running `hallway daemon`, Linux or Windows, driven only
// through its own CLI (for the Windows one: hallway.exe under Wine, which
// reaches the daemon through its control pipe).
type node struct {
	t      *testing.T
	name   string
	dir    string // data folder, a Linux path
	port   int
	cli    func(ctx context.Context, args ...string) *exec.Cmd
	winDir func(string) string // the path the node's program sees
	events chan struct{}       // a tick per `watch --json` event
	log    *os.File
}

// winPath is how a Windows program under Wine sees the Linux path p.
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// linuxPath undoes winPath.
func linuxPath(p string) string {
	return strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(p, "Z:"), "z:"), `\`, "/")
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs the daemon with static peers only and waits for its
// "Hallway running" line, then follows its events.
func (n *node) start(args ...string) {
	t := n.t
	t.Helper()
	var err error
	if n.log, err = os.Create(filepath.Join(n.dir, "..", n.name+".log")); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(n.dir, "dl"), 0o700)
	full := append([]string{"daemon", "--name", n.name, "--no-mdns", "--auto-accept", "100MiB",
		"--listen", "/ip4/127.0.0.1/tcp/" + strconv.Itoa(n.port), "--downloads", n.winDir(filepath.Join(n.dir, "dl"))}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := n.cli(ctx, full...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = n.log, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", n.name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); pw.Close(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			b, _ := os.ReadFile(n.log.Name())
			t.Logf("--- %s's log:\n%s", n.name, tail(b, 4000))
		}
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		signalled := false
		for sc.Scan() {
			fmt.Fprintln(n.log, sc.Text())
			if !signalled && strings.Contains(sc.Text(), "Hallway running") {
				signalled = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-done:
		t.Fatalf("%s exited at start", n.name)
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s did not start", n.name)
	}
	n.watch(ctx)
}

// watch turns each event the node reports into a tick for waitFor.
func (n *node) watch(ctx context.Context) {
	n.events = make(chan struct{}, 1)
	cmd := n.cli(ctx, "watch", "--json", "--data", n.winDir(n.dir))
	out, err := cmd.StdoutPipe()
	if err != nil {
		n.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 8<<20)
		for sc.Scan() {
			select {
			case n.events <- struct{}{}:
			default:
			}
		}
		cmd.Wait()
	}()
}

// run runs one CLI verb against the node and returns its stdout.
func (n *node) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := n.cli(ctx, append(args, "--data", n.winDir(n.dir))...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%s: hallway %s: %v: %s", n.name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// must is run failing the test on an error.
func (n *node) must(args ...string) string {
	n.t.Helper()
	out, err := n.run(args...)
	if err != nil {
		n.t.Fatal(err)
	}
	return out
}

// jsonOf runs a --json verb and decodes its output into v.
func (n *node) jsonOf(v any, args ...string) {
	n.t.Helper()
	out := n.must(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		n.t.Fatalf("%s: hallway %s: decode %q: %v", n.name, strings.Join(args, " "), out, err)
	}
}

// waitFor re-checks cond at each event of the node until it holds. A slow
// tick covers conditions no event announces.
func (n *node) waitFor(what string, timeout time.Duration, cond func() bool) {
	n.t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for !cond() {
		select {
		case <-n.events:
		case <-tick.C:
		case <-deadline:
			n.t.Fatalf("%s: %s: not within %s", n.name, what, timeout)
		}
	}
}
