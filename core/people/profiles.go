package people

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"hallway/chat"
	"hallway/discovery"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// pushTimeout bounds one profile push.
const pushTimeout = 5 * time.Second

// A push that fails while the colleague stays connected is tried again,
// pushRetryGap after the first failure and doubling up to pushRetryMaxGap,
// for pushPersist in all: the profile goes out once per connection, and a
// colleague who missed it would not list us online until our next change.
// Offices of dozens connecting at once lost some to connections reset
// mid-push; an office of a hundred forming on busy machines lost some
// after four tries in 7 s, with the connection up for minutes after.
const (
	pushRetryGap    = time.Second
	pushRetryMaxGap = 30 * time.Second
	pushPersist     = 5 * time.Minute
)

// PushToAll tells every connected colleague our profile, in parallel, and
// returns when all have it or failed.
func (p *Presence) PushToAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, id := range p.net.ConnectedPeers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Push(ctx, id)
		}()
	}
	wg.Wait()
}

// Push tells one colleague our profile and whom we are connected to,
// trying again while they stay connected.
func (p *Presence) Push(ctx context.Context, id peer.ID) {
	gap := pushRetryGap
	end := time.Now().Add(pushPersist)
	for attempt := 1; ; attempt++ {
		err := p.pushOnce(ctx, id)
		if err == nil {
			return
		}
		p.log.Debug("profile push failed", "peer", id, "attempt", attempt, "err", err)
		if time.Now().Add(gap).After(end) || !p.net.IsConnected(id) {
			return
		}
		t := time.NewTimer(gap)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		gap = min(2*gap, pushRetryMaxGap)
	}
}

func (p *Presence) pushOnce(ctx context.Context, id peer.ID) error {
	ctx, cancel := context.WithTimeout(ctx, pushTimeout)
	defer cancel()
	prof := p.Current()
	prof.Known = p.knownPeersFor(id)
	prof.Clock = wallClock().UnixMilli()
	return p.net.PushProfile(ctx, id, prof)
}

// maxIntroduced bounds the colleagues one push introduces, picked at
// random among those connected. Each colleague a newcomer meets introduces
// as many more, so a few hops find an office of hundreds; with 64, every
// node of an office of 200 arriving together decoded and looked up 64
// introductions on each of its 199 connections, most of them of colleagues
// it had met already.
const maxIntroduced = 16

// knownPeersFor lists connected colleagues and their addresses for id, so
// that peers on another subnet, unreachable by mDNS, find each other.
func (p *Presence) knownPeersFor(id peer.ID) []p2p.KnownPeer {
	var known []p2p.KnownPeer
	var through []string // as text once per push, not per colleague
	for _, a := range p.net.ThroughMe() {
		through = append(through, a.String())
	}
	peers := p.net.ConnectedPeers()
	rand.Shuffle(len(peers), func(i, j int) { peers[i], peers[j] = peers[j], peers[i] })
	for _, other := range peers {
		if len(known) == maxIntroduced {
			break
		}
		if other == id {
			continue
		}
		var addrs []string
		// The address book holds, besides the colleague's own addresses,
		// the circuits every introduction of it brought and those of
		// relays that held it a slot before, in no order: cut unordered,
		// an introduction could give circuits alone, through relays that
		// hold no slot for it (NO_RESERVATION). mergeAddrs puts its own
		// first.
		for _, a := range mergeAddrs(p.net.PeerAddrs(other), nil) {
			if len(addrs) < maxIntroducedAddrs {
				addrs = append(addrs, a.String())
			}
		}
		if len(through) > 0 && p.net.MayRelayFor(other) {
			addrs = append(addrs, through...) // dialled after the direct ones
		}
		if len(addrs) > 0 {
			known = append(known, p2p.KnownPeer{ID: other.String(), Addrs: addrs})
		}
	}
	return known
}

// maxIntroducedAddrs bounds the addresses an introduction gives of one
// colleague, before the circuits through us.
const maxIntroducedAddrs = 6

// Receive takes a profile a colleague pushed: it records it unless a newer
// one was seen, announces the change, and hands the colleagues it
// introduces to the dialer.
func (p *Presence) Receive(ctx context.Context, from peer.ID, prof p2p.Profile) {
	p.clocks.note(from, prof.Clock)
	changed, err := p.accept(ctx, from, prof)
	if err != nil {
		p.log.Warn("colleague profile", "peer", from, "err", err)
	}
	if changed {
		p.pub.Publish(chat.PeerUpdated{Peer: p.directory.Colleague(ctx, from)})
	}
	for _, k := range prof.Known {
		id, err := k.PeerID()
		if err != nil {
			continue
		}
		if p.net.IsConnected(id) {
			// Nothing to dial: the dialer notes who introduced it (for
			// hallway doctor), and its addresses go unread, not even
			// parsed. In an office that arrives together most
			// introductions are of colleagues met already.
			p.sightings.PeerSeen(ctx, discovery.Sighting{ID: id, Via: discovery.ViaPeer, From: from})
			continue
		}
		addrs := k.Multiaddrs()
		if len(addrs) == 0 {
			continue // nowhere to dial
		}
		p.sightings.PeerSeen(ctx, discovery.Sighting{ID: id, Addrs: addrs, Via: discovery.ViaPeer, From: from})
	}
}

// accept records a colleague's profile unless a newer one was seen.
func (p *Presence) accept(ctx context.Context, from peer.ID, prof p2p.Profile) (bool, error) {
	p.seenMu.Lock()
	if prof.Version <= p.seenVersion[from] {
		p.seenMu.Unlock()
		return false, nil
	}
	p.seenVersion[from] = prof.Version
	p.seenMu.Unlock()
	rec := storage.Peer{
		ID:         from.String(),
		PubKey:     p.net.PubKey(from),
		Name:       prof.Name,
		Status:     prof.Status,
		StatusText: prof.StatusText,
		LastSeen:   time.Now(),
	}
	for _, a := range p.net.PeerAddrs(from) {
		rec.Addrs = append(rec.Addrs, a.String())
	}
	// In order: the address book lists them in no order of its own, and
	// the store reads addresses in a new order as new ones, which drops
	// the list of where colleagues are that the dialer's sweeps keep.
	slices.Sort(rec.Addrs)
	if err := p.store.UpsertPeer(ctx, rec); err != nil {
		return false, fmt.Errorf("record colleague %s: %w", from.ShortString(), err)
	}
	return true, nil
}
