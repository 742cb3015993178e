package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"

	"github.com/libp2p/go-libp2p/core/peer"
)

// epochOf is the key epoch d seals room's posts under now.
func epochOf(t *testing.T, d *fleet.Daemon, room string) uint64 {
	t.Helper()
	r, _ := d.Room(room)
	return r.Epoch
}

// TestRoomLeaveRekeysAndShutsOutTheLeaver: a 6-member room, one member a
// modified peer that keeps every key it held and stays subscribed to the
// room's topic. It leaves; the 5 others move to a new key epoch by
// themselves. It reads 0 of the posts made after that, in what it
// captures and in what sync gives it. Eve is away meanwhile, during this
// re-key and the next (Dan leaves with `room leave`), and catches up on
// both when she is back.
func TestRoomLeaveRekeysAndShutsOutTheLeaver(t *testing.T) {
	lab := netlab.New(t, 6)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob", "Cat", "Dan", "Eve"})
	ann, dan, eve := ds[0], ds[3], ds[4]
	fleet.Room(t, ds, "proj")
	room, key := ann.RoomSecret("#proj") // what a member's modified client keeps
	mal, err := adversary.New(adversary.Config{NS: lab.Host(6), IP: lab.Host(6).IP})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mal.Close() })
	mal.SinkProfiles()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var victims []peer.ID
	for _, d := range ds {
		id, err := mal.Connect(ctx, d.Self().Addrs[0])
		if err != nil {
			t.Fatalf("Mal cannot reach %s: %v", d.Name, err)
		}
		victims = append(victims, id)
	}
	if err := mal.Join(room, key); err != nil {
		t.Fatal(err)
	}
	if err := mal.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}
	publish := func(seq uint64, op hcrypto.MemberOp) []byte {
		t.Helper()
		env, err := mal.MemberOp(key, room, seq, op)
		if err != nil {
			t.Fatal(err)
		}
		raw := env.Marshal()
		if err := mal.Publish(ctx, room, raw); err != nil {
			t.Fatal(err)
		}
		return raw
	}
	// Mal joins as a code holder does: a join that names no parents.
	joined := publish(1, hcrypto.MemberOp{Kind: hcrypto.BodyJoin})
	for _, d := range ds {
		d.WaitFor("Mal a member", 60*time.Second, func() bool { return d.Members("#proj") == 6 })
	}
	if _, err := ann.Client().SendRoom(ctx, "#proj", "before the leave"); err != nil {
		t.Fatal(err)
	}
	if _, err := mal.WaitCaptured(ctx, room, 1); err != nil {
		t.Fatal(err)
	}

	eve.Stop()
	publish(2, hcrypto.MemberOp{Kind: hcrypto.BodyLeave, Parents: []hcrypto.OpHash{hcrypto.HashOp(joined)}})
	for _, d := range ds[:4] {
		d.WaitFor("epoch 1 after Mal's leave", 90*time.Second, func() bool { return epochOf(t, d, room) == 1 })
	}
	var after []string
	for i, d := range ds[:4] {
		text := fmt.Sprintf("after Mal left %d", i)
		after = append(after, text)
		if _, err := d.Client().SendRoom(ctx, "#proj", text); err != nil {
			t.Fatal(err)
		}
	}
	dan.CLI("room", "leave", "#proj")
	for _, d := range ds[:3] {
		d.WaitFor("epoch 2 after Dan's leave", 90*time.Second, func() bool { return epochOf(t, d, room) == 2 })
	}
	for i, d := range ds[:3] {
		text := fmt.Sprintf("after Dan left %d", i)
		after = append(after, text)
		if _, err := d.Client().SendRoom(ctx, "#proj", text); err != nil {
			t.Fatal(err)
		}
	}

	// Eve is back: both keys come from the outbox, both epochs by sync.
	eve.Start()
	eve.WaitFor("both epochs' posts", 90*time.Second, func() bool {
		h := eve.History("#proj")
		for _, text := range after {
			if _, ok := messageByText(h, text); !ok {
				return false
			}
		}
		return epochOf(t, eve, room) == 2
	})
	for _, d := range append(ds[:3], eve) {
		d.WaitFor("every post", 60*time.Second, func() bool {
			h := d.History("#proj")
			for _, text := range after {
				if _, ok := messageByText(h, text); !ok {
					return false
				}
			}
			return true
		})
	}

	// Mal kept the key and the subscription: what it captured and what
	// sync gives it, opened with every key it holds.
	keys := []hcrypto.RoomKey{key}
	captured, seen := adversary.Readable(keys, adversary.Data(mal.Captured(room)))
	var served [][]byte
	for _, v := range victims[:3] {
		raws, err := mal.AskEpochs(ctx, v, room, map[uint64]hcrypto.RoomKey{0: key})
		if err != nil {
			t.Fatal(err)
		}
		served = append(served, raws...)
	}
	synced, servedN := adversary.Readable(keys, served)
	read := 0
	for _, text := range append(captured, synced...) {
		if slices.Contains(after, text) {
			read++
		}
	}
	for _, raw := range served {
		if env, err := hcrypto.UnmarshalEnvelope(raw); err == nil && env.Epoch > 0 {
			t.Errorf("sync served the leaver an envelope of epoch %d", env.Epoch)
		}
	}
	t.Logf("the leaver captured %d gossip messages (%d readable, all from before), sync served it %d envelopes (%d readable); posts after the re-key it read: %d of %d",
		seen, len(captured), servedN, len(synced), read, len(after))
	if read != 0 {
		t.Fatalf("the leaver read %d posts made after the re-key", read)
	}
	if !slices.ContainsFunc(append(captured, synced...), func(s string) bool { return strings.HasPrefix(s, "before") }) {
		t.Fatal("the leaver read nothing at all: the test does not show what it kept")
	}
}
