package storage

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestSettingsRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	tests := []struct {
		name  string
		key   string
		value string
	}{
		{name: "name", key: "profile.name", value: "Ada Lovelace"},
		{name: "empty value", key: "profile.status_text", value: ""},
		{name: "unicode", key: "profile.status_text", value: "в отпуске 🌴"},
		{name: "overwrite", key: "profile.name", value: "Ada"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.SetSetting(ctx, tc.key, tc.value); err != nil {
				t.Fatalf("SetSetting: %v", err)
			}
			got, ok, err := s.Setting(ctx, tc.key)
			if err != nil || !ok || got != tc.value {
				t.Errorf("Setting(%q) = %q, %v, %v; want %q, true, nil", tc.key, got, ok, err, tc.value)
			}
		})
	}
	if _, ok, err := s.Setting(ctx, "never.set"); err != nil || ok {
		t.Errorf("Setting(never.set) ok=%v err=%v; want false, nil", ok, err)
	}
	if err := s.SetSetting(ctx, "", "x"); err == nil {
		t.Error("SetSetting with empty key succeeded")
	}
}

func TestUpsertPeer(t *testing.T) {
	t0 := time.UnixMilli(1_700_000_000_000)
	t1 := t0.Add(time.Hour)
	first := Peer{
		ID: "p1", PubKey: []byte{1, 2, 3}, Name: "Bob", Status: "available", StatusText: "here",
		Addrs: []string{"/ip4/10.0.0.2/tcp/4001"}, FirstSeen: t0, LastSeen: t0,
	}
	tests := []struct {
		name   string
		update Peer
		want   Peer
	}{
		{
			name: "full update keeps FirstSeen",
			update: Peer{ID: "p1", PubKey: []byte{9}, Name: "Robert", Status: "busy", StatusText: "call",
				Addrs: []string{"/ip4/10.0.0.3/tcp/4001", "/ip6/::1/tcp/4001"}, FirstSeen: t1, LastSeen: t1},
			want: Peer{ID: "p1", PubKey: []byte{9}, Name: "Robert", Status: "busy", StatusText: "call",
				Addrs: []string{"/ip4/10.0.0.3/tcp/4001", "/ip6/::1/tcp/4001"}, FirstSeen: t0, LastSeen: t1},
		},
		{
			name:   "empty pubkey, addrs and name are kept",
			update: Peer{ID: "p1", PubKey: []byte{}, Status: "away", LastSeen: t1},
			want: Peer{ID: "p1", PubKey: []byte{1, 2, 3}, Name: "Bob", Status: "away", StatusText: "",
				Addrs: []string{"/ip4/10.0.0.2/tcp/4001"}, FirstSeen: t0, LastSeen: t1},
		},
		{
			name:   "status and text may be cleared",
			update: Peer{ID: "p1", Name: "Bob", LastSeen: t1},
			want: Peer{ID: "p1", PubKey: []byte{1, 2, 3}, Name: "Bob",
				Addrs: []string{"/ip4/10.0.0.2/tcp/4001"}, FirstSeen: t0, LastSeen: t1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := t.Context()
			if err := s.UpsertPeer(ctx, first); err != nil {
				t.Fatalf("insert: %v", err)
			}
			if err := s.UpsertPeer(ctx, tc.update); err != nil {
				t.Fatalf("update: %v", err)
			}
			got, ok, err := s.Peer(ctx, "p1")
			if err != nil || !ok {
				t.Fatalf("Peer = %v, %v", ok, err)
			}
			assertPeer(t, got, tc.want)
		})
	}
}

func TestUpsertPeerDefaults(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	before := time.Now().Add(-time.Second)
	if err := s.UpsertPeer(ctx, Peer{ID: "p1"}); err != nil {
		t.Fatalf("UpsertPeer: %v", err)
	}
	p, ok, err := s.Peer(ctx, "p1")
	if err != nil || !ok {
		t.Fatalf("Peer = %v, %v", ok, err)
	}
	if p.LastSeen.Before(before) || !p.FirstSeen.Equal(p.LastSeen) {
		t.Errorf("zero times stored as FirstSeen=%v LastSeen=%v; want both now", p.FirstSeen, p.LastSeen)
	}
	if p.PubKey != nil || p.Addrs != nil {
		t.Errorf("unknown PubKey/Addrs read back as %v / %v, want nil", p.PubKey, p.Addrs)
	}
	if err := s.UpsertPeer(ctx, Peer{}); err == nil {
		t.Error("UpsertPeer without ID succeeded")
	}
	if _, ok, err := s.Peer(ctx, "unknown"); err != nil || ok {
		t.Errorf("Peer(unknown) = %v, %v; want false, nil", ok, err)
	}
}

