package people

import (
	"errors"
	"maps"
	"slices"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// What the dialer remembers for hallway doctor: when each source last
// reported a peer, and what each address of its last failed dial did.

// sighted notes that via reported id now, with id's dial state (within
// the dialer's bound on peers).
func (d *Dialer) sighted(id peer.ID, via string) {
	if via == "" || id == d.net.ID() {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.state(id)
	if st.seen == nil {
		st.seen = map[string]time.Time{}
	}
	st.seen[via] = time.Now()
}

// state is id's dial state, made now if need be; the caller holds d.mu.
func (d *Dialer) state(id peer.ID) *dialState {
	st := d.st[id]
	if st == nil {
		d.evict()
		st = &dialState{id: id}
		d.st[id] = st
	}
	return st
}

// maxAttempts bounds the per-address outcomes kept for a colleague.
const maxAttempts = 8

// mergeAttempts keeps, newest first, the latest outcome of each address
// across failed dials: a dial of a relay address that fails after a
// direct one timed out must not hide that a firewall drops the direct
// path.
func mergeAttempts(latest, earlier []p2p.DialAttempt) []p2p.DialAttempt {
	out := slices.Clone(latest)
	for _, a := range earlier {
		if len(out) >= maxAttempts {
			break
		}
		if !slices.ContainsFunc(out, func(b p2p.DialAttempt) bool { return b.Addr == a.Addr }) {
			out = append(out, a)
		}
	}
	return out
}

// attemptsOf is what each address did in the failed dial err.
func attemptsOf(err error, addrs []ma.Multiaddr) []p2p.DialAttempt {
	var f *p2p.DialFailure
	if errors.As(err, &f) {
		return f.Attempts
	}
	out := make([]p2p.DialAttempt, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, p2p.DialAttempt{Addr: a.String(), Outcome: p2p.OutcomeFailed, Detail: err.Error()})
	}
	return out
}

// DialReport is what the dialer knows of a peer's reachability.
type DialReport struct {
	Seen      map[string]time.Time // source → when it last reported the peer
	Attempts  []p2p.DialAttempt    // each address's latest outcome in failed dials, newest first
	AttemptAt time.Time            // when it failed
}

// Report is what the dialer knows of id.
func (d *Dialer) Report(id peer.ID) DialReport {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.st[id]
	if st == nil {
		return DialReport{}
	}
	return DialReport{Seen: maps.Clone(st.seen), Attempts: append([]p2p.DialAttempt(nil), st.attempts...), AttemptAt: st.attemptAt}
}

// Heard lists the peers some source reported or the dialer tried, known
// to the directory or not.
func (d *Dialer) Heard() []peer.ID {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]peer.ID, 0, len(d.st))
	for id, st := range d.st {
		if len(st.seen) > 0 || len(st.attempts) > 0 {
			out = append(out, id)
		}
	}
	return out
}
