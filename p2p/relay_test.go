package p2p

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/client"
	ma "github.com/multiformats/go-multiaddr"
)

// circuitAddrs waits until n advertises an address through a relay.
func circuitAddrs(t *testing.T, n *Node) []ma.Multiaddr {
	t.Helper()
	var out []ma.Multiaddr
	untilAddrsChange(t, n, func() bool {
		out = slices.DeleteFunc(slices.Clone(n.host.Addrs()), func(a ma.Multiaddr) bool { return !isCircuit(a) })
		return len(out) > 0
	}, func() string { return fmt.Sprintf("no relay address among %v", n.host.Addrs()) })
	return out
}

// untilAddrsChange waits until done holds, checking it again each time
// n's addresses change, and fails with why() after 20 s.
func untilAddrsChange(t *testing.T, n *Node, done func() bool, why func() string) {
	t.Helper()
	sub, err := n.host.EventBus().Subscribe(new(event.EvtLocalAddressesUpdated))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	deadline := time.After(20 * time.Second)
	for !done() {
		select {
		case <-sub.Out():
		case <-deadline:
			t.Fatal(why())
		}
	}
}

// connectDirect connects a to b at b's own addresses, none through a relay.
func connectDirect(t *testing.T, a, b *Node) {
	t.Helper()
	var own []ma.Multiaddr
	for _, addr := range b.host.Addrs() {
		if !isCircuit(addr) {
			own = append(own, addr)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Connect(ctx, b.ID(), own); err != nil {
		t.Fatal(err)
	}
}

// relayTrio makes a, r and b, each of a and b connected to r directly, and
// returns b's addresses through r (a's recorder too).
func relayTrio(t *testing.T, key []byte) (a *Node, ra *recorder, r, b *Node, relayed []ma.Multiaddr) {
	t.Helper()
	a, ra = newTestNode(t, key)
	r, _ = newTestNode(t, key)
	b, _ = newTestNode(t, key)
	// Each dials r at its own address only: r's advertised addresses
	// soon include one through a, and a dial to it would connect b to a.
	connectDirect(t, a, r)
	connectDirect(t, b, r)
	return a, ra, r, b, circuitAddrs(t, b)
}

func TestRelayedConnectionThroughAColleague(t *testing.T) {
	a, _, r, b, relayed := relayTrio(t, bytes.Repeat([]byte{3}, 32))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.host.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: relayed}); err != nil {
		t.Fatalf("connect through the relay: %v", err)
	}
	// The connection made goes through r. (Once identify told each the
	// other's own addresses a direct one may follow, which Route then
	// prefers: on loopback nothing stops it.)
	relayedConn := false
	for _, c := range a.host.Network().ConnsToPeer(b.ID()) {
		if v, err := c.RemoteMultiaddr().ValueForProtocol(ma.P_P2P); err == nil && isCircuit(c.RemoteMultiaddr()) && v == r.ID().String() {
			relayedConn = true
		}
	}
	if via, _ := a.Route(b.ID()); !relayedConn || via == "" {
		t.Fatalf("a reaches b via %q, relayed through r: %v", via, relayedConn)
	}
	if via := a.Via(r.ID()); via != ViaDirect {
		t.Fatalf("a reaches r via %q", via)
	}
	if st := a.Stats(); st.RelayedConns < 1 {
		t.Fatalf("a counts %d connections through a relay", st.RelayedConns)
	}
	if err := a.SendDMs(ctx, b.ID(), []DM{{ID: "m1", Text: "relayed", SentAt: 1}}, func(DM) error { return nil }); err != nil {
		t.Fatalf("a DM through the relay: %v", err)
	}
}

// An entrant (a newcomer still entering by a pass) may not hold a slot nor
// be reached through a relay, and the relay serves no address beyond the
// LAN: a peer that asks anyway is refused.
func TestRelayServesOnlyAdmittedColleagues(t *testing.T) {
	key := bytes.Repeat([]byte{4}, 32)
	var entrants blockSet
	r, _ := newTestNodeWith(t, Config{PSK: key, Admission: entrants.as(Entrant)})
	a, _ := newTestNode(t, key)
	e, _ := newTestNode(t, key)
	entrants.set(e.ID(), true)
	connect(t, a, r)
	connect(t, e, r)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client.Reserve(ctx, e.host, peer.AddrInfo{ID: r.ID()}); err == nil {
		t.Fatal("an entrant got a relay slot")
	}
	if _, err := client.Reserve(ctx, a.host, peer.AddrInfo{ID: r.ID()}); err != nil {
		t.Fatalf("a colleague was refused a slot: %v", err)
	}
	// The relay must refuse to carry the entrant. (A direct connection may
	// still form on loopback when the entrant's peerstore learnt a's own
	// address; that is a's admission to judge, not the relay's.)
	through := ma.StringCast("/p2p/" + r.ID().String() + "/p2p-circuit")
	e.host.Peerstore().ClearAddrs(a.ID())
	_ = e.host.Connect(ctx, peer.AddrInfo{ID: a.ID(), Addrs: []ma.Multiaddr{through}})
	for _, c := range e.host.Network().ConnsToPeer(a.ID()) {
		if isCircuit(c.RemoteMultiaddr()) {
			t.Fatalf("an entrant was relayed to a colleague: %s", c.RemoteMultiaddr())
		}
	}

	acl := memberACL{r}
	public := ma.StringCast("/ip4/8.8.8.8/tcp/4001")
	relayed := ma.StringCast("/ip4/127.0.0.1/tcp/4001/p2p/" + a.ID().String() + "/p2p-circuit")
	if acl.AllowReserve(a.ID(), public) || acl.AllowReserve(a.ID(), relayed) || acl.AllowConnect(a.ID(), public, e.ID()) {
		t.Fatal("the relay serves a public or relayed address")
	}
}

