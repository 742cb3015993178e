package rooms

import (
	"context"
	"slices"
	"sync"
	"time"

	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Leaving re-keys the room: the leaver cannot (it must not choose the key
// it is shut out of), so the remaining members do, by one rule every one
// of them applies alike (docs/ROOMS.md):
//
//   - Only a leave sealed under the newest epoch we hold, and sent within
//     leaveRekeyWindow, counts: a leave from history fetched later, or
//     one a re-key already followed, starts nothing.
//   - The remaining members are ranked by peer ID (as text). The first
//     re-keys at once; the one ranked r waits r times rekeyGrace and
//     re-keys only if no new epoch reached it meanwhile. So one member
//     re-keys when the first is online, and the room still moves on when
//     it is not. Two that re-key at once end up on one key anyway
//     (concurrent re-keys, epochs.go).
//   - A leave fetched by sync rather than heard live (a member back
//     from an absence) waits historyGrace more, whatever the rank: the
//     re-key that followed it while we were away is likely on its way to
//     us in the same catch-up, and a second one would only add an epoch.
//     Its key may have come before the leave reached our log, and been
//     held (heldkeys.go): it is tried again before deciding.
const (
	rekeyGrace        = 10 * time.Second
	historyGrace      = rekeyGrace / 2
	leaveRekeyWindow  = 24 * time.Hour
	maxRekeyRankDelay = 20 // ranks past this wait as long as this one
)

// leaveRekeys are the leaves (room and leaver) with a re-key waiting.
type leaveRekeys struct {
	mu      sync.Mutex
	waiting map[string]bool
}

func (l *leaveRekeys) start(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waiting == nil {
		l.waiting = map[string]bool{}
	}
	if l.waiting[key] {
		return false
	}
	l.waiting[key] = true
	return true
}

func (l *leaveRekeys) done(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.waiting, key)
}

// leaveSeen is told of each plain leave committed: in a room made before
// operations, the leave that counts. In a room with a membership log the
// log's accepted leaves decide (relog calls leaveCut).
func (m *Manager) leaveSeen(ctx context.Context, e *storage.RoomEntry, live bool) {
	j := m.joined.Get(e.Room)
	self := m.deps.Net.ID()
	if j == nil || j.general || j.liveOnly || e.Member == nil || e.Member.Joined || e.Author == self.String() {
		return
	}
	if r := j.roster(); r != nil && r.owned {
		return
	}
	env, err := hcrypto.UnmarshalEnvelope(e.Raw)
	if err != nil {
		return
	}
	epoch, _ := j.current()
	if env.Epoch != epoch || time.Since(e.Message.SentAt) > leaveRekeyWindow {
		return
	}
	leaver, err := peer.Decode(e.Member.Peer)
	if err != nil {
		return
	}
	m.rekeyAfterLeave(ctx, j, leaver, epoch, live)
}

// leaveCut is told of a leave the membership log newly accepted. A leave
// that an epoch already left its author out of starts nothing.
func (m *Manager) leaveCut(ctx context.Context, j *Joined, leaver peer.ID, live bool) {
	if j.liveOnly || leaver == m.deps.Net.ID() || j.isRemoved(leaver) {
		return
	}
	epoch, _ := j.current()
	m.rekeyAfterLeave(ctx, j, leaver, epoch, live)
}

// rekeyAfterLeave applies the rules above to a leave seen at epoch.
func (m *Manager) rekeyAfterLeave(ctx context.Context, j *Joined, leaver peer.ID, epoch uint64, live bool) {
	self := m.deps.Net.ID()
	members, err := m.members(ctx, j)
	if err != nil {
		return
	}
	var remaining []string
	for _, mem := range members {
		if mem.Peer != leaver.String() {
			remaining = append(remaining, mem.Peer)
		}
	}
	slices.Sort(remaining)
	rank := slices.Index(remaining, self.String())
	// One wait per leave: a second member leaving while a re-key for
	// the first is still waiting its turn gets its own.
	key := j.id + "\x00" + leaver.String()
	if rank < 0 || !m.leaves.start(key) {
		return
	}
	delay := time.Duration(min(rank, maxRekeyRankDelay)) * rekeyGrace
	if !live {
		delay += historyGrace
	}
	m.deps.Spawner.Go(func(ctx context.Context) {
		defer m.leaves.done(key)
		if delay > 0 {
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
			// The key of a re-key made for this leave may be held, for
			// the leave reached our log after it: it is taken now.
			m.retryHeld(ctx, j.id)
			if now, _ := j.current(); now != epoch {
				return // someone ranked before us re-keyed
			}
		}
		if err := m.Rekey(ctx, j.id, []peer.ID{leaver}); err != nil {
			m.log.Warn("re-key after a leave failed", "room", j.id, "err", err)
		}
	})
}
