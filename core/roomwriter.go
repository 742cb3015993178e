package core

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"hallway/chat"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	// writerQueue absorbs a gossip burst while the previous batch commits.
	writerQueue = 8192
	// writerBatch bounds one transaction: one fsync for many messages is
	// what lets a burst of thousands commit in a fraction of a second.
	writerBatch = 500
)

// pendingEntry is an authenticated room message waiting to be committed,
// with the peer that forwarded it (whom to ask when a gap shows).
type pendingEntry struct {
	entry *storage.RoomEntry
	from  peer.ID
}

// roomWriter commits gossiped room messages in batches.
type roomWriter struct {
	s  *Service
	in chan pendingEntry
}

func newRoomWriter(s *Service) *roomWriter {
	return &roomWriter{s: s, in: make(chan pendingEntry, writerQueue)}
}

// enqueue hands a message to the writer. It blocks when the queue is full,
// which backs pressure up into gossip validation instead of dropping.
func (w *roomWriter) enqueue(e *storage.RoomEntry, from peer.ID) {
	select {
	case w.in <- pendingEntry{entry: e, from: from}:
	case <-w.s.ctx.Done():
	}
}

func (w *roomWriter) run(ctx context.Context) error {
	for {
		var batch []pendingEntry
		select {
		case <-ctx.Done():
			return nil
		case p := <-w.in:
			batch = append(batch, p)
		}
	drain:
		for len(batch) < writerBatch {
			select {
			case p := <-w.in:
				batch = append(batch, p)
			default:
				break drain
			}
		}
		if _, err := w.s.commitEntries(ctx, storage.Replicated, batch); err != nil {
			// Not lost: the messages are still held by their authors and
			// other members, and the next sync asks for them again.
			w.s.log.Warn("storing room messages failed", "n", len(batch), "err", err)
		}
	}
}

// commitEntries stores room messages in one transaction, then announces
// the new ones, and asks for missing ones when a gap shows. Our own posts
// are committed durably; colleagues' messages as replicated data, which
// other members hold too (see storage.Replicated).
func (s *Service) commitEntries(ctx context.Context, d storage.Durability, batch []pendingEntry) ([]*storage.RoomEntry, error) {
	entries := make([]storage.RoomEntry, len(batch))
	for i, p := range batch {
		entries[i] = *p.entry
	}
	inserted, err := s.store.InsertRoomEntriesWith(ctx, d, entries)
	if err != nil {
		return nil, fmt.Errorf("store room messages: %w", err)
	}
	out := make([]*storage.RoomEntry, len(inserted))
	changedRooms := map[string]bool{}
	for i := range inserted {
		e := &inserted[i]
		out[i] = e
		s.clock.Observe(e.HLC)
		if e.Member != nil {
			changedRooms[e.Room] = true
		}
		switch {
		case e.Message.Author == s.node.ID().String():
			s.bus.publish(chat.MessageSent{Message: s.roomMessage(e.Message)})
		default:
			s.bus.publish(chat.MessageReceived{Message: s.roomMessage(e.Message)})
			if e.Message.Kind == storage.KindFile {
				s.roomFileOffered(e)
			}
		}
	}
	for id := range changedRooms {
		s.publishRoomChanged(ctx, id)
	}
	s.checkGaps(ctx, batch)
	return out, nil
}

// checkGaps looks for holes: a message beyond what is held contiguously
// means some were missed (a full queue, a late subscription), so ask the
// peer that had it. A stream of consecutive messages, the normal case, is
// settled from the head cache without touching the database.
func (s *Service) checkGaps(ctx context.Context, batch []pendingEntry) {
	type key struct{ room, author string }
	seqs := map[key][]uint64{}
	from := map[string]peer.ID{}
	for _, p := range batch {
		k := key{p.entry.Room, p.entry.Author}
		seqs[k] = append(seqs[k], p.entry.Seq)
		if p.from != "" {
			from[p.entry.Room] = p.from
		}
	}
	doubt := map[string]bool{}
	for k, list := range seqs {
		if !s.heads.advance(k.room, k.author, list) {
			doubt[k.room] = true
		}
	}
	for room := range doubt {
		heads, err := s.store.RoomHeads(ctx, room)
		if err != nil {
			continue
		}
		s.heads.set(room, heads)
		for k, list := range seqs {
			if k.room == room && slices.Max(list) > heads[k.author] {
				if p, ok := from[room]; ok {
					s.syncer.gap(room, p)
				}
				break
			}
		}
	}
}

// headCache mirrors, per room and author, the highest sequence number held
// contiguously, as far as this process has seen it.
type headCache struct {
	mu    sync.Mutex
	rooms map[string]map[string]uint64
}

// advance moves an author's head over seqs if they continue it without a
// hole; it reports false when it cannot tell (unknown room, or a hole).
func (h *headCache) advance(room, author string, seqs []uint64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.rooms[room]
	if !ok {
		return false
	}
	slices.Sort(seqs)
	head := r[author]
	for _, q := range seqs {
		switch {
		case q <= head:
		case q == head+1:
			head = q
		default:
			return false
		}
	}
	r[author] = head
	return true
}

// set replaces a room's heads with a copy of heads: the caller keeps
// reading its map while other batches advance the cache.
func (h *headCache) set(room string, heads map[string]uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms == nil {
		h.rooms = map[string]map[string]uint64{}
	}
	if heads = maps.Clone(heads); heads == nil {
		heads = map[string]uint64{}
	}
	h.rooms[room] = heads
}
