package storage

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// PeerAddrs lists where every colleague is, read again only once a
// colleague is new or has new addresses: a status or a sighting leaves
// the list kept.
func TestPeerAddrsFollowWhereColleaguesAre(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	upsert := func(p Peer) {
		t.Helper()
		if err := s.UpsertPeer(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	want := func(what string, w map[string][]string) {
		t.Helper()
		list, err := s.PeerAddrs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, p := range list {
			got[p.ID] = p.Addrs
		}
		if !maps.EqualFunc(got, w, slices.Equal) {
			t.Fatalf("%s: addresses %v, want %v", what, got, w)
		}
	}
	a1, a2 := "/ip4/10.0.0.2/tcp/4001", "/ip4/10.0.0.3/tcp/4002"
	upsert(Peer{ID: bob, Name: "Bob", Addrs: []string{a1}})
	want("Bob met", map[string][]string{bob: {a1}})
	reach, _ := s.reach.settled()
	upsert(Peer{ID: bob, Status: "away"})
	upsert(Peer{ID: bob, Name: "Robert", Addrs: []string{a1}})
	if now, _ := s.reach.settled(); now != reach {
		t.Fatalf("a status, a name and the same address moved the count of where colleagues are from %d to %d", reach, now)
	}
	want("Bob away and renamed", map[string][]string{bob: {a1}})
	upsert(Peer{ID: bob, Addrs: []string{a2, a1}})
	want("Bob on a new address", map[string][]string{bob: {a2, a1}})
	upsert(Peer{ID: "12D3KooWAnn", Name: "Ann"})
	want("Ann met without an address", map[string][]string{bob: {a2, a1}, "12D3KooWAnn": nil})
	// What a reader does with its list is its own: the list kept is not
	// it, whether it was read from the table (the first) or kept.
	upsert(Peer{ID: "12D3KooWAnn", Addrs: []string{a1}})
	for range 2 {
		list, err := s.PeerAddrs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range list {
			list[i] = Peer{ID: "scribbled"}
		}
	}
	want("after readers changed their lists", map[string][]string{bob: {a2, a1}, "12D3KooWAnn": {a1}})
}

// Readers of the addresses never get older ones than a read before them
// got, while a colleague's addresses change over and over.
func TestPeerAddrsNeverGoBack(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	addr := func(i int) string { return fmt.Sprintf("/ip4/10.0.0.2/tcp/%d", 10000+i) }
	write := func(i int) {
		t.Helper()
		if err := s.UpsertPeer(ctx, Peer{ID: bob, Addrs: []string{addr(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	read := func() (string, error) {
		list, err := s.PeerAddrs(ctx)
		if err != nil || len(list) != 1 || len(list[0].Addrs) != 1 {
			return "", fmt.Errorf("addresses %v: %w", list, err)
		}
		return list[0].Addrs[0], nil
	}
	write(0)
	stop := readersNeverGoBack(t, addr(0), read, read, read, read)
	for i := 1; i <= 300 && !t.Failed(); i++ {
		write(i)
		if got, err := read(); err != nil || got != addr(i) {
			t.Fatalf("after writing %s a read returned %q, %v", addr(i), got, err)
		}
	}
	stop()
}