func TestPeersOrder(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	// Same name twice on purpose: names never identify a peer.
	for _, p := range []Peer{
		{ID: "p4", Name: "carol"}, {ID: "p3", Name: "Bob"}, {ID: "p2", Name: "alice"},
		{ID: "p1", Name: "Bob"}, {ID: "p0", Name: ""},
	} {
		if err := s.UpsertPeer(ctx, p); err != nil {
			t.Fatalf("UpsertPeer(%s): %v", p.ID, err)
		}
	}
	peers, err := s.Peers(ctx)
	if err != nil {
		t.Fatalf("Peers: %v", err)
	}
	var ids []string
	for _, p := range peers {
		ids = append(ids, p.ID)
	}
	if want := []string{"p0", "p2", "p1", "p3", "p4"}; !slices.Equal(ids, want) {
		t.Errorf("Peers order = %v, want %v", ids, want)
	}
}

func assertPeer(t *testing.T, got, want Peer) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Status != want.Status ||
		got.StatusText != want.StatusText || !bytes.Equal(got.PubKey, want.PubKey) ||
		!slices.Equal(got.Addrs, want.Addrs) || !got.FirstSeen.Equal(want.FirstSeen) ||
		!got.LastSeen.Equal(want.LastSeen) {
		t.Errorf("peer =\n  %+v\nwant\n  %+v", got, want)
	}
}

func TestStaticPeers(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	const (
		a = "/ip4/10.0.0.2/tcp/4001/p2p/QmA"
		b = "/ip4/10.0.0.3/tcp/4001/p2p/QmB"
		c = "/ip4/10.0.0.4/udp/4001/quic-v1/p2p/QmC"
	)
	steps := []struct {
		name string
		op   func() (bool, error)
		want bool
		list []string
	}{
		{name: "add c", op: func() (bool, error) { return s.AddStaticPeer(ctx, c) }, want: true, list: []string{c}},
		{name: "add a", op: func() (bool, error) { return s.AddStaticPeer(ctx, a) }, want: true, list: []string{c, a}},
		{name: "add b", op: func() (bool, error) { return s.AddStaticPeer(ctx, b) }, want: true, list: []string{c, a, b}},
		{name: "add a again", op: func() (bool, error) { return s.AddStaticPeer(ctx, a) }, want: false, list: []string{c, a, b}},
		{name: "add a with spaces", op: func() (bool, error) { return s.AddStaticPeer(ctx, "  "+a+"\n") }, want: false, list: []string{c, a, b}},
		{name: "remove a", op: func() (bool, error) { return s.RemoveStaticPeer(ctx, a) }, want: true, list: []string{c, b}},
		{name: "remove a again", op: func() (bool, error) { return s.RemoveStaticPeer(ctx, a) }, want: false, list: []string{c, b}},
		{name: "re-add a goes last", op: func() (bool, error) { return s.AddStaticPeer(ctx, a) }, want: true, list: []string{c, b, a}},
	}
	for _, st := range steps {
		got, err := st.op()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: returned %v, want %v", st.name, got, st.want)
		}
		list, err := s.StaticPeers(ctx)
		if err != nil {
			t.Fatalf("%s: StaticPeers: %v", st.name, err)
		}
		if !slices.Equal(list, st.list) {
			t.Errorf("%s: StaticPeers = %v, want %v", st.name, list, st.list)
		}
	}
	if _, err := s.AddStaticPeer(ctx, "   "); err == nil {
		t.Error("AddStaticPeer of a blank address succeeded")
	}
}

