package discovery

import (
	"fmt"
	"log/slog"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/libp2p/go-libp2p/core/peer"
)

func TestNearbyBookCountsPeersPerTag(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := newNearbyBook(time.Minute)
	a1, a2, a3, c1 := newPeerID(t), newPeerID(t), newPeerID(t), newPeerID(t)
	for _, s := range []struct {
		id      peer.ID
		tag     string
		wantNew bool
	}{
		{a1, "acme", true},
		{a2, "acme", true},
		{a1, "acme", false}, // the same peer again is not news
		{a3, "acme", true},
		{c1, "cafe", true},
	} {
		if got := b.saw(s.id, s.tag, t0); got != s.wantNew {
			t.Errorf("saw(%s) news = %v, want %v", s.tag, got, s.wantNew)
		}
	}
	want := []Workspace{{Tag: "acme", Peers: 3}, {Tag: "cafe", Peers: 1}}
	if got := b.list(t0); !slices.Equal(got, want) {
		t.Fatalf("list %v, want %v", got, want)
	}
	if _, changed := b.changed(t0); !changed {
		t.Fatal("the first list is not a change")
	}
	if _, changed := b.changed(t0.Add(time.Second)); changed {
		t.Fatal("the same list again is a change")
	}

	// A peer that moves to another tag counts there only.
	if !b.saw(a3, "cafe", t0.Add(30*time.Second)) {
		t.Fatal("a peer's new tag is not news")
	}
	// Peers not heard within the ttl are forgotten.
	b.saw(c1, "cafe", t0.Add(30*time.Second))
	want = []Workspace{{Tag: "cafe", Peers: 2}}
	if got, changed := b.changed(t0.Add(90 * time.Second)); !changed || !slices.Equal(got, want) {
		t.Fatalf("after a1 and a2 went quiet: %v (changed %v), want %v", got, changed, want)
	}
	if got := b.list(t0.Add(5 * time.Minute)); len(got) != 0 {
		t.Fatalf("everyone went quiet, still listed: %v", got)
	}
}

func TestNearbyBookBounds(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := newNearbyBook(time.Minute)
	for i := range maxNearbyPeers + 50 {
		b.saw(newPeerID(t), fmt.Sprintf("tag%04d", i%200), t0)
	}
	got := b.list(t0)
	if len(got) != maxNearbyTags {
		t.Fatalf("listed %d tags, want the cap %d", len(got), maxNearbyTags)
	}
	total := 0
	for _, w := range b.listUnbounded(t0) {
		total += w.Peers
	}
	if total != maxNearbyPeers {
		t.Fatalf("remembers %d peers, want the cap %d", total, maxNearbyPeers)
	}
	// Once the flood is stale, room is made for a real peer.
	late := newPeerID(t)
	if !b.saw(late, "acme", t0.Add(2*time.Minute)) {
		t.Fatal("a full book of stale peers refused a new one")
	}
	if got := b.list(t0.Add(2 * time.Minute)); !slices.Equal(got, []Workspace{{Tag: "acme", Peers: 1}}) {
		t.Fatalf("after the flood went stale: %v", got)
	}
}

// listUnbounded counts every remembered peer, without the tag cap.
func (b *nearbyBook) listUnbounded(now time.Time) []Workspace {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expire(now)
	count := map[string]int{}
	for _, s := range b.peers {
		count[s.tag]++
	}
	var out []Workspace
	for tag, n := range count {
		out = append(out, Workspace{Tag: tag, Peers: n})
	}
	return out
}

func TestRoundFilterReportsNearbyWorkspaces(t *testing.T) {
	lan := net.IPv4(10, 0, 0, 7)
	a1, a2, c1, own := newPeerID(t), newPeerID(t), newPeerID(t), newPeerID(t)
	var reports [][]Workspace
	f := roundFilter{self: newPeerID(t), tag: "office", sink: newSink(), log: slog.New(slog.DiscardHandler),
		others: newIDSet(maxOtherWorkspaces), nearby: newNearbyBook(time.Minute),
		onNearby: func(w []Workspace) { reports = append(reports, w) }}
	f.begin()
	for _, e := range []*zeroconf.ServiceEntry{
		announced(a1, "acme", 4001, lan),
		announced(a1, "acme", 4002, lan), // the same peer on another port
		announced(own, "office", 4001, lan),
		announced(a2, "acme", 4001, lan),
		announced(c1, "cafe", 4001, lan),
	} {
		f.consider(t.Context(), e)
	}
	f.finish()
	want := [][]Workspace{
		{{Tag: "acme", Peers: 1}},
		{{Tag: "acme", Peers: 2}},
		{{Tag: "acme", Peers: 2}, {Tag: "cafe", Peers: 1}},
	}
	if fmt.Sprint(reports) != fmt.Sprint(want) {
		t.Fatalf("reports %v, want %v", reports, want)
	}
}
