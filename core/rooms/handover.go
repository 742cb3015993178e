package rooms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// handKeys queues every later epoch key of j for a colleague just
// invited, so that it reads the room as it is now.
func (m *Manager) handKeys(ctx context.Context, j *Joined, to peer.ID) error {
	keys, err := m.deps.Store.RoomEpochKeys(ctx, j.id)
	if err != nil {
		return err
	}
	for _, k := range keys {
		// Someone removed and invited back is no longer left out.
		removed := slices.DeleteFunc(slices.Clone(k.Removed), func(p string) bool { return p == to.String() })
		meta, err := json.Marshal(p2p.RoomKey{Room: j.id, Epoch: k.Epoch, Key: k.Key[:], Removed: removed})
		if err != nil {
			return err
		}
		if _, err := m.deps.QueueDM(ctx, to, fmt.Sprintf("key for #%s", j.name), p2p.DMKindRoomKey, string(meta)); err != nil {
			return err
		}
	}
	return nil
}

// queueDMs sends one direct message to each of tos, in one commit when
// the node can; one out of reach (blocked) keeps no other from it.
func (m *Manager) queueDMs(ctx context.Context, tos []peer.ID, text, kind, meta string) error {
	if len(tos) == 0 {
		return nil
	}
	if m.deps.QueueDMs != nil {
		return m.deps.QueueDMs(ctx, tos, text, kind, meta)
	}
	var errs []error
	for _, to := range tos {
		if _, err := m.deps.QueueDM(ctx, to, text, kind, meta); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", to.ShortString(), err))
		}
	}
	return errors.Join(errs...)
}
