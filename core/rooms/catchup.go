package rooms

import (
	"context"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"
)

// catchUpsAtOnce bounds the catch-up syncs a node runs at once: those a
// new connection starts (every room, with the colleague just met), a
// mesh entry, a proof to give back and a room just joined (with every
// connected colleague). An office arriving together connects each node
// to a hundred colleagues within seconds; catching up with all of them
// at once fetched the same few messages from each, and each answer
// read, sent, verified and stored them again, the busiest work of a
// forming office. Taken a few at a time, each catch-up asks only for
// what the earlier ones did not bring. A gap, the periodic sync and a
// handed-over key do not wait: they ask for what is missing now.
const catchUpsAtOnce = 4

// awaitTurn waits until a catch-up with id may run: a turn is free, or a
// request that does not wait came for the same peer (turn closed). It
// returns what gives the turn back.
func (y *Syncer) awaitTurn(ctx context.Context, id peer.ID, turn <-chan struct{}) (release func()) {
	held := false
	select {
	case y.turns <- struct{}{}:
		held = true
	case <-turn:
	case <-ctx.Done():
	}
	y.mu.Lock()
	if y.waiting[id] == turn {
		delete(y.waiting, id)
	}
	y.mu.Unlock()
	return func() {
		if held {
			<-y.turns
		}
	}
}

// hurry lets a catch-up waiting for its turn with id run now; y.mu held.
func (y *Syncer) hurry(id peer.ID) {
	if turn := y.waiting[id]; turn != nil {
		close(turn)
		delete(y.waiting, id)
	}
}

// askedMeanwhile adds to a catch-up about to run the rooms asked of the
// same peer while it waited for its turn: its pull starts after they were
// asked, so it brings what another pull after it would, and one pull
// serves both. (An office arriving together asks each colleague again,
// for the room whose mesh it entered or whose key it proved, mostly
// while the first catch-up still waits.)
func (y *Syncer) askedMeanwhile(id peer.ID, rooms []string) []string {
	y.mu.Lock()
	defer y.mu.Unlock()
	more := y.again[id]
	delete(y.again, id)
	if len(more) == 0 {
		return rooms
	}
	rooms = slices.Clone(rooms)
	for r := range more {
		if !slices.Contains(rooms, r) {
			rooms = append(rooms, r)
		}
	}
	return rooms
}
