package discovery

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/grandcat/zeroconf"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// recordingSink keeps every sighting and wakes waiters on each one.
type recordingSink struct {
	mu   sync.Mutex
	got  []Sighting
	wake chan struct{}
}

func newSink() *recordingSink { return &recordingSink{wake: make(chan struct{}, 1)} }

func (s *recordingSink) PeerSeen(_ context.Context, sg Sighting) {
	s.mu.Lock()
	s.got = append(s.got, sg)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

func (s *recordingSink) all() []Sighting {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sighting(nil), s.got...)
}

// waitFor blocks until some sighting satisfies ok or ctx ends.
func (s *recordingSink) waitFor(ctx context.Context, ok func(Sighting) bool) (Sighting, error) {
	for {
		for _, sg := range s.all() {
			if ok(sg) {
				return sg, nil
			}
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return Sighting{}, ctx.Err()
		}
	}
}

func newPeerID(t testing.TB) peer.ID {
	t.Helper()
	_, pub, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func announced(id peer.ID, tag string, port int, ips ...net.IP) *zeroconf.ServiceEntry {
	e := zeroconf.NewServiceEntry(instanceName(id), DefaultService, DefaultDomain)
	e.Port = port
	e.Text = []string{"id=" + id.String(), "ws=" + tag, "v=1"}
	for _, ip := range ips {
		if ip.To4() != nil {
			e.AddrIPv4 = append(e.AddrIPv4, ip)
		} else {
			e.AddrIPv6 = append(e.AddrIPv6, ip)
		}
	}
	return e
}

func TestRoundFilter(t *testing.T) {
	self, peerA, peerB := newPeerID(t), newPeerID(t), newPeerID(t)
	lan := net.IPv4(10, 0, 0, 7)
	tests := []struct {
		name       string
		entries    []*zeroconf.ServiceEntry
		wantSeen   []string // "id addr..." of each delivered sighting
		wantOthers int
	}{
		{
			name:     "colleague",
			entries:  []*zeroconf.ServiceEntry{announced(peerA, "office", 4001, lan)},
			wantSeen: []string{fmt.Sprintf("%s [/ip4/10.0.0.7/tcp/4001]", peerA)},
		},
		{
			name:    "self ignored",
			entries: []*zeroconf.ServiceEntry{announced(self, "office", 4001, lan)},
		},
		{
			name:       "other workspace counted once",
			entries:    []*zeroconf.ServiceEntry{announced(peerA, "other", 4001, lan), announced(peerA, "other", 4002, lan), announced(peerB, "third", 4001, lan)},
			wantOthers: 2,
		},
		{
			name:     "same sighting twice in a round",
			entries:  []*zeroconf.ServiceEntry{announced(peerA, "office", 4001, lan), announced(peerA, "office", 4001, lan)},
			wantSeen: []string{fmt.Sprintf("%s [/ip4/10.0.0.7/tcp/4001]", peerA)},
		},
		{
			name:     "new port is a new sighting",
			entries:  []*zeroconf.ServiceEntry{announced(peerA, "office", 4001, lan), announced(peerA, "office", 4002, lan)},
			wantSeen: []string{fmt.Sprintf("%s [/ip4/10.0.0.7/tcp/4001]", peerA), fmt.Sprintf("%s [/ip4/10.0.0.7/tcp/4002]", peerA)},
		},
		{
			name: "undialable addresses dropped",
			entries: []*zeroconf.ServiceEntry{announced(peerA, "office", 4001,
				net.IPv4(127, 0, 0, 1), net.IPv4zero, net.IPv4(224, 0, 0, 251), net.ParseIP("fe80::1"), net.ParseIP("fd00::5"), lan)},
			wantSeen: []string{fmt.Sprintf("%s [/ip4/10.0.0.7/tcp/4001 /ip6/fd00::5/tcp/4001]", peerA)},
		},
		{
			name:    "no dialable address",
			entries: []*zeroconf.ServiceEntry{announced(peerA, "office", 4001, net.IPv4(127, 0, 0, 1))},
		},
		{
			name:    "garbage entries",
			entries: []*zeroconf.ServiceEntry{nil, {Port: 1, Text: []string{"id=x"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newSink()
			f := roundFilter{self: self, tag: "office", sink: sink, log: slog.New(slog.DiscardHandler), others: newIDSet(maxOtherWorkspaces)}
			f.begin()
			for _, e := range tt.entries {
				if !f.consider(t.Context(), e) {
					t.Fatal("consider asked to stop listening")
				}
			}
			f.finish()
			var got []string
			for _, sg := range sink.all() {
				if sg.Via != ViaMDNS {
					t.Errorf("Via = %q", sg.Via)
				}
				got = append(got, fmt.Sprintf("%s %v", sg.ID, sg.Addrs))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.wantSeen) {
				t.Errorf("sightings %v, want %v", got, tt.wantSeen)
			}
			if n := f.others.len(); n != tt.wantOthers {
				t.Errorf("other workspaces = %d, want %d", n, tt.wantOthers)
			}
		})
	}
}

// countingHandler counts the warnings logged.
type countingHandler struct{ warnings atomic.Int64 }

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.warnings.Add(1)
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func TestRoundFilterBounds(t *testing.T) {
	sink := newSink()
	f := roundFilter{self: newPeerID(t), tag: "office", sink: sink, log: slog.New(slog.DiscardHandler), others: newIDSet(maxOtherWorkspaces)}
	lan := net.IPv4(10, 0, 0, 7)
	id := newPeerID(t)

	f.begin()
	for port := 1; port <= maxSightingsPerRound+10; port++ {
		f.consider(t.Context(), announced(id, "office", port, lan))
	}
	if got := len(sink.all()); got != maxSightingsPerRound {
		t.Fatalf("%d sightings in one round, want the cap %d", got, maxSightingsPerRound)
	}
	if f.dropped != 10 {
		t.Errorf("dropped %d, want 10", f.dropped)
	}

	// A new round has a fresh budget.
	f.begin()
	f.consider(t.Context(), announced(id, "office", 1, lan))
	if got := len(sink.all()); got != maxSightingsPerRound+1 {
		t.Fatalf("%d sightings after a new round, want %d", got, maxSightingsPerRound+1)
	}

	// A flood ends the round, and says so once, however long it goes on.
	var logged countingHandler
	f.log = slog.New(&logged)
	f.begin()
	stopped := false
	for range 3 * maxEntriesPerRound {
		if !f.consider(t.Context(), nil) {
			stopped = true
		}
	}
	if !stopped {
		t.Fatal("a flood of entries did not end the round")
	}
	if n := logged.warnings.Load(); n != 1 {
		t.Fatalf("a flood logged %d warnings in one round, want 1", n)
	}

	others := newIDSet(3)
	for range 5 {
		others.add(newPeerID(t))
	}
	if others.len() != 3 {
		t.Fatalf("bounded set holds %d, want 3", others.len())
	}
}
