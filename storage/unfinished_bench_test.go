package storage

import (
	"crypto/rand"
	"fmt"
	"testing"
	"time"
)

// What a colleague's connection costs the transfer history it looks up:
// a store that has finished 2,000 downloads (manifests of 64 chunks, about
// 2 KiB each) and has three under way, read whole and filtered (as before),
// against the unfinished found by their state.
func BenchmarkUnfinishedDownloads(b *testing.B) {
	s := newTestStore(b)
	ctx := b.Context()
	for i := range 2002 {
		tr := sampleTransfer(fmt.Sprintf("t%04d", i))
		tr.State, tr.Manifest = TransferDone, make([]byte, 64*32)
		rand.Read(tr.Manifest)
		if i%1000 == 1 {
			tr.State = TransferActive
		}
		tr.CreatedAt = transferT0.Add(time.Duration(i) * time.Minute)
		tr.UpdatedAt = tr.CreatedAt
		if _, err := s.InsertTransfer(ctx, tr); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("all, filtered", func(b *testing.B) {
		for b.Loop() {
			all, err := s.Transfers(ctx)
			if err != nil {
				b.Fatal(err)
			}
			unfinished := 0
			for _, t := range all {
				if t.Direction == TransferIn && (t.State == TransferActive || t.State == TransferPaused) {
					unfinished++
				}
			}
			if unfinished != 3 {
				b.Fatal(unfinished)
			}
		}
	})
	b.Run("unfinished by state", func(b *testing.B) {
		for b.Loop() {
			ts, err := s.UnfinishedDownloads(ctx)
			if err != nil || len(ts) != 3 {
				b.Fatal(len(ts), err)
			}
		}
	})
}
