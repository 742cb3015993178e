package people

import (
	"context"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// addrsKey names a dial's addresses, to tell a dial of the same ones
// that failed.
func addrsKey(addrs []ma.Multiaddr) string {
	k := ""
	for _, a := range addrs {
		k += a.String() + " "
	}
	return k
}

// maxQueuedAddrs bounds the addresses a queued dial gathers.
const maxQueuedAddrs = 16

// try queues a dial unless one is queued or running or the back-off says
// wait. New addresses bypass the back-off: a colleague who restarted on a
// new port should not wait for the old address's penalty. A dial already
// queued adds the newest addresses before those it had: in an office,
// colleagues introduce a newcomer all at once, and the hint guard lets its
// direct address through only once, so a later introduction brings just a
// relay's address, which must not take the direct one's place.
func (d *Dialer) try(id peer.ID, addrs []ma.Multiaddr, force, known bool) {
	if id == d.net.ID() || len(addrs) == 0 || d.net.IsConnected(id) || d.blocks.IsBlocked(id) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.state(id)
	if st.queued {
		st.addrs = mergeAddrs(addrs, st.addrs)
		return
	}
	if st.inflight || (!force && addrsKey(addrs) == st.failed && time.Now().Before(st.next)) {
		return
	}
	q, limit := &d.hints, maxQueuedHints
	if force || known {
		q, limit = &d.known, maxQueuedKnown
	}
	if len(*q) >= limit {
		d.dropped++
		return
	}
	st.addrs, st.queued = addrs, true
	*q = append(*q, st)
	d.signal()
}

// signal wakes workers for what is queued; the caller holds d.mu.
func (d *Dialer) signal() {
	if len(d.known)+len(d.hints) > 0 {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
	if len(d.known) > 0 {
		select {
		case d.wakeKnown <- struct{}{}:
		default:
		}
	}
}

// evict forgets idle peers once the dialer knows too many: first those
// whose back-off is over, then, if that is not enough, any idle one.
// Queued and running dials are kept.
func (d *Dialer) evict() {
	if len(d.st) < maxDialStates {
		return
	}
	now := time.Now()
	for id, st := range d.st {
		if !st.queued && !st.inflight && now.After(st.next) {
			delete(d.st, id)
		}
	}
	if len(d.st) < maxDialStates*3/4 {
		return
	}
	for id, st := range d.st {
		if !st.queued && !st.inflight {
			delete(d.st, id)
		}
	}
}

// dial is what a worker dials: the addresses, and whether the peer is
// known to share our workspace key (dialState.sameKey).
type dial struct {
	addrs   []ma.Multiaddr
	sameKey bool
}

// take waits for the next queued dial, colleagues before hints, that the
// pace lets start (dialpace.go); a worker that is knownOnly never takes
// hints, so a flood of hints whose dials hang cannot hold every worker
// while a colleague waits.
func (d *Dialer) take(ctx context.Context, knownOnly bool) (*dialState, dial, bool) {
	for {
		d.mu.Lock()
		var st *dialState
		switch {
		case !d.mayStart(knownOnly):
		case len(d.known) > 0:
			st, d.known = d.known[0], d.known[1:]
		case !knownOnly:
			if i := d.nextHint(); i >= 0 {
				st = d.hints[i]
				d.hints = slices.Delete(d.hints, i, i+1)
				d.startHint(st)
			}
		}
		if st != nil {
			st.queued, st.inflight = false, true
			d.started()
			next := dial{addrs: st.addrs, sameKey: st.sameKey}
			d.signal() // pass the word on to another worker
			d.mu.Unlock()
			return st, next, true
		}
		d.mu.Unlock()
		wake := d.wake
		if knownOnly {
			wake = d.wakeKnown
		}
		select {
		case <-ctx.Done():
			return nil, dial{}, false
		case <-wake:
		}
	}
}
