package rooms

import (
	"context"
	"math"
	"slices"

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
	heads := c.batchHeads(ctx, batch)
	out := make([]pending, 0, len(batch))
	for _, p := range batch {
		e := p.entry
		if head := heads[headKey{e.Room, e.Author}]; e.Seq > head && e.Seq-head > p2p.SyncSeqWindow {
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

type headKey struct{ room, author string }

// batchHeads is, per room and author of batch, the highest seq held
// without a hole once the batch is stored: what we hold, continued by the
// batch's own seqs, so that a burst that starts at the head counts from
// where it leads.
func (c *committer) batchHeads(ctx context.Context, batch []pending) map[headKey]uint64 {
	seqs := map[headKey][]uint64{}
	for _, p := range batch {
		k := headKey{p.entry.Room, p.entry.Author}
		seqs[k] = append(seqs[k], p.entry.Seq)
	}
	heads := make(map[headKey]uint64, len(seqs))
	for k, list := range seqs {
		head, ok := c.heads.get(k.room, k.author)
		if !ok {
			stored, err := c.store.RoomHeads(ctx, k.room)
			if err != nil {
				heads[k] = math.MaxUint64 // storing is still safe; the rule waits for the next batch
				continue
			}
			c.heads.set(k.room, stored)
			head = stored[k.author]
		}
		slices.Sort(list)
		for _, q := range list {
			if q == head+1 {
				head = q
			}
		}
		heads[k] = head
	}
	return heads
}
