package rooms

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// Receipts gossip delivered while the writer was busy are stored in one
// transaction, not one each.
func TestWriterKeepsWaitingReceiptsTogether(t *testing.T) {
	kept := make(chan int, 4)
	w := newWriter(nil, func(_ context.Context, rs ...*receiptIn) { kept <- len(rs) }, nil, slog.New(slog.DiscardHandler))
	for _, member := range []string{"a", "b", "c"} {
		w.enqueueReceipt(&receiptIn{room: "r", member: member, at: 1, raw: []byte{1}})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case n := <-kept:
		if n != 3 {
			t.Fatalf("the writer kept %d receipts in its first write, want all 3", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the writer kept no receipt")
	}
}