// Peer answers from what it read before until colleagues are written
// again, and never hands out what another caller may change.
func TestPeerReadsFollowWrites(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	read := func() Peer {
		t.Helper()
		p, ok, err := s.Peer(ctx, bob)
		if err != nil || !ok {
			t.Fatalf("Peer(bob) = %v, %v", ok, err)
		}
		return p
	}
	if err := s.UpsertPeer(ctx, Peer{ID: bob, Name: "Bob", Addrs: []string{"/ip4/10.0.0.2/tcp/1"}}); err != nil {
		t.Fatal(err)
	}
	first := read()
	first.Addrs[0] = "changed by a caller"
	first.Name = "changed by a caller"
	if p := read(); p.Name != "Bob" || p.Addrs[0] != "/ip4/10.0.0.2/tcp/1" {
		t.Fatalf("a caller's change reached the next read: %+v", p)
	}
	for i, name := range []string{"Robert", "Bobby", "Bob"} {
		if err := s.UpsertPeer(ctx, Peer{ID: bob, Name: name, Status: "away"}); err != nil {
			t.Fatal(err)
		}
		if p := read(); p.Name != name || p.Status != "away" {
			t.Fatalf("after write %d: %+v, want the name %q", i, p, name)
		}
	}
	if _, ok, err := s.Peer(ctx, cat); ok || err != nil {
		t.Fatalf("an unknown colleague: %v, %v", ok, err)
	}
	if err := s.UpsertPeer(ctx, Peer{ID: cat, Name: "Cat"}); err != nil {
		t.Fatal(err)
	}
	if p, ok, err := s.Peer(ctx, cat); !ok || err != nil || p.Name != "Cat" {
		t.Fatalf("a colleague met after a miss: %+v, %v, %v", p, ok, err)
	}
}

// Peers is read again after every write to colleagues, and what a caller
// does to the list it got does not reach the next caller.
func TestPeersListFollowsWrites(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	if err := s.UpsertPeer(ctx, Peer{ID: "p1", Name: "Ann", Addrs: []string{"/ip4/10.0.0.1/tcp/1"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the read, then the list it keeps
		got, err := s.Peers(ctx)
		if err != nil || len(got) != 1 {
			t.Fatalf("peers %v, %v", got, err)
		}
		got[0].Name, got[0].Addrs[0] = "changed", "changed"
	}
	again, err := s.Peers(ctx)
	if err != nil || len(again) != 1 || again[0].Name != "Ann" || again[0].Addrs[0] != "/ip4/10.0.0.1/tcp/1" {
		t.Fatalf("after a caller changed its copy: %+v, %v", again, err)
	}
	if err := s.UpsertPeer(ctx, Peer{ID: "p2", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertPeer(ctx, Peer{ID: "p1", Name: "Ann", Status: "away"}); err != nil {
		t.Fatal(err)
	}
	after, err := s.Peers(ctx)
	if err != nil || len(after) != 2 || after[0].Status != "away" || after[1].Name != "Bob" {
		t.Fatalf("after two writes: %+v, %v", after, err)
	}
}

// PeerNames lists what Peers does, reduced to the ID, the name and the
// first sighting.
func TestPeerNamesMatchPeers(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	t0 := time.UnixMilli(1_700_000_000_000)
	for i, name := range []string{"Bob", "ｂｏｂ", "Cat"} {
		p := Peer{ID: fmt.Sprint("p", i), PubKey: []byte{byte(i)}, Name: name, Addrs: []string{"/ip4/10.0.0.2/tcp/4001"},
			FirstSeen: t0.Add(time.Duration(i) * time.Minute), LastSeen: t0.Add(time.Hour)}
		if err := s.UpsertPeer(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	peers, err := s.Peers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names, err := s.PeerNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Peer{}
	for _, p := range peers {
		want[p.ID] = Peer{ID: p.ID, Name: p.Name, FirstSeen: p.FirstSeen}
	}
	if len(names) != len(want) {
		t.Fatalf("%d names for %d peers", len(names), len(want))
	}
	for _, n := range names {
		if w := want[n.ID]; n.ID != w.ID || n.Name != w.Name || !n.FirstSeen.Equal(w.FirstSeen) || n.PubKey != nil || n.Addrs != nil {
			t.Errorf("PeerNames gave %+v, want %+v", n, w)
		}
	}
}
