package people

import (
	"context"
	"slices"
	"strings"
	"time"

	"hallway/discovery"

	ma "github.com/multiformats/go-multiaddr"
)

// PeerSeen is called by discovery; it never blocks. Configured addresses
// are dialled with priority; mDNS and introductions are hints.
// Hints only lead to the addresses hintGuard lets through.
func (d *Dialer) PeerSeen(_ context.Context, sg discovery.Sighting) {
	d.sighted(sg.ID, sg.Via)
	if sg.Via == discovery.ViaStatic {
		d.try(sg.ID, sg.Addrs, false, true)
		return
	}
	if sg.ID == d.net.ID() || d.net.IsConnected(sg.ID) || d.blocks.IsBlocked(sg.ID) {
		return // spend none of the guard's allowance on a sighting with nothing to dial
	}
	addrs := slices.DeleteFunc(slices.Clone(sg.Addrs), func(a ma.Multiaddr) bool {
		_, ok := hintTarget(a)
		return !ok
	})
	if len(addrs) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.state(sg.ID)
	st.vouch(sg.Via, sg.From)
	if sg.Via == discovery.ViaPeer && sg.From != "" {
		st.sameKey = true // a colleague connects to it under our key
	}
	st.hint, st.hintTries = mergeAddrs(addrs, st.hint), 0
	st.hintDue = true
	if st.err != nil && time.Now().Before(st.next) && !slices.ContainsFunc(addrs, func(a ma.Multiaddr) bool {
		return !strings.Contains(" "+st.failed, " "+a.String()+" ")
	}) {
		return // nothing new: tried again once the back-off is over (retryHints)
	}
	d.dialHint(st)
}

// dialHint queues a dial of what st's hint lets us dial now, or adds it
// to the dial queued already, and reports whether it did; the caller
// holds d.mu. The hint guard's allowance is spent only on addresses that
// are dialled: a hint that finds its queue full, or its peer's dial
// running, is not dialled now, and is tried again (retryHints) with the
// addresses it had, never introduced again without mDNS. While the
// peer's own address rests after a dial of ours, its relays are not
// dialled alone: they hold no reservation for most colleagues, and the
// failure would only put off the dial that has a chance.
func (d *Dialer) dialHint(st *dialState) bool {
	switch {
	case st.inflight:
		return false // tried again if it fails
	case st.queued:
		st.addrs = mergeAddrs(d.hintGuard.allow(st.id, st.hint), st.addrs)
		st.hintDue = false
		return true
	case !d.roomInQueue(st):
		return false // its introducer's share of the queue is taken
	case len(d.hints) >= maxQueuedHints:
		d.dropped++
		return false
	case time.Since(st.directAt) < hintAddrInterval && slices.ContainsFunc(st.hint, func(a ma.Multiaddr) bool { return !isRelayed(a) }):
		return false // the direct address rests
	}
	addrs := d.hintGuard.allow(st.id, st.hint)
	if len(addrs) == 0 {
		return false
	}
	if slices.ContainsFunc(addrs, func(a ma.Multiaddr) bool { return !isRelayed(a) }) {
		st.directAt = time.Now()
	}
	st.hintDue = false
	st.addrs, st.queued = addrs, true
	d.hints = append(d.hints, st)
	d.signal()
	return true
}

// mergeAddrs is newer followed by those of older it lacks, at most
// maxQueuedAddrs, the direct addresses before any relay's. Every
// colleague who introduces a newcomer adds the circuit through itself:
// in an office, a newcomer is introduced by more colleagues than a dial
// keeps addresses, and the circuits, newer each time, must not push out
// the newcomer's own address, which no other introduction may bring
// again for a while (the hint guard rests it).
func mergeAddrs(newer, older []ma.Multiaddr) []ma.Multiaddr {
	var direct, relayed []ma.Multiaddr
	for _, a := range slices.Concat(newer, older) {
		if slices.ContainsFunc(direct, a.Equal) || slices.ContainsFunc(relayed, a.Equal) {
			continue
		}
		if isRelayed(a) {
			relayed = append(relayed, a)
		} else {
			direct = append(direct, a)
		}
	}
	out := append(direct, relayed...)
	return out[:min(len(out), maxQueuedAddrs)]
}

// isRelayed reports whether a leads through a relay (p2p-circuit).
func isRelayed(a ma.Multiaddr) bool {
	_, err := a.ValueForProtocol(ma.P_CIRCUIT)
	return err == nil
}

// retryHints queues again the hints whose dial failed, once their
// back-off is over, hintRetries times at most, and the hints not dialled
// yet, with the addresses the hint guard lets through now: however many
// made-up peers point at one host and port, it is still dialled once per
// hintAddrInterval at most.
func (d *Dialer) retryHints() {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for id, st := range d.st {
		if len(d.hints) >= maxQueuedHints {
			return
		}
		if len(st.hint) == 0 || st.queued || st.inflight || st.hintTries >= st.retries() {
			continue
		}
		if st.err != nil && now.Before(st.next) {
			continue // the back-off
		}
		failed := st.err != nil
		if !st.hintDue && !failed {
			continue
		}
		if d.net.IsConnected(id) || d.blocks.IsBlocked(id) {
			st.hint, st.hintDue = nil, false
			continue
		}
		if d.dialHint(st) && failed {
			st.hintTries++
		}
	}
}
