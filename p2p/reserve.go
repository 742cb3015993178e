package p2p

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/client"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/proto"
	ma "github.com/multiformats/go-multiaddr"
)

// A node holds reservations with relayNumRelays colleagues it is directly
// connected to, so that a colleague who cannot reach it directly can
// reach it through one of them. libp2p's autorelay does the same for
// public relays only (it drops private relay addresses), so the node
// keeps its own: it reserves, refreshes before expiry, replaces a relay
// that went away, and hands the circuit addresses to the host's address
// book (the event autorelay itself emits), which advertises them.
const (
	reserveTimeout = 5 * time.Second
	// reserveRetry is how soon the node looks again while it holds fewer
	// reservations than it wants; reserveIdle when it holds them all.
	reserveRetry = 2 * time.Second
	reserveIdle  = time.Minute
	// reserveRefresh renews a reservation this long before it expires.
	reserveRefresh = 10 * time.Minute
)

// reservations are the relays this node holds a slot with.
type reservations struct {
	wake chan struct{} // a connection came or went

	mu      sync.Mutex // guards held and tried
	held    map[peer.ID]time.Time
	refused map[peer.ID]time.Time // relays that refused us, and when
}

// keepReservations runs until the node closes.
func (n *Node) keepReservations(emit event.Emitter) {
	defer emit.Close()
	// A colleague is a candidate once identify says it serves relays.
	var identified <-chan any
	if sub, err := n.host.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted)); err == nil {
		defer sub.Close()
		identified = sub.Out()
	}
	var last []ma.Multiaddr
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-timer.C:
		case <-n.rsv.wake:
		case <-identified:
		}
		full := n.reserveRound()
		if addrs := n.circuitAddrs(); !slices.EqualFunc(addrs, last, ma.Multiaddr.Equal) {
			last = addrs
			emit.Emit(event.EvtAutoRelayAddrsUpdated{RelayAddrs: slices.Clone(addrs)})
		}
		timer.Stop()
		if full {
			timer.Reset(reserveIdle)
		} else {
			timer.Reset(reserveRetry)
		}
	}
}

// pokeReservations wakes keepReservations, if it runs.
func (n *Node) pokeReservations() {
	select {
	case n.rsv.wake <- struct{}{}:
	default:
	}
}

// reserveRound drops relays gone, renews those about to expire and
// reserves with more colleagues while fewer than relayNumRelays serve;
// it reports whether enough do.
func (n *Node) reserveRound() bool {
	now := time.Now()
	n.rsv.mu.Lock()
	held := maps.Clone(n.rsv.held)
	n.rsv.mu.Unlock()
	if held == nil {
		held = map[peer.ID]time.Time{}
	}
	for id, exp := range held {
		if n.Via(id) != ViaDirect || now.After(exp) {
			delete(held, id)
		} else if exp.Sub(now) < reserveRefresh {
			if e, ok := n.reserve(id); ok {
				held[id] = e
			} else {
				delete(held, id)
			}
		}
	}
	for _, id := range n.host.Network().Peers() {
		if len(held) >= relayNumRelays {
			break
		}
		if _, ok := held[id]; ok || !n.relayCandidate(id, now) {
			continue
		}
		if e, ok := n.reserve(id); ok {
			held[id] = e
		}
	}
	n.rsv.mu.Lock()
	n.rsv.held = held
	n.rsv.mu.Unlock()
	return len(held) >= relayNumRelays
}

// relayCandidate reports whether id may relay for us: an admitted
// colleague, directly connected, that serves relays and has not refused
// us lately.
func (n *Node) relayCandidate(id peer.ID, now time.Time) bool {
	if n.admission(id) != Admitted || n.Via(id) != ViaDirect {
		return false
	}
	n.rsv.mu.Lock()
	at, refused := n.rsv.refused[id]
	n.rsv.mu.Unlock()
	if refused && now.Sub(at) < reserveIdle {
		return false
	}
	protos, err := n.host.Peerstore().SupportsProtocols(id, proto.ProtoIDv2Hop)
	return err == nil && len(protos) > 0
}

// reserve asks id for a slot, returning when it expires.
func (n *Node) reserve(id peer.ID) (time.Time, bool) {
	ctx, cancel := context.WithTimeout(n.ctx, reserveTimeout)
	defer cancel()
	r, err := client.Reserve(ctx, n.host, peer.AddrInfo{ID: id})
	if err != nil {
		n.log.Debug("relay reservation refused", "relay", id, "err", err)
		n.rsv.mu.Lock()
		if n.rsv.refused == nil {
			n.rsv.refused = map[peer.ID]time.Time{}
		}
		n.rsv.refused[id] = time.Now()
		n.rsv.mu.Unlock()
		return time.Time{}, false
	}
	n.log.Debug("relay reservation", "relay", id, "expires", r.Expiration)
	return r.Expiration, true
}

// circuitAddrs are our addresses through the relays we hold a slot with:
// each relay's LAN addresses, then /p2p/RELAY/p2p-circuit.
func (n *Node) circuitAddrs() []ma.Multiaddr {
	n.rsv.mu.Lock()
	relays := slices.Sorted(maps.Keys(n.rsv.held))
	n.rsv.mu.Unlock()
	var out []ma.Multiaddr
	for _, r := range relays {
		circuit, err := ma.NewMultiaddr("/p2p/" + r.String() + "/p2p-circuit")
		if err != nil {
			continue
		}
		for _, a := range n.host.Peerstore().Addrs(r) {
			if n.nets.allowsOwnAddr(a) {
				out = append(out, a.Encapsulate(circuit))
			}
		}
	}
	return out
}

// Relays are the colleagues that hold a slot for us now.
func (n *Node) Relays() []peer.ID {
	n.rsv.mu.Lock()
	defer n.rsv.mu.Unlock()
	return slices.Sorted(maps.Keys(n.rsv.held))
}
