package core

import (
	"context"
	"fmt"
	"os"
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
	var took []time.Duration
	for e := uint64(1); e <= 3; e++ {
		start := time.Now()
		if err := nodes[0].rooms.Rekey(ctx, r.ID, nil); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for i, nd := range nodes[1:] {
			for nd.epoch(r.ID) != e {
				if time.Now().After(deadline) {
					t.Fatalf("member %d of %d has no key of epoch %d after 2 minutes", i+1, n, e)
				}
				ctx, cancel := context.WithTimeout(ctx, time.Second)
				ev := nd.Subscribe(ctx)
				for range ev {
					if nd.epoch(r.ID) == e {
						cancel()
					}
				}
				cancel()
			}
		}
		took = append(took, time.Since(start))
	}
	fmt.Printf("BENCH re-key to every member of %d holding the new key (posting under it), 3 re-keys: %s %s %s\n",
		n, took[0].Round(time.Millisecond), took[1].Round(time.Millisecond), took[2].Round(time.Millisecond))
}
