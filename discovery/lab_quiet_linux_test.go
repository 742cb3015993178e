package discovery

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"hallway/internal/netlab"
)

// lastSeenSink remembers when each colleague was last reported.
type lastSeenSink struct {
	mu   sync.Mutex
	last map[peer.ID]time.Time
}

func (s *lastSeenSink) PeerSeen(_ context.Context, sg Sighting) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last[sg.ID] = time.Now()
}

// seenSince counts the colleagues reported since t.
func (s *lastSeenSink) seenSince(t time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, at := range s.last {
		if !at.Before(t) {
			n++
		}
	}
	return n
}

// TestMDNSQuietOnceSettled: once an office has found itself, a round
// costs about one query for the whole LAN, and each colleague answers
// about every other round, not every colleague's every query; yet
// everyone keeps seeing everyone every round.
func TestMDNSQuietOnceSettled(t *testing.T) {
	const n = 8
	const gap = 2 * time.Second
	lab := netlab.New(t, n)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var tally mdnsTally
	if err := tally.listen(ctx, lab.Host(1)); err != nil {
		t.Fatal(err)
	}
	defer tally.close()

	sinks := make([]*lastSeenSink, n)
	for i := range n {
		nd := &labNode{host: lab.Host(i + 1), id: newPeerID(t), port: 4001}
		sinks[i] = &lastSeenSink{last: map[peer.ID]time.Time{}}
		runLabMDNS(ctx, t, nd, MDNSConfig{Self: nd.id, Port: 4001, WorkspaceTag: "office", MaxRoundGap: gap}, sinks[i])
	}
	// Fast rounds (1 + 2 s) and zeroconf's announcements (3.5 s) are over.
	time.Sleep(8 * time.Second)

	const window = 10 * time.Second
	start := time.Now()
	before := tally.snapshot()
	time.Sleep(window)
	d := tally.snapshot().minus(before)
	t.Logf("%d queries and %d answers (both families) in %v among %d hosts", d.queries, d.answers, window, n)

	// Without known answers every host answered every query, IPv4 and
	// IPv6: some 8 queries a round, 128 answers.
	rounds := int64(window / gap)
	if d.queries > 2*rounds+2 {
		t.Errorf("%d queries in %d rounds: want about one a round for the whole LAN", d.queries, rounds)
	}
	// Each colleague answers once per ask interval (two gaps, up to a
	// quarter more) and the next round's query, over IPv4 and IPv6.
	if max := int64(n * 2 * (window/(2*gap) + 1)); d.answers > max {
		t.Errorf("%d answers: want at most %d, each colleague about every other round", d.answers, max)
	}
	for i, s := range sinks {
		if got := s.seenSince(start.Add(window - 2*gap)); got != n-1 {
			t.Errorf("host %d saw %d of %d colleagues in the last two rounds", i+1, got, n-1)
		}
	}
}
