package rooms

import (
	"context"
	"slices"

	"hallway/p2p"
)

// admit applies the intake rules to what gossip or sync delivered, before
// it is stored; both paths go through here, so a message is treated alike
// whichever way it came.
//
//   - What a member holds of an author above its head (the seqs it holds
//     without a hole) stays within p2p.SyncSeqWindow seqs of each other:
//     an envelope that would stretch it further is refused. An author
//     that posts 2, 4, 6, … and then jumps a million ahead gets the jump
//     refused, and sync can always say in one window what a member holds
//     above a hole, so that it is not sent again. What continues the head
//     is always taken, and so is the first envelope above it when nothing
//     is held there: a colleague joining after retention deleted an
//     author's first ten thousand messages everywhere starts from the
//     first one left, and catches up from there.
//   - In #general of a workspace that admits members by admins, an
//     envelope of an author the workspace room's log never counted in
//     (neither member, admitted, nor revoked) is not kept: a stranger
//     with the workspace key cannot post there through a node that
//     relays for it. A node that has not the log yet (a newcomer) keeps
//     nobody's but its own until it has: sync offers them again.
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
	refused := c.outOfWindow(ctx, batch)
	out := make([]pending, 0, len(batch))
	for _, p := range batch {
		e := p.entry
		if refused[seqKey{e.Room, e.Author, e.Seq}] {
			continue
		}
		if c.foreign != nil && e.Author != c.self().String() && c.foreign(e.Room, e.Author) {
			continue // not kept; sync offers it again once the log counts its author in
		}
		if !c.clock.Plausible(e.HLC) {
			e.HLC = c.clock.Now()
			e.Message.HLC = e.HLC
		}
		out = append(out, p)
	}
	return out
}

type authorKey struct{ room, author string }

type seqKey struct {
	room, author string
	seq          uint64
}

// outOfWindow lists the envelopes of batch that would stretch what we hold
// of their author above its head beyond one window (see admit). The head
// counts the batch's own seqs that continue it, so a burst is judged alike
// however it is cut into batches; the store is asked only about authors
// with a seq beyond that.
func (c *committer) outOfWindow(ctx context.Context, batch []pending) map[seqKey]bool {
	seqs := map[authorKey][]uint64{}
	for _, p := range batch {
		k := authorKey{p.entry.Room, p.entry.Author}
		seqs[k] = append(seqs[k], p.entry.Seq)
	}
	refused := map[seqKey]bool{}
	for k, list := range seqs {
		head, ok := c.heads.get(k.room, k.author)
		if !ok {
			stored, err := c.store.RoomHeads(ctx, k.room)
			if err != nil {
				continue // storing is still safe; the rule waits for the next batch
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
		if list[len(list)-1] <= head {
			continue
		}
		lo, hi, held, err := c.store.HeldSpan(ctx, k.room, k.author, head)
		if err != nil {
			continue
		}
		for _, q := range list {
			switch {
			case q <= head:
			case !held:
				lo, hi, held = q, q, true
			case max(hi, q)-min(lo, q) < p2p.SyncSeqWindow:
				lo, hi = min(lo, q), max(hi, q)
			default:
				refused[seqKey{k.room, k.author, q}] = true
			}
		}
	}
	return refused
}
