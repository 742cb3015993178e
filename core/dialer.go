package core

import (
	"context"
	"sync"
	"time"

	"hallway/discovery"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

const (
	maxConcurrentDials = 8
	dialTimeout        = 5 * time.Second
	firstBackoff       = time.Second
	// maxBackoff stays short: on a LAN a colleague who is back should be
	// reconnected within seconds, and a failed dial costs next to nothing.
	maxBackoff    = 10 * time.Second
	reconnectTick = 3 * time.Second
)

// dialer turns sightings (mDNS, static addresses, colleagues' hints) and
// known colleagues into connections, with one attempt in flight per peer,
// a per-peer back-off, and a bound on concurrent dials so an announcement
// flood cannot make us dial without limit.
type dialer struct {
	s    *Service
	sem  chan struct{}
	mu   sync.Mutex
	st   map[peer.ID]*dialState
	last map[peer.ID]error
}

type dialState struct {
	inflight bool
	next     time.Time
	delay    time.Duration
	addrs    string // addresses of the last failed attempt
}

var _ discovery.Sink = (*dialer)(nil)

func newDialer(s *Service) *dialer {
	return &dialer{s: s, sem: make(chan struct{}, maxConcurrentDials), st: map[peer.ID]*dialState{}, last: map[peer.ID]error{}}
}

// PeerSeen is called by discovery; it never blocks.
func (d *dialer) PeerSeen(_ context.Context, sg discovery.Sighting) {
	d.try(sg.ID, sg.Addrs, false)
}

func addrsKey(addrs []ma.Multiaddr) string {
	k := ""
	for _, a := range addrs {
		k += a.String() + " "
	}
	return k
}

// try starts a dial unless one is running or the back-off says wait. New
// addresses bypass the back-off: a colleague who restarted on a new port
// should not wait for the old address's penalty.
func (d *dialer) try(id peer.ID, addrs []ma.Multiaddr, force bool) {
	s := d.s
	if id == s.node.ID() || len(addrs) == 0 || s.node.IsConnected(id) {
		return
	}
	key := addrsKey(addrs)
	d.mu.Lock()
	st := d.st[id]
	if st == nil {
		if len(d.st) > 4096 { // bounded: forget the oldest knowledge wholesale
			d.st = map[peer.ID]*dialState{}
		}
		st = &dialState{}
		d.st[id] = st
	}
	if st.inflight || (!force && key == st.addrs && time.Now().Before(st.next)) {
		d.mu.Unlock()
		return
	}
	st.inflight = true
	d.mu.Unlock()

	s.spawn(func(ctx context.Context) {
		err := d.dial(ctx, id, addrs)
		d.mu.Lock()
		defer d.mu.Unlock()
		st.inflight = false
		if err == nil {
			st.delay, st.next, st.addrs = 0, time.Time{}, ""
			delete(d.last, id)
			return
		}
		st.delay = min(max(2*st.delay, firstBackoff), maxBackoff)
		st.next = time.Now().Add(st.delay)
		st.addrs = key
		if len(d.last) < 4096 {
			d.last[id] = err
		}
		s.log.Debug("dial failed", "peer", id, "err", err)
	})
}

func (d *dialer) dial(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error {
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-d.sem }()
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	return d.s.node.Connect(ctx, id, addrs)
}

// reconnect dials a known colleague at their last known addresses now.
func (d *dialer) reconnect(ctx context.Context, id peer.ID) {
	p, ok, err := d.s.store.Peer(ctx, id.String())
	if err != nil || !ok {
		return
	}
	d.try(id, parseAddrs(p.Addrs), true)
}

func parseAddrs(ss []string) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, s := range ss {
		if a, err := ma.NewMultiaddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// run keeps trying known colleagues who are offline, so that a colleague
// behind a network that blocks mDNS comes back by itself.
func (d *dialer) run(ctx context.Context) error {
	t := time.NewTicker(reconnectTick)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
		peers, err := d.s.store.Peers(ctx)
		if err != nil {
			continue
		}
		for _, p := range peers {
			id, err := peer.Decode(p.ID)
			if err == nil && !d.s.node.IsConnected(id) {
				d.try(id, parseAddrs(p.Addrs), false)
			}
		}
	}
}

// lastError is why the last dial to id failed, if it did.
func (d *dialer) lastError(id peer.ID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.last[id]
}
