package chaos

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/p2p"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// S2: an insider holding the room key tries to speak for a colleague:
// envelopes naming Ann as author but signed by itself, Ann's genuine
// envelopes published as its own, gossip claiming to come from Ann with a
// made-up signature, forged envelopes in sync answers, and an invitation
// that would swap the room's key. Nothing of it is stored or shown.
func TestS2ForgedAuthors(t *testing.T) {
	r := scenario(t, "S2", "forged author / inner author ≠ pubsub author", "100 % rejected, 0 rows stored")
	n := pick(10, 200)
	l := lab(t, 3)
	ds := fleet.Office(t, l, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	fleet.Room(t, ds, "proj")
	room, key := roomSecret(t, ann, "proj")
	annStr, bobStr := ann.ID(), bob.ID()
	annID, _ := peer.Decode(annStr)
	trs := []*tracker{track(t, ann, "#proj"), track(t, bob, "#proj")}

	adv := hostile(t, l.Host(3), nil)
	var forged []string // message ids of every forged envelope
	forge := func(seq uint64, text string) []byte {
		env, err := adv.ForgeAuthor(key, room, annID, seq, text)
		if err != nil {
			t.Fatal(err)
		}
		forged = append(forged, env.ID())
		return env.Marshal()
	}
	var syncForged atomic.Int64
	served := adv.ServeSync(func(peer.ID, p2p.SyncRequest) [][]byte {
		var out [][]byte
		for k := range 3 {
			out = append(out, adversary.Frame(forge(uint64(5000+syncForged.Add(1)*10+int64(k)), "forged in a sync answer")))
		}
		return out
	})
	victims := infiltrate(t, adv, ds)
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline(2*time.Minute, 20*time.Minute))
	defer cancel()
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}

	// Genuine traffic to capture.
	var legit []string
	for i := range 3 {
		m, err := ann.Client().SendRoom(ctx, "#proj", fmt.Sprintf("genuine %d", i))
		if err != nil {
			t.Fatal(err)
		}
		legit = append(legit, m.ID)
	}
	captured, err := adv.WaitCaptured(ctx, room, 3)
	if err != nil {
		t.Fatal(err)
	}

	// 1. Gossip claiming Ann as its author, with a made-up signature,
	// written straight onto a gossip stream by a second hostile identity
	// (a raw stream replaces the gossip stream of its sender), followed
	// by a legitimate message of that identity as a canary.
	adv2 := hostile(t, l.Host(3), nil)
	infiltrate(t, adv2, ds)
	if err := adv2.Join(room, key); err != nil {
		t.Fatal(err)
	}
	var raw []*pb.Message
	for i := range n {
		raw = append(raw, adversary.ForgePubsub(adversary.RoomTopic(room, key, 0), annID, forge(uint64(1000+i), "raw forgery")))
	}
	canary2, err := adv2.Post(key, room, 1, "canary of the raw stream")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := adv2.Gossip(room, canary2.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	raw = append(raw, signed)
	for _, v := range victims {
		if err := adv2.RawPublish(ctx, v, raw); err != nil {
			t.Fatal(err)
		}
	}
	// 2. Envelopes naming Ann but signed by the adversary, published by it.
	for i := range n {
		if err := adv.Publish(ctx, room, forge(uint64(2000+i), "forged author")); err != nil {
			t.Fatal(err)
		}
	}
	// 3. Ann's genuine envelopes republished by the adversary: gossip
	// names no author, so they are Ann's, and duplicates of what the
	// victims hold.
	for i := range n {
		if err := adv.Publish(ctx, room, captured[i%len(captured)].Data); err != nil {
			t.Fatal(err)
		}
	}
	// 4. An invitation that would give #proj another key.
	bobID, _ := peer.Decode(bobStr)
	acks, err := adv.SendDMs(ctx, bobID, []p2p.DM{{ID: "swap-key", Text: "invited you to #proj", SentAt: time.Now().UnixMilli(),
		Kind: p2p.DMKindInvite, Invite: &p2p.RoomInvite{Room: room, Name: "proj", Key: make([]byte, 32)}}})
	if err != nil {
		t.Fatal(err)
	}
	_ = acks

	// A canary published last: once both victims hold it, they have
	// processed what came before. It comes from a fresh identity, since
	// the forger's own gossip score fell past the graylist after a few
	// dozen rejections and what it sends now is dropped unread.
	adv3 := hostile(t, l.Host(3), nil)
	infiltrate(t, adv3, ds)
	if err := adv3.Join(room, key); err != nil {
		t.Fatal(err)
	}
	if err := adv3.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}
	canary, err := adv3.Post(key, room, 1, "canary")
	if err != nil {
		t.Fatal(err)
	}
	if err := adv3.Publish(ctx, room, canary.Marshal()); err != nil {
		t.Fatal(err)
	}
	for _, tr := range trs {
		if err := tr.waitAll([]string{canary.ID(), canary2.ID()}, 60*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	// The key swap changed nothing: #proj still works with its key.
	m, err := bob.Client().SendRoom(ctx, "#proj", "still our room")
	if err != nil {
		t.Fatal(err)
	}
	legit = append(legit, m.ID)
	if err := trs[0].waitAll([]string{m.ID}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	if served.Load() == 0 {
		t.Fatal("no victim asked the adversary for a sync; the forged sync answers were not tried")
	}

	for _, tr := range trs {
		for _, text := range []string{"raw forgery", "forged author", "forged in a sync answer"} {
			if k := tr.shown(text); k > 0 {
				t.Fatalf("%s showed %d forged messages %q", tr.d.Name, k, text)
			}
		}
	}
	for i := range 3 {
		if k := trs[1].shown(fmt.Sprintf("genuine %d", i)); k != 1 {
			t.Fatalf("Bob was notified %d times of Ann's message %d, want once", k, i)
		}
	}
	snaps, err := fleet.SnapshotAll(context.Background(), ds, adv.ID().String())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		log := s.Rooms[room]
		for _, m := range log.Messages {
			for _, f := range forged {
				if m.ID == f {
					t.Fatalf("%s stored forged message %s", s.Name, f)
				}
			}
			if m.Author != annStr && m.Author != bobStr && m.ID != canary.ID() && m.ID != canary2.ID() {
				t.Fatalf("%s stored a message of %s that is not the canary", s.Name, m.Author)
			}
		}
		if len(s.DMs[adv.ID().String()]) > 1 {
			t.Fatalf("%s: %d DMs from the adversary", s.Name, len(s.DMs[adv.ID().String()]))
		}
	}
	conv := convergedSnapshots(t, snaps, "proj", append(legit, canary.ID(), canary2.ID()))
	r.measure(t, "to each victim: %d gossip messages claiming Ann with a made-up signature, %d envelopes naming Ann signed by the adversary, %d of Ann's genuine envelopes republished by the adversary (still Ann's, each shown once); %d sync answers with %d forged envelopes; 1 invitation swapping the room key: 0 stored, 0 shown, key unchanged",
		n, n, n, served.Load(), 3*syncForged.Load())
	r.measure(t, "%s", conv)
}
