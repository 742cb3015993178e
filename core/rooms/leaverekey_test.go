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

// A key resting on a leave our log does not show yet is held; when the
// leave arrives later by sync, with no other key after it, the held key
// is taken before the leave's own re-key is due, which then starts
// nothing.
func TestHeldKeyTakenWhenTheLogCatchesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		ann, bob, cat := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat")
		room := project(t, ann, bob, cat)
		meshed(t, room, ann, bob, cat)
		synctest.Wait() // no sync back brings the leave: it is heard live
		if err := cat.Leave(ctx, "#project"); err != nil {
			t.Fatal(err)
		}
		r := ranked(ann, bob)
		first, second := r[0], r[1]
		leaveOf(t, cat, room, cat.lastGossip(room), first) // it re-keys at once
		synctest.Wait()
		keys := first.sentKeys()
		if len(keys) != 1 {
			t.Fatalf("the first ranked queued %d keys", len(keys))
		}
		// The second is cut off when the key reaches it: its log cannot
		// show Cat's leave yet.
		disconnect(second, first)
		disconnect(second, cat)
		// Usually the key is held now. (A sync back from the first, after
		// its re-key, may have brought the leave already: then it is
		// taken at once, and what follows holds all the same.)
		handOver(t, first, keys, second)
		synctest.Wait()
		connect(second, first)
		if err := second.Syncer().pull(ctx, first.id, []string{room}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(historyGrace + rekeyGrace + time.Second)
		synctest.Wait()
		if second.epoch(room) != 1 {
			t.Fatalf("at epoch %d once the log shows the leave, want 1", second.epoch(room))
		}
		if n := len(second.sentKeys()); n != 0 {
			t.Fatalf("the second ranked re-keyed too (%d keys)", n)
		}
	})
}
