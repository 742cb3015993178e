package core

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/network"
)

// TestBenchRoomCodeRedeem measures a room code redemption round trip on
// loopback (stream, proof check, database lookup and use record, the
// room handed back) next to a bare libp2p stream round trip between the
// same two nodes in the same run.
func TestBenchRoomCodeRedeem(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	ctx := context.Background()
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	r, err := ann.CreateRoom(ctx, "bench")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := ann.IssueRoomCode(ctx, r.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := hcrypto.ParseRoomCode(rc.Code)
	if err != nil {
		t.Fatal(err)
	}
	h := c.Hash()
	to := ann.node.ID()
	// Redemptions are paced per asker (a burst of 30, then 10/s): each
	// joiner asks as often as its burst allows.
	const joiners, each = 4, 30
	var askers []*node
	for i := range joiners {
		j := startNode(t, "", fmt.Sprint("J", i), ann.addr())
		ann.waitOnline(j, fmt.Sprint("J", i))
		askers = append(askers, j)
	}

	const echo = "/hallway-bench/echo/1.0.0"
	ann.node.Host().SetStreamHandler(echo, func(s network.Stream) {
		defer s.Close()
		b := make([]byte, 64)
		n, _ := io.ReadFull(s, b)
		s.Write(b[:n])
	})
	plain := func() error {
		s, err := bob.node.Host().NewStream(ctx, to, echo)
		if err != nil {
			return err
		}
		defer s.Close()
		if _, err := s.Write(make([]byte, 64)); err != nil {
			return err
		}
		_, err = io.ReadFull(s, make([]byte, 64))
		return err
	}
	i := 0
	redeem := func() error {
		j := askers[i/each%joiners]
		i++
		req := p2p.RedeemRequest{Room: c.Room, Lookup: h.Lookup(), Proof: h.Proof(c.Room, j.node.ID(), to)}
		rep, err := j.node.Redeem(ctx, to, req)
		if err == nil && rep.Status != p2p.RedeemOK {
			err = fmt.Errorf("status %d", rep.Status)
		}
		return err
	}
	const n = joiners*each - 5
	measure := func(name string, f func() error) (p50, p99 time.Duration) {
		var lat []time.Duration
		for i := range n + 5 {
			start := time.Now()
			if err := f(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if i >= 5 {
				lat = append(lat, time.Since(start))
			}
		}
		slices.Sort(lat)
		return lat[len(lat)/2], lat[len(lat)*99/100]
	}
	sp50, sp99 := measure("stream", plain)
	rp50, rp99 := measure("redeem", redeem)
	fmt.Printf("BENCH room code redemption on loopback (%d): p50 %s  p99 %s; a bare libp2p stream round trip: p50 %s  p99 %s\n",
		n, rp50.Round(time.Microsecond), rp99.Round(time.Microsecond), sp50.Round(time.Microsecond), sp99.Round(time.Microsecond))
}
