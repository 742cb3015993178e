package e2e

import (
	"fmt"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// TestBenchReach: an office of 3 subnets × 2 colleagues from one invite
// code, next to the same 6 on one subnet (mDNS alone), until everyone
// lists everyone; then on a lab where two colleagues sit on an isolating
// Wi-Fi: direct messages and a file relayed by a colleague, next to the
// same over a direct path, and raw TCP over that path.
func TestBenchReach(t *testing.T) {
	benchOnly(t)
	const runs = 5
	names := []string{"Ann", "Abe", "Bob", "Bea", "Cat", "Cid"}
	var routed, flat []time.Duration
	for range runs {
		t.Run("3 subnets", func(t *testing.T) {
			lab := netlab.NewRouted(t, netlab.Subnet{Hosts: 2}, netlab.Subnet{Hosts: 2}, netlab.Subnet{Hosts: 2})
			_, _, took := officeStart(t, lab, names, time.Minute)
			routed = append(routed, took)
		})
		t.Run("1 subnet", func(t *testing.T) {
			_, _, took := officeStart(t, netlab.New(t, 6), names, time.Minute)
			flat = append(flat, took)
		})
	}
	r, f := summarize(routed), summarize(flat)
	fmt.Printf("BENCH start → all 6 listed, 3 subnets from one invite code (%d runs): %s\n", runs, r)
	fmt.Printf("BENCH start → all 6 listed, 1 subnet, mDNS (%d runs): %s\n", runs, f)
	fmt.Printf("BENCH 3 subnets / 1 subnet: p50 %.2fx\n", float64(r.p50)/float64(f.p50))

	lab := netlab.NewRouted(t, netlab.Subnet{Hosts: 2}, netlab.Subnet{Hosts: 2, Isolated: true})
	ds, _, _ := officeStart(t, lab, []string{"Ann", "Abe", "Cat", "Cid"}, time.Minute)
	ann, cat, cid := ds[0], ds[2], ds[3]
	if _, via, _ := route(cat, cid.ID()); via != "relay" {
		t.Fatalf("Cat reaches Cid via %q", via)
	}
	direct := summarize(dmLatencies(t, cat, ann, 210))
	relayed := summarize(dmLatencies(t, cat, cid, 210))
	rtt := summarize(tcpRoundTripsOf(t, lab.Host(3), lab.Host(1), 1000))
	fmt.Printf("BENCH DM latency direct, across the router (200 msgs): %s\n", direct)
	fmt.Printf("BENCH DM latency relayed by a colleague (200 msgs): %s\n", relayed)
	fmt.Printf("BENCH raw TCP round trip across the router: %s\n", rtt)
	fmt.Printf("BENCH relayed / direct DM: p50 %.2fx, p99 %.2fx\n", float64(relayed.p50)/float64(direct.p50), float64(relayed.p99)/float64(direct.p99))

	const size = 256 << 20
	src, _ := fleet.RandomFile(t, t.TempDir(), "plans.bin", size)
	mb := float64(size) / 1e6
	tcp := rawTCPThroughputOf(t, lab.Host(3), lab.Host(1), src)
	fileTo := func(to *fleet.Daemon) (time.Duration, chat.Transfer) {
		id := offer(t, cat, to, to.Name, src)
		start := time.Now()
		got := fleet.Decode[chat.Transfer](t, to.CLI("file", "accept", id, "--wait", "--json"))
		if got.State != "done" {
			t.Fatalf("transfer to %s: %+v", to.Name, got)
		}
		return time.Since(start), got
	}
	dt, _ := fileTo(ann)
	first, _ := fileTo(cid) // tries a direct path first, for 3 s
	rt, got := fileTo(cid)  // knows there is none
	fmt.Printf("BENCH raw TCP across the router (256 MiB): %.0f MB/s\n", mb/tcp.Seconds())
	fmt.Printf("BENCH file direct across the router (256 MiB, verified, to disk): %.0f MB/s\n", mb/dt.Seconds())
	fmt.Printf("BENCH file relayed by a colleague, first (256 MiB, after a 3 s direct try): %.0f MB/s\n", mb/first.Seconds())
	fmt.Printf("BENCH file relayed by a colleague, next (256 MiB, relayed=%v): %.0f MB/s\n", got.Relayed, mb/rt.Seconds())
	fmt.Printf("BENCH relayed / direct file = %.2fx;  relayed / raw TCP = %.2fx\n", dt.Seconds()/rt.Seconds(), tcp.Seconds()/rt.Seconds())
}
