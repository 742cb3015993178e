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

// Writer commits gossiped room messages in batches, and the receipts
// gossip brings beside them in one transaction per batch: in a large room
// that arrives together, every member's receipt reaches every other, one
// after another.
type Writer struct {
	in       chan pending
	receipts chan *receiptIn
	closing  <-chan struct{}
	commit   *committer
	keep     func(context.Context, ...*receiptIn)
	log      *slog.Logger
}

func newWriter(c *committer, keep func(context.Context, ...*receiptIn), closing <-chan struct{}, log *slog.Logger) *Writer {
	return &Writer{in: make(chan pending, writerQueue), receipts: make(chan *receiptIn, writerQueue),
		closing: closing, commit: c, keep: keep, log: log}
}

// enqueue hands a message to the writer. It blocks when the queue is full,
// which backs pressure up into gossip validation instead of dropping.
func (w *Writer) enqueue(e *storage.RoomEntry, from peer.ID) {
	select {
	case w.in <- pending{entry: e, from: from, live: true}:
	case <-w.closing:
	}
}

// enqueueReceipt hands a gossiped receipt, admitted, to the writer; it
// blocks when the queue is full, as enqueue does.
func (w *Writer) enqueueReceipt(r *receiptIn) {
	select {
	case w.receipts <- r:
	case <-w.closing:
	}
}

// Run commits what gossip delivers until ctx ends: what waits when a
// commit ends goes in the next, up to writerBatch of each kind.
func (w *Writer) Run(ctx context.Context) error {
	for {
		var batch []pending
		var receipts []*receiptIn
		select {
		case <-ctx.Done():
			return nil
		case p := <-w.in:
			batch = append(batch, p)
		case r := <-w.receipts:
			receipts = append(receipts, r)
		}
	drain:
		for len(batch) < writerBatch && len(receipts) < writerBatch {
			select {
			case p := <-w.in:
				batch = append(batch, p)
			case r := <-w.receipts:
				receipts = append(receipts, r)
			default:
				break drain
			}
		}
		if len(batch) > 0 {
			if _, err := w.commit.commit(ctx, storage.Replicated, batch); err != nil {
				// Not lost: the messages are still held by their authors and
				// other members, and the next sync asks for them again.
				w.log.Warn("storing room messages failed", "n", len(batch), "err", err)
			}
		}
		if len(receipts) > 0 {
			w.keep(ctx, receipts...) // stored after the messages they may count
		}
	}
}
