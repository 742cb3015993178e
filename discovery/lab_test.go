package discovery

// These tests run real zeroconf over real multicast, but only inside the
// network namespaces of a netlab, never on the machine's own network.
//
// Each MDNS runs in-process: Run is called through Host.Do, on a thread
// locked into the host's namespace. That is enough because MDNS makes every
// socket (announcer, each round's resolver, the interface lookups) on the
// goroutine that calls Run, while zeroconf's own goroutines only use sockets
// that already exist. The test checks it: this process's UDP 5353 sockets
// must show up in the host namespaces and never in the root one. Child
// processes via `ip netns exec` would also work but lose the in-process
// sink and goroutine accounting.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"hallway/internal/netlab"
)

// labNode is one MDNS running inside a lab host.
type labNode struct {
	host *netlab.Host
	id   peer.ID
	port int
	m    *MDNS
	sink *recordingSink
	stop func() // cancels Run and waits for it; idempotent
}

func startNode(ctx context.Context, t *testing.T, h *netlab.Host, id peer.ID, tag string, port int) *labNode {
	t.Helper()
	n := &labNode{host: h, id: id, port: port, sink: newSink()}
	// A short gap keeps new rounds coming during the test.
	runLabMDNS(ctx, t, n, MDNSConfig{Self: id, Port: port, WorkspaceTag: tag, MaxRoundGap: 2 * time.Second}, n.sink)
	return n
}

// runLabMDNS runs an MDNS made of cfg on n's lab host, on the host's
// link only, until ctx ends or n.stop is called.
func runLabMDNS(ctx context.Context, t *testing.T, n *labNode, cfg MDNSConfig, sink Sink) {
	t.Helper()
	h := n.host
	cfg.Interfaces = []net.Interface{{Name: netlab.Link}}
	var err error
	n.m, err = NewMDNS(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- h.Do(func() error {
			if err := insideLabHost(h); err != nil {
				return err
			}
			return n.m.Run(runCtx)
		})
	}()
	stopped := false
	n.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("MDNS on host %d: %v", h.Index, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("MDNS on host %d did not stop", h.Index)
		}
	}
	t.Cleanup(n.stop)
}

// insideLabHost refuses to start mDNS unless the thread sees exactly the
// lab host's network: the guard against multicast on the real LAN.
func insideLabHost(h *netlab.Host) error {
	ifaces, err := net.Interfaces()
	if err != nil {
		return err
	}
	for _, ifi := range ifaces {
		if ifi.Name != "lo" && ifi.Name != netlab.Link {
			return fmt.Errorf("interface %s in host %d: not a lab namespace", ifi.Name, h.Index)
		}
	}
	ifi, err := net.InterfaceByName(netlab.Link)
	if err != nil {
		return err
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr() == h.IP {
			return nil
		}
	}
	return fmt.Errorf("%s lacks %v: not lab host %d", netlab.Link, h.IP, h.Index)
}

func (n *labNode) waitSees(ctx context.Context, other *labNode) (Sighting, error) {
	want := fmt.Sprintf("/ip4/%s/tcp/%d", other.host.IP, other.port)
	return n.sink.waitFor(ctx, func(sg Sighting) bool {
		if sg.ID != other.id || sg.Via != ViaMDNS {
			return false
		}
		for _, a := range sg.Addrs {
			if a.String() == want {
				return true
			}
		}
		return false
	})
}

