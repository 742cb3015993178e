package rooms

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// A member back from an absence that fetches a leave by sync does not
// re-key at once, even ranked first: the re-key made while it was away
// reaches it meanwhile, and it adds no epoch of its own.
func TestLeaveFetchedLaterWaitsForTheRekeyMade(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		room, cat, first, second := catLeft(t)
		leaveOf(t, cat, room, cat.lastGossip(room), second) // the first is away
		time.Sleep(rekeyGrace + time.Second)
		synctest.Wait()
		keys := second.sentKeys()
		if len(keys) != 1 || second.epoch(room) != 1 {
			t.Fatalf("the second ranked: %d keys, epoch %d; want epoch 1 handed on", len(keys), second.epoch(room))
		}

		// The first is back: sync brings it the leave, then the key.
		if err := first.Syncer().pull(ctx, second.id, []string{room}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := len(first.sentKeys()); n != 0 {
			t.Fatalf("the first ranked re-keyed (%d keys) on a leave fetched by sync", n)
		}
		handOver(t, second, keys, first)
		time.Sleep(historyGrace + rekeyGrace)
		synctest.Wait()
		if n := len(first.sentKeys()); n != 0 || first.epoch(room) != 1 {
			t.Fatalf("the first ranked: %d keys, epoch %d; want no re-key and epoch 1", n, first.epoch(room))
		}
	})
}

// A leave fetched by sync whose re-key never reaches us (its maker went
// away before handing it on) still moves the room on, once the grace is
// over.
func TestLeaveFetchedLaterRekeysWhenNobodyDid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		room, cat, first, second := catLeft(t)
		leaveOf(t, cat, room, cat.lastGossip(room), second) // the first is away
		synctest.Wait()
		if err := first.Syncer().pull(ctx, second.id, []string{room}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := len(first.sentKeys()); n != 0 {
			t.Fatalf("re-keyed (%d keys) before the grace", n)
		}
		time.Sleep(historyGrace + time.Second)
		synctest.Wait()
		if keys := first.sentKeys(); len(keys) != 1 || keys[0].to != second.id || first.epoch(room) != 1 {
			t.Fatalf("after the grace: %d keys, epoch %d; want epoch 1 handed to the other member", len(keys), first.epoch(room))
		}
	})
}
