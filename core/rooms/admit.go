package rooms

import (
	"context"

	"hallway/p2p"
)

// admit applies the intake rules to what gossip or sync delivered, before
// it is stored; both paths go through here, so a message is treated alike
// whichever way it came.
//
//   - An envelope numbered more than p2p.SyncSeqWindow above what we hold
//     of its author without a hole is refused: an author that jumps a
//     million ahead would otherwise leave a hole no one can ever fill. A
//     colleague catching up on a long history gets the rest by sync, whose
//     answers stay within the same window.
//   - An envelope dated more than maxClockSkew ahead of our clock is placed
//     at the time it arrives: stored with our clock now instead of its own,
//     so that it neither stays at the end of the room until its date comes
//     nor holds the read marker in the future. The envelope keeps the clock
//     its author signed, and the message keeps the author's time (shown as
//     claimed; see chat.ShownTime).
//
// Storage then keeps each author's clocks in seq order (see
// storage.InsertRoomEntries).
func (c *committer) admit(ctx context.Context, batch []pending) []pending {
	out := make([]pending, 0, len(batch))
	for _, p := range batch {
		e := p.entry
		head, ok := c.heads.get(e.Room, e.Author)
		if !ok {
			heads, err := c.store.RoomHeads(ctx, e.Room)
			if err != nil {
				out = append(out, p) // storing is still safe; the rule waits for the next batch
				continue
			}
			c.heads.set(e.Room, heads)
			head = heads[e.Author]
		}
		if e.Seq > head && e.Seq-head > p2p.SyncSeqWindow {
			continue
		}
		if !c.clock.Plausible(e.HLC) {
			e.HLC = c.clock.Now()
			e.Message.HLC = e.HLC
		}
		out = append(out, p)
	}
	return out
}
