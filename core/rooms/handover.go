package rooms

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// handKeys queues every later epoch key of j for a colleague just
// invited, so that it reads the room as it is now. It runs a moment after
// it was decided, and reads the keys then: #general's go only to whom the
// workspace room's log still counts in, so a member revoked meanwhile is
// not handed the key that shuts it out.
func (m *Manager) handKeys(ctx context.Context, j *Joined, to peer.ID) error {
	if j.general && !m.inWorkspace(to) {
		return nil
	}
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
