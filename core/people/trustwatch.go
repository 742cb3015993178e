package people

import (
	"context"
	"fmt"
	"time"

	"hallway/chat"
)

// watchGap is the least time between two name checks of RunWatch: as an
// office of a hundred arrives, profiles come in all the time, and a check
// after each burst still read every colleague several times a second.
const watchGap = time.Second

// RunWatch raises a NameWarningRaised event the first time a colleague's
// name collides with another key's, as profiles arrive, until ctx ends.
func (b *TrustBook) RunWatch(ctx context.Context) error {
	events := b.events.Subscribe(ctx)
	warned := map[string]string{}
	names := map[string]string{} // each colleague's name as the last check read it
	var last *nameView
	check := func() {
		v, err := b.names(ctx)
		if err != nil {
			clear(names) // nothing is known: the next event checks again
			last = nil
			return
		}
		if v == last {
			return // nothing that names anyone was written since
		}
		last = v
		clear(names)
		for _, p := range v.st.peers {
			names[p.ID] = p.Name
		}
		for id, w := range v.warns {
			if warned[id] != w.Kind+"\x00"+w.Of {
				warned[id] = w.Kind + "\x00" + w.Of
				b.pub.Publish(chat.NameWarningRaised{Warning: w})
			}
		}
	}
	check()
	lastCheck := time.Now()
	for e := range events {
		if !namesMayChange(e, names) {
			continue
		}
		// Colleagues come online together (the office's morning, a
		// network back): one check a watchGap at most, after what came
		// meanwhile, not one per event, each of which reads every
		// colleague.
		if wait := watchGap - time.Since(lastCheck); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil
			}
		}
		for more := true; more; {
			select {
			case _, ok := <-events:
				more = ok
			default:
				more = false
			}
		}
		check()
		lastCheck = time.Now()
	}
	return nil
}

// readNames reads what warnings compare: every colleague's name and
// first sighting, and the verifications.
func (b *TrustBook) readNames(ctx context.Context) (trustState, error) {
	peers, err := b.store.PeerNames(ctx)
	if err != nil {
		return trustState{}, fmt.Errorf("read colleagues' names: %w", err)
	}
	return b.verified(ctx, peers)
}

// namesMayChange reports whether e may raise a name warning: a colleague
// the last check did not read, or read under another name; a
// verification changed; or events were lost. A profile that changes no
// name (a status, the addresses, the colleague met again), which is most
// of what an office sends, does not.
func namesMayChange(e chat.Event, names map[string]string) bool {
	switch e := e.(type) {
	case chat.TrustChanged, chat.Lagged:
		return true
	case chat.PeerOnline:
		return nameNews(e.Peer, names)
	case chat.PeerUpdated:
		return nameNews(e.Peer, names)
	}
	return false
}

func nameNews(c chat.Colleague, names map[string]string) bool {
	name, ok := names[c.PeerID]
	return !ok || name != c.Name
}
