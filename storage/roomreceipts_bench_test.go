package storage

import (
	"crypto/rand"
	"fmt"
	"testing"
)

// A sync answer in a room of 100 whose asker holds every receipt: the
// receipts read whole and filtered (as before), against their clocks read
// alone. A receipt naming 100 authors is about 4.5 KB, past a page.
func BenchmarkReceiptsForAnAskerHoldingAll(b *testing.B) {
	s := newTestStore(b)
	ctx := b.Context()
	held := map[string]int64{}
	var rs []RoomReceipt
	for i := range 100 {
		raw := make([]byte, 4500)
		rand.Read(raw)
		m := fmt.Sprintf("member-%03d", i)
		rs = append(rs, RoomReceipt{Room: "general", Member: m, At: int64(i + 1), Raw: raw})
		held[m] = int64(i + 1)
	}
	if _, err := s.PutRoomReceipts(ctx, rs); err != nil {
		b.Fatal(err)
	}
	b.Run("read whole", func(b *testing.B) {
		for b.Loop() {
			all, err := s.RoomReceipts(ctx, "general")
			if err != nil || len(all) != 100 {
				b.Fatal(len(all), err)
			}
		}
	})
	b.Run("clocks first", func(b *testing.B) {
		for b.Loop() {
			if newer, err := s.RoomReceiptsNewer(ctx, "general", held); err != nil || len(newer) != 0 {
				b.Fatal(len(newer), err)
			}
		}
	})
}
