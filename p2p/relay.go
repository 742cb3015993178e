package p2p

import (
	"context"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
	ma "github.com/multiformats/go-multiaddr"
)

// Where two colleagues cannot reach each other (Wi-Fi client isolation, a
// firewall between VLANs) but both reach a third, they talk through it:
// every node serves libp2p's circuit relay v2 to the colleagues it admits,
// and holds reservations with relayNumRelays of the colleagues it is
// directly connected to (reserve.go), whose circuit addresses it
// advertises beside its own. A colleague's swarm dials those
// only after the direct addresses, so a relay carries nothing where a
// direct path works. The relayed connection is the same Noise session on
// the same network key, end to end: the relay sees ciphertext.
//
// Relays are colleagues found on the LAN, never a public relay, and they
// serve only colleagues on LAN addresses (memberACL). A relayed connection
// has no time or data limit (files may cross it), but each relay bounds
// how many colleagues it serves (relayResources).
const (
	relayNumRelays = 2
	// relayBuffer is each relayed stream's buffer per direction: the
	// default's 2 KiB holds files back.
	relayBuffer = 256 << 10
)

// relayResources are what one node gives to relaying.
func relayResources() relay.Resources {
	rc := relay.DefaultResources()
	rc.Limit = nil // no time or data limit: a relayed colleague is a colleague
	rc.MaxReservations = 64
	rc.MaxCircuits = 16
	rc.BufferSize = relayBuffer
	rc.MaxReservationsPerIP = 4
	return rc
}

// memberACL lets only admitted colleagues on LAN addresses reserve a slot
// or be relayed, to admitted colleagues only.
type memberACL struct{ n *Node }

var _ relay.ACLFilter = memberACL{}

func (a memberACL) AllowReserve(p peer.ID, addr ma.Multiaddr) bool {
	ip, ok := multiaddrIP(addr)
	return ok && a.n.nets.relays(ip) && a.n.admission(p) == Admitted && !isCircuit(addr)
}

func (a memberACL) AllowConnect(src peer.ID, srcAddr ma.Multiaddr, dest peer.ID) bool {
	ip, ok := multiaddrIP(srcAddr)
	return ok && a.n.nets.relays(ip) && !isCircuit(srcAddr) && a.n.admission(src) == Admitted && a.n.admission(dest) == Admitted
}

// serveRelay starts the relay service for colleagues.
func (n *Node) serveRelay() error {
	r, err := relay.New(n.host, relay.WithResources(relayResources()), relay.WithACL(memberACL{n}))
	if err != nil {
		return err
	}
	n.relay = r
	emit, err := n.host.EventBus().Emitter(new(event.EvtAutoRelayAddrsUpdated))
	if err != nil {
		r.Close()
		return err
	}
	n.goTracked(func() { n.keepReservations(emit) })
	return nil
}

// ThroughMe are addresses that reach a colleague connected to us through
// our relay, for introductions (peer exchange): a colleague who cannot
// reach it directly dials these after the direct ones, for the colleagues
// MayRelayFor names. Nil with NoRelay.
func (n *Node) ThroughMe() []ma.Multiaddr {
	if n.relay == nil {
		return nil
	}
	circuit, err := ma.NewMultiaddr("/p2p/" + n.ID().String() + "/p2p-circuit")
	if err != nil {
		return nil
	}
	var out []ma.Multiaddr
	for _, a := range n.host.Addrs() {
		if n.nets.allowsOwnAddr(a) && len(out) < 2 {
			out = append(out, a.Encapsulate(circuit))
		}
	}
	return out
}

// MayRelayFor reports whether an introduction of id should name our
// circuit (ThroughMe). It leads somewhere only while id holds a slot with
// us; a dial through it otherwise fails (NO_RESERVATION), after costing
// the relay a stream, and in an office where everyone introduces everyone
// most colleagues hold no slot with the introducer. So it is named for a
// colleague that holds a slot with us, or whose slots we do not know yet
// while it may still take one with us: no address of its own through a
// relay has reached us, and it connected less than slotGrace ago. Never
// for one whose slots are elsewhere, nor for one that stayed without a
// slot with us past the grace (it took its slots elsewhere, or none:
// relays refused it). False with NoRelay.
func (n *Node) MayRelayFor(id peer.ID) bool {
	if n.relay == nil {
		return false
	}
	// The address book and the connections first: reading the connection
	// manager's tags copies every connection's address as text.
	if !slices.ContainsFunc(n.host.Peerstore().Addrs(id), isCircuit) && n.connectedWithin(id, n.slotGrace) {
		return true
	}
	return n.holdsSlotWithMe(id)
}

// slotGraceAfterConnect is how long after connecting a colleague without
// a known slot is taken to be taking one with us (Node.slotGrace): a
// reservation is asked within seconds of connecting (reserveRetry),
// longer on a busy machine.
const slotGraceAfterConnect = 30 * time.Second

// connectedWithin reports whether a connection to id opened less than d ago.
func (n *Node) connectedWithin(id peer.ID, d time.Duration) bool {
	for _, c := range n.host.Network().ConnsToPeer(id) {
		if time.Since(c.Stat().Opened) < d {
			return true
		}
	}
	return false
}

// slotTag is the tag libp2p's relay puts on a peer in the connection
// manager while the peer holds a slot (a reservation) with it.
const slotTag = "relay-reservation"

// holdsSlotWithMe reports whether id holds a slot with our relay now.
func (n *Node) holdsSlotWithMe(id peer.ID) bool {
	info := n.host.ConnManager().GetTagInfo(id)
	if info == nil {
		return false
	}
	_, ok := info.Tags[slotTag]
	return ok
}

// How a colleague is connected (Via).
const (
	ViaDirect = "direct"
	ViaRelay  = "relay"
)

// Via says how we are connected to id: ViaDirect when any connection is
// direct, ViaRelay when all go through a relay, "" when none.
func (n *Node) Via(id peer.ID) string {
	via, _ := n.Route(id)
	return via
}

// Route is Via and, for ViaRelay, the colleague relaying.
func (n *Node) Route(id peer.ID) (via string, relay peer.ID) {
	for _, c := range n.host.Network().ConnsToPeer(id) {
		if c.IsClosed() {
			continue
		}
		if !isCircuit(c.RemoteMultiaddr()) {
			return ViaDirect, ""
		}
		via = ViaRelay
		if v, err := c.RemoteMultiaddr().ValueForProtocol(ma.P_P2P); err == nil {
			relay, _ = peer.Decode(v)
		}
	}
	return via, relay
}

// DialDirect tries a direct connection to id, which may be connected
// through a relay only: for traffic a relay should not carry (large
// files), and so that the colleagues keep each other when the relaying
// one leaves (direct.go).
func (n *Node) DialDirect(ctx context.Context, id peer.ID) error {
	if n.Via(id) == ViaDirect {
		return nil
	}
	ctx = network.WithForceDirectDial(ctx, "a direct path is preferred")
	_, err := n.host.Network().DialPeer(ctx, id)
	return err
}

// isCircuit reports whether a goes through a relay.
func isCircuit(a ma.Multiaddr) bool {
	_, err := a.ValueForProtocol(ma.P_CIRCUIT)
	return err == nil
}
