package rooms

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// postStore hands out our sequence numbers.
type postStore interface {
	NextRoomSeq(ctx context.Context, room, author string) (uint64, error)
	chainStore
}

// poster seals, signs and commits our own room messages.
type poster struct {
	// mu serialises posts, so that sequence numbers are committed in the
	// order they are taken.
	mu       sync.Mutex
	store    postStore
	self     func() peer.ID
	key      ic.PrivKey
	clock    *Clock
	selfName func() string
	commit   *committer
	log      *slog.Logger
	// catchUp fetches back what members hold of our own key in a room
	// (Syncer.catchUpOwn); settled, guarded by mu, is the rooms where it
	// has been answered since the node started.
	catchUp func(ctx context.Context, j *Joined) bool
	settled map[string]bool
	// last is, per room, our last post there as this poster stored it,
	// guarded by mu: the next one is numbered and chained from it without
	// reading the log, while nothing of ours came from elsewhere since
	// (committer.ownFromElsewhere).
	last map[string]ownPost
}

// ownPost is one of our posts as stored: its seq, the link our next post
// names (its chain hash), and the count of our messages stored from
// elsewhere when it was numbered.
type ownPost struct {
	seq  uint64
	link [hcrypto.ChainHashLen]byte
	gen  uint64
}

// post seals, signs and commits one of our own room messages, then gossips
// it to the members online. Members offline get it from anyone through
// sync, so a failed publish loses nothing.
func (p *poster) post(ctx context.Context, j *Joined, body hcrypto.RoomBody) (*storage.RoomEntry, error) {
	return p.postWith(ctx, j, gossipStored, func() hcrypto.RoomBody { return body })
}

// gossipWhen is when postWith gossips a post.
type gossipWhen int

const (
	gossipNever     gossipWhen = iota // later by the caller, or never
	gossipStored                      // as soon as it is on disk, before its own announcements
	gossipCommitted                   // once committed and announced here
)

// postOp posts a membership operation of ours. Its parents are the heads of
// the room's log once the catch-up before posting brought what the members
// hold, with extra (the add an invitation named) on top.
func (p *poster) postOp(ctx context.Context, j *Joined, op hcrypto.MemberOp, extra ...hcrypto.OpHash) (*storage.RoomEntry, error) {
	return p.postOpGossip(ctx, j, op, true, extra...)
}

// postOpGossip is postOp, gossiped at once only if gossip: an operation
// nobody's mesh would take yet is published later by the caller (gossip
// drops a message it has seen, so an early publish would spoil that one).
//
// An operation is gossiped once this node has replayed it: members
// answer it (a key handed over, a re-key) as soon as they have it.
func (p *poster) postOpGossip(ctx context.Context, j *Joined, op hcrypto.MemberOp, gossip bool, extra ...hcrypto.OpHash) (*storage.RoomEntry, error) {
	when := gossipNever
	if gossip {
		when = gossipCommitted
	}
	return p.postWith(ctx, j, when, func() hcrypto.RoomBody {
		switch op.Kind {
		case hcrypto.BodyCreate:
		case hcrypto.BodyJoin:
			// A join names what lets it in: the invitation's add, or
			// nothing for a code (see memberlog.go).
			op.Parents = parentsOf(nil, extra)
		default:
			op.Parents = parentsOf(j.roster(), extra)
		}
		return hcrypto.RoomBody{Kind: op.Kind, Text: string(op.Marshal())}
	})
}

func (p *poster) postWith(ctx context.Context, j *Joined, gossip gossipWhen, build func() hcrypto.RoomBody) (*storage.RoomEntry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	self := p.self()
	if p.catchUp != nil && !p.settled[j.id] && p.catchUp(ctx, j) {
		// Never number from a store that may be behind what we posted.
		p.settleLocked(j.id)
	}
	body := build()
	if _, cut := j.roster().cutoff(self.String()); cut && body.Kind != hcrypto.BodyJoin {
		return nil, chat.UserErrorf("you were removed from #%s or left it; you cannot post there", j.name)
	}
	gen := p.commit.ownFromElsewhere.Load()
	seq, prev, chained, err := p.next(ctx, j.id, self.String(), gen)
	if err != nil {
		return nil, err
	}
	body.Prev, body.Chained = prev, chained
	body.Name = p.selfName()
	body.SentAt = time.Now().UnixMilli()
	if err := body.Validate(); err != nil {
		return nil, chat.UserErrorf("cannot post this message: %v", err)
	}
	epoch, key := j.current()
	env, err := hcrypto.SealEnvelope(key, epoch, p.key, j.id, []byte(self), seq, p.clock.Now(), body.Marshal())
	if err != nil {
		return nil, fmt.Errorf("seal room message: %w", err)
	}
	raw := env.Marshal()
	// Sealed here a moment ago: no need to verify and open it again.
	entry := makeEntry(self, j, env, raw, self, body)
	published := false
	publish := func() {
		published = true
		if err := j.Publish(ctx, raw); err != nil {
			p.log.Debug("room publish failed; sync will deliver it", "room", j.id, "err", err)
		}
	}
	var stored func()
	if gossip == gossipStored {
		stored = publish
	}
	added, err := p.commit.commitThen(ctx, storage.Durable, []pending{{entry: entry, live: true, posted: true}}, stored)
	if err != nil {
		delete(p.last, j.id)
		return nil, err
	}
	if len(added) == 1 && added[0].Seq == seq {
		if p.last == nil {
			p.last = map[string]ownPost{}
		}
		p.last[j.id] = ownPost{seq: seq, link: hcrypto.ChainHash(raw), gen: gen}
	} else {
		delete(p.last, j.id) // not stored as ours: the log says what is
	}
	if gossip != gossipNever && !published {
		publish()
	}
	return entry, nil
}

// next is the seq of our next post in room and the link it names (ok
// false: none, see prevLink): from our last post there when nothing of
// ours was stored from elsewhere since it was numbered (gen), else from
// the log. Reading the log took two reads after our own last write, a
// good part of the time a post takes to leave. p.mu is held.
func (p *poster) next(ctx context.Context, room, self string, gen uint64) (uint64, [hcrypto.ChainHashLen]byte, bool, error) {
	if last, ok := p.last[room]; ok && last.gen == gen {
		return last.seq + 1, last.link, true, nil
	}
	seq, err := p.store.NextRoomSeq(ctx, room, self)
	if err != nil {
		return 0, [hcrypto.ChainHashLen]byte{}, false, fmt.Errorf("room sequence: %w", err)
	}
	prev, ok, err := prevLink(ctx, p.store, room, self, seq)
	if err != nil {
		return 0, prev, false, fmt.Errorf("room chain: %w", err)
	}
	return seq, prev, ok, nil
}

// settle marks a room as needing no catch-up before our next post.
func (p *poster) settle(room string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settleLocked(room)
}

func (p *poster) settleLocked(room string) {
	if p.settled == nil {
		p.settled = map[string]bool{}
	}
	p.settled[room] = true
}
