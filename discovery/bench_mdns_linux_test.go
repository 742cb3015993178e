package discovery

// TestBenchMDNSScale runs an office of N Hallways' discovery, the real MDNS
// with the product's round gap, one per host of a netlab LAN (a namespace
// each, on one bridge), and counts what goes over the mDNS group once the
// office has settled.

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"hallway/internal/benchenv"
	"hallway/internal/netlab"
)

func TestBenchMDNSScale(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	if err := netlab.Available(); err != nil {
		t.Skipf("benchmark needs network namespaces: %v", err)
	}
	// Three minutes hold two of the cycles in which every colleague is
	// asked again (two to four rounds at the 30 s gap).
	window := 3 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("HALLWAY_MDNS_WINDOW")); err == nil && d > 0 {
		window = d
	}
	sizes, err := benchenv.OfficeSizes()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sizes {
		if err := benchMDNS(t, n, window); err != nil {
			fmt.Printf("BENCH mdns N=%d: breaks: %v\n", n, err)
		}
	}
}

// countingSink counts the distinct colleagues a node has seen and says
// when it has seen want of them.
type countingSink struct {
	mu   sync.Mutex
	seen map[peer.ID]bool
	want int
	all  chan struct{} // closed at want
}

func (s *countingSink) PeerSeen(_ context.Context, sg Sighting) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[sg.ID] {
		return
	}
	s.seen[sg.ID] = true
	if len(s.seen) == s.want {
		close(s.all)
	}
}

func benchMDNS(t *testing.T, n int, window time.Duration) error {
	lab, err := netlab.NewLab(n)
	if err != nil {
		return fmt.Errorf("building a LAN of %d namespaces: %w", n, err)
	}
	defer func() {
		if err := lab.Down(); err != nil {
			t.Error(err)
		}
	}()
	baseline := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	// The counter listens in host 1, beside that host's MDNS: multicast
	// reaches every socket that joined the group, its own host's too.
	var tally mdnsTally
	if err := tally.listen(ctx, lab.Host(1)); err != nil {
		return fmt.Errorf("counting packets: %w", err)
	}
	defer tally.close()

	dropsAtStart := udpDrops(lab)
	start := time.Now()
	nodes := make([]*labNode, n)
	sinks := make([]*countingSink, n)
	for i := range n {
		nodes[i] = &labNode{host: lab.Host(i + 1), id: newPeerID(t), port: 4001}
		sinks[i] = &countingSink{seen: map[peer.ID]bool{}, want: n - 1, all: make(chan struct{})}
		runLabMDNS(ctx, t, nodes[i], MDNSConfig{Self: nodes[i].id, Port: 4001, WorkspaceTag: "office"}, sinks[i])
	}
	started := time.Since(start)
	defer func() {
		for _, nd := range nodes {
			nd.stop()
		}
	}()

	// Everyone finds everyone, or the deadline says how far they got.
	found := time.Duration(0)
	deadline := time.After(2 * time.Minute)
	complete := 0
wait:
	for _, s := range sinks {
		select {
		case <-s.all:
			complete++
		case <-deadline:
			break wait
		}
	}
	if complete == n {
		found = time.Since(start)
	}
	findDrops := udpDrops(lab) - dropsAtStart
	// Settled: every node's rounds are at the longest gap (1+2+4+8+16 s
	// of fast rounds) and zeroconf's announcements are over.
	if rest := time.Until(start.Add(started + 45*time.Second)); rest > 0 {
		time.Sleep(rest)
	}

	before := tally.snapshot()
	wire0, err := portTraffic(lab)
	if err != nil {
		return err
	}
	drops0 := udpDrops(lab)
	cpu0 := benchenv.CPUTime()
	time.Sleep(window)
	after := tally.snapshot()
	wire, err := portTraffic(lab)
	if err != nil {
		return err
	}
	wire = wire.minus(wire0)
	drops := udpDrops(lab) - drops0
	cpu := benchenv.CPUTime() - cpu0

	d := after.minus(before)
	perMin := func(x int64) float64 { return float64(x) / float64(n) / window.Minutes() }
	foundText := fmt.Sprintf("all found each other in %s (%d UDP receive drops meanwhile)", found.Round(100*time.Millisecond), findDrops)
	if complete < n {
		fewest := n
		for _, s := range sinks {
			s.mu.Lock()
			fewest = min(fewest, len(s.seen))
			s.mu.Unlock()
		}
		foundText = fmt.Sprintf("only %d of %d found everyone within 2 min, the fewest found %d of %d (%d UDP receive drops meanwhile)", complete, n, fewest, n-1, findDrops)
	}
	fmt.Printf("BENCH mdns N=%d settled, per node per minute: %.2f mDNS packets (%.2f queries, %.2f answers; IPv4 %.2f, IPv6 %.2f), %.0f bytes of DNS; on the wire %.2f frames, %.0f bytes; whole LAN %.1f queries/min; %s; settled window %s: CPU %.0f%% of a core, %d UDP receive drops, machine load %s\n",
		n, perMin(d.packets()), perMin(d.queries), perMin(d.answers), perMin(d.v4), perMin(d.v6), perMin(d.bytes),
		perMin(wire.packets), perMin(wire.bytes), float64(d.queries)/window.Minutes(), foundText, window, 100*cpu.Seconds()/window.Seconds(), drops, benchenv.LoadAverage())
	if complete < n {
		return fmt.Errorf("%d of %d nodes had not seen every colleague after 2 min", n-complete, n)
	}

	for _, nd := range nodes {
		nd.stop()
	}
	tally.close()
	settled := func() bool {
		return runtime.NumGoroutine() <= baseline+8 && !strings.Contains(allStacks(), "grandcat/zeroconf")
	}
	if err := eventually(ctx, 15*time.Second, settled); err != nil {
		return fmt.Errorf("%d goroutines left after stopping, %d before", runtime.NumGoroutine(), baseline)
	}
	return nil
}
