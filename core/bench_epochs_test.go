package core

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestBenchRekeyReach measures, for rooms of 10 and 50 members in one
// process on loopback, the time from a re-key to every remaining member
// holding the new key, from when on its posts are sealed under the new
// epoch (make bench).
func TestBenchRekeyReach(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	for _, n := range []int{10, 50} {
		t.Run(strconv.Itoa(n), func(t *testing.T) { benchRekeyReach(t, n) })
	}
}

// benchSettle is the quiet time before each measured re-key.
const benchSettle = 10 * time.Second

func benchRekeyReach(t *testing.T, n int) {
	ctx := context.Background()
	var nodes []*node
	var addrs []string
	for i := range n {
		nd := startNode(t, "", "N"+strconv.Itoa(i), addrs...)
		nodes = append(nodes, nd)
		addrs = append(addrs, nd.addr())
	}
	for _, nd := range nodes[1:] {
		nodes[0].waitOnline(nd, nd.currentProfile().Name)
	}
	r, err := nodes[0].CreateRoom(ctx, "#bench")
	if err != nil {
		t.Fatal(err)
	}
	code, err := nodes[0].RoomInviteCode(ctx, "#bench")
	if err != nil {
		t.Fatal(err)
	}
	for _, nd := range nodes[1:] {
		if _, err := nd.JoinRoomCode(ctx, code); err != nil {
			t.Fatal(err)
		}
	}
	nodes[0].waitFor("every member", func() bool {
		ms, _ := nodes[0].RoomMembers(ctx, r.ID)
		return len(ms) == n
	})
	var took, p50s []time.Duration
	if f := os.Getenv("HALLWAY_BENCH_CPUPROFILE"); f != "" {
		pf, err := os.Create(fmt.Sprintf("%s.%d", f, n))
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	for e := uint64(1); e <= 3; e++ {
		// A re-key is a rare event in a quiet room: let the joins, or the
		// previous re-key, finish their syncs, proofs and receipts first,
		// so that their work is not counted in this one.
		time.Sleep(benchSettle)
		// Every member's events are followed from before the re-key, so
		// each time is when its node took the key.
		reached := make(chan time.Duration, n)
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		var start time.Time
		ready := make(chan struct{})
		for _, nd := range nodes[1:] {
			ev := nd.Subscribe(wctx)
			go func() {
				<-ready
				for nd.epoch(r.ID) != e {
					if _, ok := <-ev; !ok {
						return
					}
				}
				reached <- time.Since(start)
			}()
		}
		start = time.Now()
		close(ready)
		if err := nodes[0].rooms.Rekey(ctx, r.ID, nil); err != nil {
			t.Fatal(err)
		}
		var each []time.Duration
		for range nodes[1:] {
			select {
			case d := <-reached:
				each = append(each, d)
			case <-wctx.Done():
				t.Fatalf("%d of %d members hold the key of epoch %d after 2 minutes", len(each), n-1, e)
			}
		}
		cancel()
		slices.Sort(each)
		took = append(took, each[len(each)-1])
		p50s = append(p50s, each[len(each)/2])
	}
	fmt.Printf("BENCH re-key to every member of %d holding the new key (posting under it), 3 re-keys: last member %s %s %s (median member %s %s %s)\n",
		n, took[0].Round(time.Millisecond), took[1].Round(time.Millisecond), took[2].Round(time.Millisecond),
		p50s[0].Round(time.Millisecond), p50s[1].Round(time.Millisecond), p50s[2].Round(time.Millisecond))
}