func TestMDNSOnLabLAN(t *testing.T) {
	lab := netlab.New(t, 3)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	baseline := runtime.NumGoroutine()

	start := time.Now()
	n1 := startNode(ctx, t, lab.Host(1), newPeerID(t), "office", 4001)
	n2 := startNode(ctx, t, lab.Host(2), newPeerID(t), "office", 4002)
	n3 := startNode(ctx, t, lab.Host(3), newPeerID(t), "elsewhere", 4003)

	seenCtx, seenCancel := context.WithTimeout(ctx, 3*time.Second)
	defer seenCancel()
	for _, pair := range [][2]*labNode{{n1, n2}, {n2, n1}} {
		if _, err := pair[0].waitSees(seenCtx, pair[1]); err != nil {
			t.Fatalf("host %d did not see host %d within 3 s: %v", pair[0].host.Index, pair[1].host.Index, err)
		}
		t.Logf("host %d saw host %d after %v", pair[0].host.Index, pair[1].host.Index, time.Since(start).Round(time.Millisecond))
	}

	if err := eventually(ctx, 5*time.Second, func() bool { return n1.m.OtherWorkspaces() == 1 }); err != nil {
		t.Fatalf("host 1 counts %d other workspaces, want 1: %v", n1.m.OtherWorkspaces(), err)
	}
	if err := eventually(ctx, 5*time.Second, func() bool { return n3.m.OtherWorkspaces() == 2 }); err != nil {
		t.Fatalf("host 3 counts %d other workspaces, want 2: %v", n3.m.OtherWorkspaces(), err)
	}
	// Host 3 sees one other workspace with its two peers, host 1 the one
	// of host 3; nobody lists its own.
	for _, c := range []struct {
		n    *labNode
		want string
	}{{n3, "[{office 2}]"}, {n1, "[{elsewhere 1}]"}} {
		if err := eventually(ctx, 5*time.Second, func() bool { return fmt.Sprint(c.n.m.Workspaces()) == c.want }); err != nil {
			t.Fatalf("host %d lists workspaces %v, want %s: %v", c.n.host.Index, c.n.m.Workspaces(), c.want, err)
		}
	}
	checkSockets(t, lab)

	// Host 2 drops off the LAN and its MDNS stops there, so its goodbye is
	// lost; a new one comes back on another port. Host 1 still holds the old
	// answer in its current round and must pick up the new one from a later
	// round.
	if err := lab.Cut(2); err != nil {
		t.Fatal(err)
	}
	n2.stop()
	if err := lab.Heal(2); err != nil {
		t.Fatal(err)
	}
	healed := time.Now()
	n2b := startNode(ctx, t, lab.Host(2), n2.id, "office", 4012)
	againCtx, againCancel := context.WithTimeout(ctx, 2*time.Second+3*time.Second)
	defer againCancel()
	if _, err := n1.waitSees(againCtx, n2b); err != nil {
		t.Fatalf("host 1 did not see the restarted host 2: %v", err)
	}
	t.Logf("host 1 saw the restarted host 2 after %v", time.Since(healed).Round(time.Millisecond))
	if _, err := n2b.waitSees(againCtx, n1); err != nil {
		t.Fatalf("the restarted host 2 did not see host 1: %v", err)
	}

	for _, n := range []*labNode{n1, n2, n2b, n3} {
		n.stop()
	}
	for _, n := range []*labNode{n1, n2, n2b} {
		for _, sg := range n.sink.all() {
			if sg.ID == n3.id {
				t.Errorf("host %d reported host 3 of another workspace: %v", n.host.Index, sg.Addrs)
			}
			if sg.ID == n.id {
				t.Errorf("host %d reported itself", n.host.Index)
			}
		}
	}
	if got := n3.sink.all(); len(got) != 0 {
		t.Errorf("host 3 reported peers of another workspace: %v", got)
	}

	// zeroconf's announcer keeps sleeping for up to ~3.5 s after a
	// shutdown, so the end of its goroutines is awaited, not checked at once.
	// Looking for zeroconf frames as well as at the count keeps the check
	// strict when an earlier run's goroutines inflated the baseline.
	settled := func() bool {
		return runtime.NumGoroutine() <= baseline && !strings.Contains(allStacks(), "grandcat/zeroconf")
	}
	if err := eventually(ctx, 10*time.Second, settled); err != nil {
		t.Fatalf("%d goroutines after stop, %d before:\n%s", runtime.NumGoroutine(), baseline, allStacks())
	}
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// eventually waits until cond holds, checking on a ticker, for at most d.
func eventually(ctx context.Context, d time.Duration, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// checkSockets verifies that the mDNS sockets of this process live in the
// lab hosts' namespaces and none in the root namespace.
func checkSockets(t *testing.T, lab *netlab.Lab) {
	t.Helper()
	root, err := ownUDPSockets(5353)
	if err != nil {
		t.Fatal(err)
	}
	if root != 0 {
		t.Fatalf("%d of our UDP 5353 sockets are in the root namespace", root)
	}
	for _, h := range lab.Hosts {
		var n int
		if err := h.Do(func() (err error) { n, err = ownUDPSockets(5353); return err }); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("no UDP 5353 socket of ours in host %d", h.Index)
		}
	}
}

// ownUDPSockets counts this process's UDP sockets bound to port in the
// calling thread's network namespace.
func ownUDPSockets(port int) (int, error) {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	inodes := make(map[string]bool)
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	hexPort := fmt.Sprintf(":%04X", port)
	count := 0
	for _, table := range []string{"udp", "udp6"} {
		// /proc/thread-self/net follows the thread's namespace, unlike
		// /proc/self/net, which follows the main thread's.
		f, err := os.Open("/proc/thread-self/net/" + table)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return 0, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || !strings.HasSuffix(fields[1], hexPort) {
				continue
			}
			if _, err := strconv.Atoi(fields[9]); err == nil && inodes[fields[9]] {
				count++
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return 0, err
		}
	}
	return count, nil
}