// A node with NoRelay serves no relay slot, yet dials through others'.
func TestNoRelayServesNone(t *testing.T) {
	key := bytes.Repeat([]byte{5}, 32)
	quiet, _ := newTestNodeWith(t, Config{PSK: key, NoRelay: true})
	a, _ := newTestNode(t, key)
	connect(t, a, quiet)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client.Reserve(ctx, a.host, peer.AddrInfo{ID: quiet.ID()}); err == nil {
		t.Fatal("a node with NoRelay gave a relay slot")
	}
	if got := quiet.ThroughMe(); got != nil || quiet.MayRelayFor(a.ID()) {
		t.Fatalf("a node with NoRelay offers itself as a relay: %v", got)
	}
}

// TestRelayedColleagueReachedDirectly: a connection made through a relay
// while a direct path exists (the direct dial was slow, say) is joined by a
// direct one, so the two keep each other when the relay leaves.
func TestRelayedColleagueReachedDirectly(t *testing.T) {
	a, ra, r, b, relayed := relayTrio(t, bytes.Repeat([]byte{4}, 32))
	direct := make(chan struct{}, 1)
	a.host.Network().Notify(&network.NotifyBundle{ConnectedF: func(_ network.Network, c network.Conn) {
		if c.RemotePeer() == b.ID() && !isCircuit(c.RemoteMultiaddr()) {
			select {
			case direct <- struct{}{}:
			default:
			}
		}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// a knows b only by the circuit: the direct addresses come with
	// identify, over the relayed connection.
	if err := a.host.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: relayed}); err != nil {
		t.Fatalf("connect through the relay: %v", err)
	}
	select {
	case <-direct:
	case <-ctx.Done():
		t.Fatalf("a reaches b via %q only", a.Via(b.ID()))
	}
	// The relayed connection stays beside the direct one; b is no longer
	// reached through a relay alone.
	if st := a.Stats(); st.RelayedConns < 1 || st.RelayedOnly != 0 {
		t.Fatalf("a counts %d relayed connections, %d colleagues relayed only", st.RelayedConns, st.RelayedOnly)
	}
	// The relay leaves; a and b still reach each other.
	r.Close()
	if err := a.SendDMs(ctx, b.ID(), []DM{{ID: "m1", Text: "direct", SentAt: 1}}, func(DM) error { return nil }); err != nil {
		t.Fatalf("a DM once the relay left: %v", err)
	}
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if !ra.online[b.ID()] {
		t.Fatal("a lost b with the relay")
	}
}

// waitRelays waits until n holds slots with want relays.
func waitRelays(t *testing.T, n *Node, want int) {
	t.Helper()
	untilAddrsChange(t, n, func() bool { return len(n.Relays()) >= want },
		func() string {
			return fmt.Sprintf("%d relays hold a slot for the node, want %d", len(n.Relays()), want)
		})
}

// Introductions name the circuit through us only for colleagues that may
// be reached by it: one holding a slot with us, or one whose slots we do
// not know yet; not one that holds its slots with other colleagues.
func TestThroughMeOnlyWhereASlotMayBe(t *testing.T) {
	key := bytes.Repeat([]byte{6}, 32)
	_, _, r, b, _ := relayTrio(t, key) // b's one colleague is r: its slot is there
	if r.ThroughMe() == nil || !r.MayRelayFor(b.ID()) {
		t.Fatal("no circuit through r named for b, which holds a slot with r")
	}
	c, _ := newTestNode(t, key)
	d, _ := newTestNode(t, key)
	e, _ := newTestNode(t, key)
	connectDirect(t, c, d)
	connectDirect(t, c, e)
	waitRelays(t, c, relayNumRelays)
	sub, err := r.host.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	connectDirect(t, c, r)
	deadline := time.After(20 * time.Second)
	for identified := false; !identified; {
		select {
		case ev := <-sub.Out():
			done := ev.(event.EvtPeerIdentificationCompleted)
			identified = done.Peer == c.ID()
		case <-deadline:
			t.Fatal("r never identified c")
		}
	}
	if r.holdsSlotWithMe(c.ID()) {
		t.Fatal("c took a third slot, with r")
	}
	if r.MayRelayFor(c.ID()) {
		t.Fatal("r names circuits through itself for c, whose slots are with d and e")
	}
}

// A colleague that holds no slot anywhere (here one that takes none; on a
// LAN one that relays refused) has our circuit named while it may still
// be taking a slot with us, just connected, and not once it stayed
// without one past the grace: a dial through it would fail every time.
func TestThroughMeNotForAColleagueThatTookNoSlot(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	r, _ := newTestNode(t, key)
	x, _ := newTestNodeWith(t, Config{PSK: key, NoRelay: true})
	connectDirect(t, x, r)
	if !r.MayRelayFor(x.ID()) {
		t.Fatal("no circuit named for a colleague just connected, which may be taking a slot with r")
	}
	r.slotGrace = 0 // as once the grace has passed
	if r.holdsSlotWithMe(x.ID()) {
		t.Fatal("x, which takes no slot, holds one with r")
	}
	if r.MayRelayFor(x.ID()) {
		t.Fatal("r names circuits through itself for x, which took no slot with it")
	}
}
