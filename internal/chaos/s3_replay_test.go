package chaos

import (
	"context"
	"fmt"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/p2p"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// S3: an insider captures room messages and replays them later: as they
// were (the original gossip message), as its own, into another room, in sync
// answers; and replays a direct message. No new row, no notification.
func TestS3Replay(t *testing.T) {
	r := scenario(t, "S3", "captured messages replayed 5 min later and into another room", "0 new rows, 0 notifications")
	later := pick(3*time.Second, 5*time.Minute)
	l := lab(t, 3)
	ds := fleet.Office(t, l, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	fleet.Room(t, ds, "alpha")
	fleet.Room(t, ds, "beta")
	alpha, keyA := roomSecret(t, ann, "alpha")
	beta, keyB := roomSecret(t, ann, "beta")
	bobStr := bob.ID()
	bobID, _ := peer.Decode(bobStr)
	trs := []*tracker{track(t, ann, "#alpha", "#beta"), track(t, bob, "#alpha", "#beta")}

	adv := hostile(t, l.Host(3), nil)
	var replayed [][]byte // what the sync answers replay
	served := adv.ServeSync(func(_ peer.ID, req p2p.SyncRequest) [][]byte {
		var out [][]byte
		for _, raw := range replayed {
			out = append(out, adversary.Frame(raw))
		}
		return out
	})
	victims := infiltrate(t, adv, ds)
	for room, key := range map[string]hcrypto.RoomKey{alpha: keyA, beta: keyB} {
		if err := adv.Join(room, key); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline(2*time.Minute, 20*time.Minute))
	defer cancel()
	if err := adv.WaitTopicPeers(ctx, alpha, victims...); err != nil {
		t.Fatal(err)
	}

	const posts = 5
	var ids []string
	for i := range posts {
		m, err := ann.Client().SendRoom(ctx, "#alpha", fmt.Sprintf("original %d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	captured, err := adv.WaitCaptured(ctx, alpha, posts)
	if err != nil {
		t.Fatal(err)
	}
	if err := trs[1].waitAll(ids, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	dm := p2p.DM{ID: "replayed-dm", Text: "pay the invoice", SentAt: time.Now().UnixMilli()}
	if _, err := adv.SendDMs(ctx, bobID, []p2p.DM{dm}); err != nil {
		t.Fatal(err)
	}
	before := map[string]int{}
	for _, d := range ds {
		before[d.Name+"#alpha"] = len(d.History("#alpha"))
		before[d.Name+"#beta"] = len(d.History("#beta"))
	}

	<-time.After(later)

	// 1. The captured gossip as it was, byte for byte, by a
	// second hostile identity (a raw stream replaces its sender's gossip
	// stream), and moved to the other room's topic.
	adv2 := hostile(t, l.Host(3), nil)
	infiltrate(t, adv2, ds)
	var raw []*pb.Message
	for _, m := range captured {
		raw = append(raw, m, adversary.Retopic(m, adversary.RoomTopic(beta, keyB, 0)))
	}
	for _, v := range victims {
		if err := adv2.RawPublish(ctx, v, raw); err != nil {
			t.Fatal(err)
		}
	}
	// 2. As the adversary's own, in the room and in the other room.
	for _, m := range captured {
		for _, room := range []string{alpha, beta} {
			if err := adv.Publish(ctx, room, m.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
	// 3. In sync answers, for whatever room is asked.
	for _, m := range captured {
		replayed = append(replayed, m.Data)
	}
	for _, d := range ds {
		// A fresh connection makes the victim sync with the adversary.
		adv.Host.Network().ClosePeer(peerID(t, d))
	}
	infiltrate(t, adv, ds)
	// 4. The direct message again.
	if _, err := adv.SendDMs(ctx, bobID, []p2p.DM{dm}); err != nil {
		t.Fatal(err)
	}

	// Canaries in both rooms: once they are in, what came before was
	// processed.
	var canaries []string
	for i, room := range []string{alpha, beta} {
		key := keyA
		if i == 1 {
			key = keyB
		}
		env, err := adv.Post(key, room, 1, "canary")
		if err != nil {
			t.Fatal(err)
		}
		if err := adv.Publish(ctx, room, env.Marshal()); err != nil {
			t.Fatal(err)
		}
		canaries = append(canaries, env.ID())
	}
	for _, tr := range trs {
		if err := tr.waitAll(canaries, 60*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if served.Load() == 0 {
		t.Fatal("no victim asked the adversary for a sync; the replayed sync answers were not tried")
	}
	for i := range posts {
		if k := trs[1].shown(fmt.Sprintf("original %d", i)); k != 1 {
			t.Fatalf("Bob was notified %d times of Ann's message %d, want once", k, i)
		}
	}
	if k := trs[1].shown(dm.Text); k != 1 {
		t.Fatalf("Bob was notified %d times of the replayed direct message, want once", k)
	}
	snaps, err := fleet.SnapshotAll(context.Background(), ds, adv.ID().String())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		// One canary each is the only new row.
		if got, was := len(s.Rooms[alpha].Messages), before[s.Name+"#alpha"]; got != was+1 {
			t.Fatalf("%s holds %d messages in #alpha, had %d before the replays (+1 canary)", s.Name, got, was)
		}
		if got, was := len(s.Rooms[beta].Messages), before[s.Name+"#beta"]; got != was+1 {
			t.Fatalf("%s holds %d messages in #beta, had %d before the replays (+1 canary)", s.Name, got, was)
		}
	}
	if n := len(snaps[1].DMs[adv.ID().String()]); n != 1 {
		t.Fatalf("Bob holds the replayed direct message %d times", n)
	}
	r.measure(t, "replayed %s later: %d captured gossip messages as they were and moved to another room's topic, as the adversary's own in both rooms, in %d sync answers, and a direct message again: 0 new rows, 0 notifications",
		later, len(captured), served.Load())
	convergedSnapshots(t, snaps, "alpha", ids)
}

func peerID(t *testing.T, d *fleet.Daemon) peer.ID {
	t.Helper()
	id, err := peer.Decode(d.ID())
	if err != nil {
		t.Fatal(err)
	}
	return id
}
