package rooms

import (
	"context"
	"slices"
	"sync"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// maxHeldKeys bounds the keys held per room while the log catches up.
const maxHeldKeys = 16

// heldKeys are room keys refused only because our membership log did not
// show yet what they rest on: their sender's membership, or the leave or
// removal of those they leave out. A member back from an absence gets the
// keys of several re-keys at once, each from whoever made it, and the
// operation a key rests on may be sealed under the epoch before it: the
// key of that epoch (from another sender, maybe one who has left since)
// must be taken first. Each key taken retries the ones held for its room.
type heldKeys struct {
	mu sync.Mutex // guards by
	by map[string][]heldKey
}

type heldKey struct {
	from peer.ID
	key  p2p.RoomKey
}

// hold keeps k for a later try; a key held already is not kept twice.
func (h *heldKeys) hold(from peer.ID, k *p2p.RoomKey) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.by == nil {
		h.by = map[string][]heldKey{}
	}
	q := h.by[k.Room]
	if len(q) >= maxHeldKeys || slices.ContainsFunc(q, func(x heldKey) bool {
		return x.from == from && x.key.Epoch == k.Epoch && slices.Equal(x.key.Key, k.Key)
	}) {
		return
	}
	h.by[k.Room] = append(q, heldKey{from: from, key: *k})
}

// has reports whether keys are held for room.
func (h *heldKeys) has(room string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.by[room]) > 0
}

// take removes and returns the keys held for room.
func (h *heldKeys) take(room string) []heldKey {
	h.mu.Lock()
	defer h.mu.Unlock()
	q := h.by[room]
	delete(h.by, room)
	return q
}

// retryHeld tries again the keys held for room, now that a key of it was
// taken or its log took in more; those still refused are held again.
func (m *Manager) retryHeld(ctx context.Context, room string) {
	for _, h := range m.held.take(room) {
		if err := m.acceptKey(ctx, h.from, &h.key); err != nil {
			m.log.Debug("held room key still refused", "room", room, "epoch", h.key.Epoch, "err", err)
		}
	}
}

// pullFrom asks each of ids for the room's history, each for at most
// keySenderSync.
func (m *Manager) pullFrom(ctx context.Context, j *Joined, ids []peer.ID) {
	for _, p := range ids {
		sctx, cancel := context.WithTimeout(ctx, keySenderSync)
		_ = m.syncer.pull(sctx, p, []string{j.id})
		cancel()
	}
}
