package storage

import (
	"context"
	"testing"
)

func TestRoomEpochKeysKeptNeverReplaced(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	k := EpochKey{Room: "r1", Epoch: 1, Commit: [32]byte{9}, Key: [32]byte{1}, Sender: "a", Removed: []string{"x"}}
	if added, err := s.AddRoomEpochKey(ctx, k); err != nil || !added {
		t.Fatalf("first add = %v, %v", added, err)
	}
	again := k
	again.Key = [32]byte{2}
	if added, err := s.AddRoomEpochKey(ctx, again); err != nil || added {
		t.Fatalf("replacing add = %v, %v; want refused", added, err)
	}
	for i := range MaxEpochKeys {
		c := k
		c.Commit = [32]byte{byte(i + 10)}
		if _, err := s.AddRoomEpochKey(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.RoomEpochKeys(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxEpochKeys {
		t.Fatalf("kept %d keys for one epoch, want the cap %d", len(got), MaxEpochKeys)
	}
	if got[0].Key != k.Key || got[0].Sender != "a" || len(got[0].Removed) != 1 {
		t.Errorf("first key = %+v", got[0])
	}
	if _, err := s.AddRoomEpochKey(ctx, EpochKey{Room: "r1"}); err == nil {
		t.Error("epoch 0 (the room's own key) was accepted")
	}
}
