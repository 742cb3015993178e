package rooms

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"

	"hallway/chat"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// commitStore is the room log as committing uses it.
type commitStore interface {
	InsertRoomEntriesChecked(ctx context.Context, d storage.Durability, entries []storage.RoomEntry) (storage.RoomInsert, error)
	forkStore
	chainStore
	RoomHeads(ctx context.Context, room string) (map[string]uint64, error)
	HeldSpan(ctx context.Context, room, author string, head uint64) (lo, hi uint64, ok bool, err error)
}

// pending is an authenticated room message waiting to be committed, with
// the peer that forwarded it (whom to ask when a gap shows).
type pending struct {
	entry *storage.RoomEntry
	from  peer.ID
	// live: gossiped or posted just now, not fetched from history by
	// sync. A leave heard live is news to every member online; one
	// fetched later may already be followed by a re-key on its way to us.
	live bool
	// posted: ours, sealed by our poster just now. A message of ours
	// that is not (sync or gossip bring back what we posted from a
	// restored folder or another machine) makes the poster number from
	// the log again (committer.ownFromElsewhere).
	posted bool
}

// gapAsker is told of a hole in a room seen in what a peer forwarded.
type gapAsker interface {
	gap(room string, from peer.ID)
}

// committer stores room messages, then announces them: what is announced
// is always already on disk.
type committer struct {
	store   commitStore
	self    func() peer.ID
	clock   *Clock
	heads   headCache
	pub     Publisher
	message func(context.Context, storage.Message) chat.Message
	// fileOffered records a colleague's room file offer.
	fileOffered func(e *storage.RoomEntry)
	// changed announces a room whose membership changed.
	changed func(ctx context.Context, room string)
	// relog replays the membership log of a room that got an operation or
	// a plain join or leave, before it is announced; live as in pending.
	relog func(ctx context.Context, room string, live bool)
	// left is told of each leave committed (it may re-key the room).
	left func(ctx context.Context, e *storage.RoomEntry, live bool)
	gaps gapAsker
	// touched is told of a room where colleagues' messages were stored
	// (our receipt there is due); nil: nobody.
	touched func(room string)
	log     *slog.Logger
	// codes records what new messages say of room codes.
	codes func(ctx context.Context, entries []*storage.RoomEntry)
	// liveOnly reports a room whose history is never fetched: its holes
	// are what was said before we met, not losses to ask for.
	liveOnly func(room string) bool
	// hidden reports a room nobody is shown (the workspace room): its
	// messages are announced by what they change, not as messages.
	hidden func(room string) bool
	// foreign reports an author whose envelopes of room are not kept:
	// in #general, someone the workspace never let in (admission.go).
	foreign func(room, author string) bool
	// ownFromElsewhere counts the batches holding a message of ours that
	// our poster did not post (pending.posted), each counted before it
	// is stored: the poster numbers from the log again after one.
	ownFromElsewhere atomic.Uint64
}

// commit stores room messages in one transaction, then announces the new
// ones, and asks for missing ones when a gap shows. Our own posts are
// committed durably; colleagues' messages as replicated data, which other
// members hold too (see storage.Replicated).
func (c *committer) commit(ctx context.Context, d storage.Durability, batch []pending) ([]*storage.RoomEntry, error) {
	return c.commitThen(ctx, d, batch, nil)
}

