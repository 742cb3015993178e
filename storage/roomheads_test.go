package storage

import (
	"sync"
	"testing"
)

// The heads a sync reads come from the cache while the room log stays the
// same, and never outlive a write: a read after each commit sees it, also
// with readers racing the writer, and a caller changing what it got
// changes nothing for the next.
func TestRoomHeadsCacheFollowsEveryWrite(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if _, err := s.InsertRoomEntries(ctx, []RoomEntry{entry("r1", bob, 1, 10), entry("r1", bob, 3, 30)}); err != nil {
		t.Fatal(err)
	}
	v, err := s.RoomVectorOf(ctx, "r1", 100)
	if err != nil {
		t.Fatal(err)
	}
	if v.Heads[bob] != 1 || len(v.Held[bob]) != 1 || v.Held[bob][0] != 3 {
		t.Fatalf("vector %+v, want head 1 and 3 held", v)
	}
	if n, _ := s.roomLog.settled(); !has(&s.heads, "r1", n) {
		t.Fatal("the heads just read are not cached")
	}
	v.Heads[bob] = 99 // a caller's own copy
	if heads, _ := s.RoomHeads(ctx, "r1"); heads[bob] != 1 {
		t.Fatalf("heads %v after a caller changed its copy, want %s at 1", heads, bob)
	}

	var readers sync.WaitGroup
	done := make(chan struct{})
	for range 4 {
		readers.Go(func() {
			last := uint64(0)
			for {
				select {
				case <-done:
					return
				default:
				}
				heads, err := s.RoomHeads(ctx, "r1")
				if err != nil {
					t.Error(err)
					return
				}
				if heads[bob] < last {
					t.Errorf("the head went back from %d to %d", last, heads[bob])
					return
				}
				last = heads[bob]
			}
		})
	}
	for seq := uint64(2); seq <= 200; seq++ {
		if seq == 3 {
			continue
		}
		if _, err := s.InsertRoomEntries(ctx, []RoomEntry{entry("r1", bob, seq, seq*10)}); err != nil {
			t.Fatal(err)
		}
		heads, err := s.RoomHeads(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if want := max(seq, 3); heads[bob] != want {
			t.Fatalf("after storing seq %d the head reads %d, want %d", seq, heads[bob], want)
		}
	}
	close(done)
	readers.Wait()
	if v, _ := s.RoomVectorOf(ctx, "r1", 100); v.Heads[bob] != 200 || len(v.Held) != 0 {
		t.Fatalf("vector %+v, want head 200 and nothing held above it", v)
	}
}
