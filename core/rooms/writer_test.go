package rooms

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
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

// Receipts that arrive alone, spread out as members send them, wait
// receiptGather for one another and are stored together; one that comes
// after is stored in a write of its own.
func TestWriterGathersSpreadReceipts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var kept []int
		w := newWriter(nil, func(_ context.Context, rs ...*receiptIn) {
			mu.Lock()
			defer mu.Unlock()
			kept = append(kept, len(rs))
		}, nil, slog.New(slog.DiscardHandler))
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx) }()
		send := func(member string) {
			w.enqueueReceipt(&receiptIn{room: "r", member: member, at: 1, raw: []byte{1}})
		}
		send("a")
		time.Sleep(receiptGather / 4)
		send("b")
		time.Sleep(receiptGather / 2)
		send("c")
		time.Sleep(receiptGather / 2) // past the first gather
		synctest.Wait()
		send("d")
		time.Sleep(receiptGather + time.Millisecond)
		synctest.Wait()
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if want := []int{3, 1}; !slices.Equal(kept, want) {
			t.Fatalf("receipts kept per write %v, want %v", kept, want)
		}
	})
}

// A room message ends the wait for receipts at once: it is stored now,
// with the receipts gathered so far.
func TestWriterGatherEndsAtAMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWriter(nil, nil, nil, slog.New(slog.DiscardHandler))
		go func() {
			time.Sleep(receiptGather / 10)
			w.in <- pending{live: true}
		}()
		var batch []pending
		receipts := []*receiptIn{{room: "r", member: "a"}}
		start := time.Now()
		if !w.gather(t.Context(), &batch, &receipts) {
			t.Fatal("gather ended as if the writer were closing")
		}
		if len(batch) != 1 || len(receipts) != 1 {
			t.Fatalf("gathered %d messages and %d receipts, want 1 and 1", len(batch), len(receipts))
		}
		if took := time.Since(start); took != receiptGather/10 {
			t.Fatalf("gather took %s, want %s: the message ends it", took, receiptGather/10)
		}
	})
}
