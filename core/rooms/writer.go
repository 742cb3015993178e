package rooms

import (
	"context"
	"log/slog"

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

// Writer commits gossiped room messages in batches.
type Writer struct {
	in      chan pending
	closing <-chan struct{}
	commit  *committer
	log     *slog.Logger
}

func newWriter(c *committer, closing <-chan struct{}, log *slog.Logger) *Writer {
	return &Writer{in: make(chan pending, writerQueue), closing: closing, commit: c, log: log}
}

// enqueue hands a message to the writer. It blocks when the queue is full,
// which backs pressure up into gossip validation instead of dropping.
func (w *Writer) enqueue(e *storage.RoomEntry, from peer.ID) {
	select {
	case w.in <- pending{entry: e, from: from, live: true}:
	case <-w.closing:
	}
}

// Run commits what gossip delivers until ctx ends.
func (w *Writer) Run(ctx context.Context) error {
	for {
		var batch []pending
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
		if _, err := w.commit.commit(ctx, storage.Replicated, batch); err != nil {
			// Not lost: the messages are still held by their authors and
			// other members, and the next sync asks for them again.
			w.log.Warn("storing room messages failed", "n", len(batch), "err", err)
		}
	}
}
