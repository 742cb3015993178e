package core

import (
	"context"
	"fmt"

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
		if _, err := w.s.commitEntries(ctx, batch); err != nil {
			// Not lost: the messages are still held by their authors and
			// other members, and the next sync asks for them again.
			w.s.log.Warn("storing room messages failed", "n", len(batch), "err", err)
		}
	}
}

// commitEntries stores room messages in one transaction, then announces
// the new ones, and asks for missing ones when a gap shows.
func (s *Service) commitEntries(ctx context.Context, batch []pendingEntry) ([]*storage.RoomEntry, error) {
	entries := make([]storage.RoomEntry, len(batch))
	for i, p := range batch {
		entries[i] = *p.entry
	}
	inserted, err := s.store.InsertRoomEntries(ctx, entries)
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
			s.bus.publish(MessageSent{Message: s.roomMessage(e.Message)})
		default:
			s.bus.publish(MessageReceived{Message: s.roomMessage(e.Message)})
		}
	}
	for id := range changedRooms {
		s.publishRoomChanged(ctx, id)
	}
	s.checkGaps(ctx, batch)
	return out, nil
}

// checkGaps compares what a batch carried with what is now held
// contiguously; a message beyond a hole means some were missed (a full
// queue, a late subscription), so ask the peer that had it.
func (s *Service) checkGaps(ctx context.Context, batch []pendingEntry) {
	type key struct{ room, author string }
	highest := map[key]uint64{}
	from := map[string]peer.ID{}
	for _, p := range batch {
		k := key{p.entry.Room, p.entry.Author}
		highest[k] = max(highest[k], p.entry.Seq)
		if p.from != "" {
			from[p.entry.Room] = p.from
		}
	}
	heads := map[string]map[string]uint64{}
	for k, seq := range highest {
		h, ok := heads[k.room]
		if !ok {
			var err error
			if h, err = s.store.RoomHeads(ctx, k.room); err != nil {
				continue
			}
			heads[k.room] = h
		}
		if seq > h[k.author] {
			if p, ok := from[k.room]; ok {
				s.syncer.gap(k.room, p)
			}
		}
	}
}