// commitThen is commit, calling stored (when not nil) as soon as the
// batch is on disk, before anything is checked or announced of it: our
// own post is gossiped from there, so that its members do not wait for
// what posting does next.
func (c *committer) commitThen(ctx context.Context, d storage.Durability, batch []pending, stored func()) ([]*storage.RoomEntry, error) {
	if batch = c.admit(ctx, batch); len(batch) == 0 {
		return nil, nil
	}
	live := batch[0].live // a batch comes from one source
	entries := make([]storage.RoomEntry, len(batch))
	self := c.self().String()
	elsewhere := false
	for i, p := range batch {
		entries[i] = *p.entry
		elsewhere = elsewhere || (p.entry.Author == self && !p.posted)
	}
	if elsewhere {
		c.ownFromElsewhere.Add(1)
	}
	in, err := c.store.InsertRoomEntriesChecked(ctx, d, entries)
	if err != nil {
		return nil, fmt.Errorf("store room messages: %w", err)
	}
	if stored != nil {
		stored()
	}
	inserted := in.Added
	c.forks(ctx, in.Conflicts)
	c.chain(ctx, in.Chains)
	out := make([]*storage.RoomEntry, len(inserted))
	changedRooms := map[string]bool{}
	for i := range inserted {
		e := &inserted[i]
		out[i] = e
		c.clock.Observe(e.HLC)
		if e.Member != nil || e.Op != nil {
			changedRooms[e.Room] = true
		}
	}
	for id := range changedRooms {
		if c.relog != nil {
			c.relog(ctx, id, live)
		}
		c.changed(ctx, id)
	}
	// After the replay: a code record counts by its author's role now.
	if c.codes != nil {
		c.codes(ctx, out)
	}
	// Told once the replay and the codes are done, so whoever hears of a
	// message finds the membership and codes it brought in place.
	for _, e := range out {
		switch {
		case c.hidden != nil && c.hidden(e.Room):
		case e.Message.Author == self:
			c.pub.Publish(chat.MessageSent{Message: c.message(ctx, e.Message)})
		default:
			c.pub.Publish(chat.MessageReceived{Message: c.message(ctx, e.Message)})
			if e.Message.Kind == storage.KindFile {
				c.fileOffered(e)
			}
		}
	}
	if c.left != nil {
		for _, e := range out {
			if e.Member != nil && !e.Member.Joined {
				c.left(ctx, e, live)
			}
		}
	}
	if c.touched != nil {
		// Nobody posts in the workspace room (hidden): no receipt there.
		news := map[string]bool{}
		for _, e := range out {
			if e.Author != self && !news[e.Room] && receiptWorthy(e) && (c.hidden == nil || !c.hidden(e.Room)) {
				news[e.Room] = true
				c.touched(e.Room)
			}
		}
	}
	c.checkGaps(ctx, batch)
	return out, nil
}

// receiptWorthy reports whether holding e is worth a receipt: a post is,
// a change of who is in the room (a join, a leave, an admin's operation)
// is not. A receipt counts what members hold and read of each other's
// posts; an office arriving together changes its rooms' members hundreds
// of times, and a receipt after each of those, checked by every member,
// would cost the office for nothing. The next post's receipt says all
// that is held, those changes included.
func receiptWorthy(e *storage.RoomEntry) bool {
	return e.Member == nil && e.Op == nil
}

// checkGaps looks for holes: a message beyond what is held contiguously
// means some were missed (a full queue, a late subscription), so ask the
// peer that had it. A stream of consecutive messages, the normal case, is
// settled from the head cache without touching the database.
func (c *committer) checkGaps(ctx context.Context, batch []pending) {
	type key struct{ room, author string }
	seqs := map[key][]uint64{}
	from := map[string]peer.ID{}
	for _, p := range batch {
		if c.liveOnly(p.entry.Room) {
			continue
		}
		k := key{p.entry.Room, p.entry.Author}
		seqs[k] = append(seqs[k], p.entry.Seq)
		if p.from != "" {
			from[p.entry.Room] = p.from
		}
	}
	doubt := map[string]bool{}
	for k, list := range seqs {
		if !c.heads.advance(k.room, k.author, list) {
			doubt[k.room] = true
		}
	}
	for room := range doubt {
		heads, err := c.store.RoomHeads(ctx, room)
		if err != nil {
			continue
		}
		c.heads.set(room, heads)
		for k, list := range seqs {
			if k.room == room && slices.Max(list) > heads[k.author] {
				if p, ok := from[room]; ok {
					c.gaps.gap(room, p)
				}
				break
			}
		}
	}
}
