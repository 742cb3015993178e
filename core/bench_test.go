package core

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"hallway/chat"
)

// TestBenchGeneralFanout30 measures #general fan-out among 30 nodes in one
// process on loopback (make bench).
func TestBenchGeneralFanout30(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	const n = 30
	var nodes []*node
	var addrs []string
	// An office's private workspace, whose #general lists every member
	// (the open workspace's is live only).
	dirs := privateWorkspace(t, n)
	for i := range n {
		nd := startNode(t, dirs[i], "N"+strconv.Itoa(i), addrs...)
		nodes = append(nodes, nd)
		addrs = append(addrs, nd.addr())
	}
	for _, nd := range nodes[1:] {
		nodes[0].waitOnline(nd, nd.currentProfile().Name)
	}
	rooms, _ := nodes[0].Rooms(context.Background())
	general := rooms[0].ID
	for _, nd := range nodes {
		nd.waitFor("30 members of #general", func() bool {
			ms, _ := nd.RoomMembers(context.Background(), general)
			return len(ms) == n
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan time.Time, 100000)
	for _, nd := range nodes[1:] {
		ev := nd.Subscribe(ctx)
		go func() {
			for e := range ev {
				if m, ok := e.(chat.MessageReceived); ok && m.Message.Kind == "text" {
					got <- time.Now()
				}
			}
		}()
	}
	var lat []time.Duration
	for i := range 120 {
		start := time.Now()
		if _, err := nodes[0].SendRoom(ctx, general, "probe "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		var last time.Time
		for range n - 1 {
			select {
			case last = <-got:
			case <-time.After(20 * time.Second):
				t.Fatal("fan-out stalled")
			}
		}
		if i >= 20 {
			lat = append(lat, last.Sub(start))
		}
	}
	slices.Sort(lat)
	fmt.Printf("BENCH #general fan-out to the last of %d nodes in one process (%d msgs): p50 %s  p99 %s\n",
		n, len(lat), lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond))
}
