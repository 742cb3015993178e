package p2p

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/chat"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// recorder is a Handler that records what it is given and lets a test wait.
type recorder struct {
	mu       sync.Mutex
	dms      []DM
	profiles []Profile
	online   map[peer.ID]bool
	ups      int // PeerConnected calls
	downs    int // PeerDisconnected calls
	changed  chan struct{}
	failDM   bool
	typing   []bool
}

func (r *recorder) HandleTyping(_ context.Context, _ peer.ID, typing bool) {
	r.mu.Lock()
	r.typing = append(r.typing, typing)
	r.mu.Unlock()
	r.poke()
}

func newRecorder() *recorder {
	return &recorder{online: map[peer.ID]bool{}, changed: make(chan struct{}, 1)}
}

func (r *recorder) poke() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) HandleDM(_ context.Context, _ peer.ID, m DM) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.poke()
	if r.failDM {
		return errors.New("disk full")
	}
	r.dms = append(r.dms, m)
	return nil
}

func (r *recorder) HandleProfile(_ context.Context, _ peer.ID, p Profile) {
	r.mu.Lock()
	r.profiles = append(r.profiles, p)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) PeerConnected(id peer.ID) {
	r.mu.Lock()
	r.online[id] = true
	r.ups++
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) PeerDisconnected(id peer.ID) {
	r.mu.Lock()
	r.online[id] = false
	r.downs++
	r.mu.Unlock()
	r.poke()
}

// waitFor re-evaluates cond whenever the recorder changes, until a deadline.
func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func newTestNode(t testing.TB, psk []byte) (*Node, *recorder) {
	t.Helper()
	priv, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	n, err := New(Config{Identity: priv, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, PSK: psk}, rec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n, rec
}

func connect(t testing.TB, a, b *Node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Connect(ctx, b.ID(), b.host.Addrs()); err != nil {
		t.Fatal(err)
	}
}

func TestDMRoundTrip(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, rb := newTestNode(t, nil)
	connect(t, a, b)
	var msgs []DM
	for i := range 600 { // more than one batch
		msgs = append(msgs, DM{ID: fmt.Sprintf("m%d", i), Text: fmt.Sprintf("hello %d", i), SentAt: 1})
	}
	var acked []string
	err := a.SendDMs(context.Background(), b.ID(), msgs, func(m DM) error {
		acked = append(acked, m.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(acked) != len(msgs) {
		t.Fatalf("acked %d of %d", len(acked), len(msgs))
	}
	rb.mu.Lock()
	defer rb.mu.Unlock()
	for i, m := range rb.dms {
		if m.ID != msgs[i].ID || m.Text != msgs[i].Text {
			t.Fatalf("message %d: got %+v", i, m)
		}
	}
}

func TestDMRefusedWhenReceiverCannotStore(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, rb := newTestNode(t, nil)
	rb.failDM = true
	connect(t, a, b)
	acked := 0
	err := a.SendDMs(context.Background(), b.ID(), []DM{{ID: "x", Text: "hi", SentAt: 1}}, func(DM) error { acked++; return nil })
	if err == nil || acked != 0 {
		t.Fatalf("want refusal and no ack, got err=%v acked=%d", err, acked)
	}
}

func TestSendToOfflinePeerDoesNotDial(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	a.host.Peerstore().AddAddrs(b.ID(), b.host.Addrs(), time.Hour)
	err := a.SendDMs(context.Background(), b.ID(), []DM{{ID: "x", Text: "hi", SentAt: 1}}, func(DM) error { return nil })
	if err == nil {
		t.Fatal("sending to an unconnected peer must fail and leave the message queued")
	}
}

func TestPresenceTransitions(t *testing.T) {
	a, ra := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	connect(t, a, b)
	ra.waitFor(t, "b online", func() bool { return ra.online[b.ID()] })
	b.Close()
	ra.waitFor(t, "b offline after clean quit", func() bool { return !ra.online[b.ID()] })
}

func TestProfilePush(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, rb := newTestNode(t, nil)
	connect(t, a, b)
	p := Profile{Name: "Ann", Status: chat.StatusAway, StatusText: "lunch", Version: 7,
		Known: []KnownPeer{{ID: a.ID().String(), Addrs: []string{"/ip4/10.0.0.1/tcp/4001"}}, {ID: "junk", Addrs: []string{"x"}}}}
	if err := a.PushProfile(context.Background(), b.ID(), p); err != nil {
		t.Fatal(err)
	}
	rb.waitFor(t, "profile", func() bool { return len(rb.profiles) == 1 })
	got := rb.profiles[0]
	if got.Name != "Ann" || got.Status != chat.StatusAway || len(got.Known) != 1 {
		t.Fatalf("got %+v", got)
	}
}

func TestDifferentWorkspaceIsNamed(t *testing.T) {
	k1, k2 := make([]byte, 32), make([]byte, 32)
	rand.Read(k1)
	rand.Read(k2)
	cases := []struct {
		name   string
		ka, kb []byte
	}{
		{"two keys", k1, k2},
		{"key vs open", k1, nil},
		{"open vs key", nil, k2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := newTestNode(t, tc.ka)
			b, _ := newTestNode(t, tc.kb)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := a.Connect(ctx, b.ID(), b.host.Addrs())
			if !errors.Is(err, ErrDifferentWorkspace) {
				t.Fatalf("want ErrDifferentWorkspace, got %v", err)
			}
		})
	}
}

func TestSameWorkspaceConnects(t *testing.T) {
	k := make([]byte, 32)
	rand.Read(k)
	a, _ := newTestNode(t, k)
	b, _ := newTestNode(t, k)
	connect(t, a, b)
}

// Two colleagues who find each other at the same moment dial each other at
// once. If dials left from the listen port (reuseport), both SYNs could
// meet as one TCP connection in which both ends act as the Noise initiator
// and the handshake fails (seen on veth links). Dials must use their own
// ephemeral port.
func TestDialsDoNotUseListenPort(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	connect(t, a, b)
	conns := a.host.Network().ConnsToPeer(b.ID())
	if len(conns) == 0 {
		t.Fatal("no connection")
	}
	for _, c := range conns {
		port, err := c.LocalMultiaddr().ValueForProtocol(ma.P_TCP)
		if err != nil {
			t.Fatal(err)
		}
		if port == strconv.Itoa(a.ListenPort()) {
			t.Fatalf("outgoing connection uses the listen port %s", port)
		}
	}
}

func TestAddrRankPutsTheLANFirst(t *testing.T) {
	var addrs []ma.Multiaddr
	for _, s := range []string{"/ip4/10.0.0.1/tcp/1/p2p/x/p2p-circuit", "/ip6/fe80::1/tcp/1", "/ip4/127.0.0.1/tcp/1", "/ip6/fd00::1/tcp/1", "/ip4/192.168.1.2/tcp/1"} {
		addrs = append(addrs, ma.StringCast(strings.Replace(s, "/p2p/x", "/p2p/12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP", 1)))
	}
	slices.SortStableFunc(addrs, func(a, b ma.Multiaddr) int { return addrRank(a) - addrRank(b) })
	var got []string
	for _, a := range addrs {
		got = append(got, strings.SplitN(a.String(), "/", 4)[2])
	}
	if want := []string{"192.168.1.2", "fd00::1", "127.0.0.1", "fe80::1", "10.0.0.1"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
