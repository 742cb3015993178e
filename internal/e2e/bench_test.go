package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"hallway/control"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// Benchmarks print figures next to a baseline measured in the same run;
// they assert nothing about time. `make bench` runs them.

func benchOnly(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
}

type stats struct{ p50, p99, min, max time.Duration }

func summarize(ds []time.Duration) stats {
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return stats{p50: at(0.50), p99: at(0.99), min: s[0], max: s[len(s)-1]}
}

func (s stats) String() string {
	return fmt.Sprintf("p50 %s  p99 %s  (min %s, max %s)", round(s.p50), round(s.p99), round(s.min), round(s.max))
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// TestBenchDiscovery: a new colleague starts on the LAN; how long until an
// already running Hallway lists them (by name, online)?
func TestBenchDiscovery(t *testing.T) {
	benchOnly(t)
	lab := netlab.New(t, 2)
	ann := fleet.New(t, lab.Host(1), "Ann")
	ann.Start()
	const runs = 15
	var took []time.Duration
	for i := range runs {
		bob := fleet.New(t, lab.Host(2), fmt.Sprintf("Bob%d", i))
		w := ann.Watch("new colleague", 10*time.Second)
		start := time.Now()
		bob.Start()
		id := bob.Self().PeerID
		w.Until(func() bool { return ann.Sees(id, bob.Name) })
		took = append(took, time.Since(start))
		if os.Getenv("HALLWAY_E2E_VERBOSE") != "" && took[len(took)-1] > time.Second {
			t.Logf("slow run %d:\n--- Bob\n%s\n--- Ann\n%s", i, bob.Log(), fleet.Tail(ann.Log(), 6000))
		}
		bob.Stop()
	}
	fmt.Printf("BENCH discovery (process start → listed online by name, mDNS, %d runs): %s\n", runs, summarize(took))
}

// TestBenchDMLatency: send → stored at the receiver between two namespace
// hosts, next to the raw TCP round trip on the same link.
func TestBenchDMLatency(t *testing.T) {
	benchOnly(t)
	lab := netlab.New(t, 2)
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob")
	ann.Start()
	bob.Start()
	ann.WaitFor("Bob", 10*time.Second, func() bool { return ann.Sees(bob.Self().PeerID, bob.Name) })

	lat := dmLatencies(t, ann, bob, 300)
	dm := summarize(lat)
	rtt := summarize(tcpRoundTrips(t, lab, 1000))
	fmt.Printf("BENCH DM latency (send → committed at receiver, %d msgs): %s\n", len(lat), dm)
	fmt.Printf("BENCH raw TCP round trip, same link (64 B ping-pong, 1000): %s\n", rtt)
	fmt.Printf("BENCH DM p50 / TCP RTT p50 = %.1fx;  DM p99 / TCP RTT p99 = %.1fx\n",
		float64(dm.p50)/float64(rtt.p50), float64(dm.p99)/float64(rtt.p99))
	fmt.Printf("BENCH fsync on this disk (the floor of a durable commit): %s\n", fsyncCost(t, ann.Dir))
}

// dmLatencies sends n direct messages from one daemon to another, one at
// a time, and measures each from send to committed at the receiver (the
// first 10 warm up and are left out).
func dmLatencies(t *testing.T, from, to *fleet.Daemon, n int) []time.Duration {
	t.Helper()
	fromID, toID := from.ID(), to.ID()
	received := make(chan time.Time, 1024)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{})
	go to.Client().Events(ctx, func() { close(ready) }, func(e control.WireEvent) bool {
		if e.Type == "message_received" && e.Message != nil && e.Message.From == fromID {
			received <- time.Now()
		}
		return true
	})
	<-ready
	c := from.Client()
	var lat []time.Duration
	for i := range n {
		start := time.Now()
		if _, err := c.Send(ctx, toID, "latency probe "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		select {
		case at := <-received:
			if i >= 10 {
				lat = append(lat, at.Sub(start))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("message %d not received", i)
		}
	}
	return lat
}

// TestBenchIdleRSS: resident memory of a daemon idling with two colleagues.
func TestBenchIdleRSS(t *testing.T) {
	benchOnly(t)
	lab := netlab.New(t, 3)
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob")
	cat := fleet.New(t, lab.Host(3), "Cat")
	for _, d := range []*fleet.Daemon{ann, bob, cat} {
		d.Start()
	}
	ann.WaitFor("colleagues", 10*time.Second, func() bool {
		return ann.Sees(bob.Self().PeerID, bob.Name) && ann.Sees(cat.Self().PeerID, cat.Name)
	})
	<-time.After(5 * time.Second) // idle: let start-up garbage be collected
	fmt.Printf("BENCH idle RSS of a daemon with 2 colleagues online: %.1f MB\n", float64(rss(t, ann)>>10)/1024)
}

// rss is a running daemon's resident memory in bytes.
func rss(t *testing.T, d *fleet.Daemon) int64 {
	t.Helper()
	n := d.RSS()
	if n == 0 {
		t.Fatalf("%s: no VmRSS", d.Name)
	}
	return n
}
