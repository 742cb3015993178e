package chaos

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"hallway/archive"
	"hallway/core"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// S22: an insider signs two versions of one post (the same sequence
// number) and sends each to a different member, by gossip to that member
// alone. Gossip carries each version on to the others: every member keeps
// the version it got first, keeps the other as evidence, raises the fork
// alert (the room list says forked), and its export proves the fork. A
// member away during it (Dan) gets one version by catch-up sync when it
// comes back, and the evidence with it from members that found the fork:
// it raises the alert too.
//
// In #beta the two versions of seq 1 travel by sync only: the adversary
// answers Bob's catch-up with one version and everyone else's with the
// other, so no member ever holds both and members syncing with each other
// (each holding a seq 1) exchange nothing. Its seq 2, gossiped to all,
// names the version Bob does not hold: Bob finds the broken chain, and
// the others learn of the fork from the evidence Bob serves in sync.
func TestS22ForkedHistory(t *testing.T) {
	r := scenario(t, "S22", "one author sends two different envelopes with the same sequence number to two members, by gossip and by sync",
		"every member raises the fork alert and keeps both as evidence")
	l := lab(t, 5)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, bob, dan := ds[0], ds[1], ds[3]
	fleet.Room(t, ds, "alpha")
	fleet.Room(t, ds, "beta")
	room, key := roomSecret(t, ann, "alpha")
	beta, betaKey := roomSecret(t, ann, "beta")

	adv := hostile(t, l.Host(5), nil)
	bobPeer, _ := peer.Decode(bob.ID())
	split, served, err := adv.SplitSync(betaKey, beta, []string{"the budget is approved", "the budget is cut"},
		map[peer.ID]int{bobPeer: 1})
	if err != nil {
		t.Fatal(err)
	}
	victims := infiltrate(t, adv, ds)
	for _, d := range ds {
		d.WaitFor("the adversary's first post in #beta by sync", 60*time.Second, func() bool {
			_, ok := served.Got(peerOf(d))
			return ok && heldOf(d, "#beta", adv.ID().String()) == 1
		})
	}
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline(2*time.Minute, 5*time.Minute))
	defer cancel()
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}
	// An insider's node proves the key, as members' nodes do, and is
	// taken into the topic's mesh.
	if err := adv.Prove(ctx, room, key, victims...); err != nil {
		t.Fatal(err)
	}
	dan.Stop()
	annID, _ := peer.Decode(ann.ID())
	bobID, _ := peer.Decode(bob.ID())
	envs, err := adv.Equivocate(ctx, key, room, 1, []peer.ID{annID, bobID},
		[]string{"the deal is on", "the deal is off"})
	if err != nil {
		t.Fatal(err)
	}
	author := adv.ID().String()
	var took []time.Duration
	for _, d := range ds[:3] {
		took = append(took, d.WaitFor("the fork alert", 60*time.Second, func() bool {
			return forkedIn(d, room)[author] == 1
		}))
	}
	dan.Start()
	took = append(took, dan.WaitFor("the fork alert after catching up", 90*time.Second, func() bool {
		return forkedIn(dan, room)[author] == 1
	}))

	proven := 0
	for _, d := range []*fleet.Daemon{ann, bob} {
		var out bytes.Buffer
		if _, err := d.Client().Export(ctx, core.ExportOptions{In: "#alpha"}, &out); err != nil {
			t.Fatalf("%s: export: %v", d.Name, err)
		}
		rep := archive.Verify(out.Bytes())
		if !rep.OK() || len(rep.Forks) != 1 || !rep.Forks[0].Proven {
			t.Fatalf("%s: the export does not prove the fork: %+v", d.Name, rep.Forks)
		}
		proven++
	}
	chained := splitChain(t, adv, ds, beta, betaKey, split)
	snaps, err := fleet.SnapshotAll(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		if s.Integrity != nil {
			t.Fatalf("%s: %v", s.Name, s.Integrity)
		}
		held := 0
		for _, m := range s.Rooms[room].Messages {
			if m.Author == author {
				held++
			}
		}
		if held != 1 {
			t.Fatalf("%s shows %d of the adversary's versions, want the one it got first", s.Name, held)
		}
	}
	r.measure(t, "%d versions of seq 1 sent by gossip to Ann and Bob alone: fork alert on %d of 3 online members (after %v, %v, %v); Dan, away during it, raised it %v after his restart, from catch-up sync; each of 4 keeps one version in its log and the other as evidence; %d of 2 exports prove the fork offline; %s",
		len(envs), 3, took[0].Round(time.Millisecond), took[1].Round(time.Millisecond), took[2].Round(time.Millisecond),
		took[3].Round(time.Millisecond), proven, chained)
}

// splitChain gossips the adversary's seq 2 in beta, chained on the
// version of seq 1 everyone but Bob holds (split[0]), and waits for every
// member's alert; it describes what it saw.
func splitChain(t *testing.T, adv *adversary.Peer, ds []*fleet.Daemon, beta string, key hcrypto.RoomKey, split [][]byte) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline(2*time.Minute, 5*time.Minute))
	defer cancel()
	for _, d := range ds {
		if n := forkedIn(d, beta)[adv.ID().String()]; n != 0 {
			t.Fatalf("%s raised the alert before seq 2: the versions met by another way", d.Name)
		}
	}
	if err := adv.Join(beta, key); err != nil {
		t.Fatal(err)
	}
	next, err := adv.PostChained(key, beta, 2, time.Now(), "as approved", split[0])
	if err != nil {
		t.Fatal(err)
	}
	// Written by gossip to every member, each of whom checks it.
	m, err := adv.Gossip(beta, next.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		id, err := adv.Connect(ctx, d.Self().Addrs[0])
		if err != nil {
			t.Fatalf("adversary cannot reach %s: %v", d.Name, err)
		}
		if err := adv.RawPublish(ctx, id, []*pb.Message{m}); err != nil {
			t.Fatalf("gossip to %s: %v", d.Name, err)
		}
	}
	author := adv.ID().String()
	var took []string
	for _, d := range ds {
		took = append(took, d.WaitFor("the fork alert from the broken chain", 90*time.Second, func() bool {
			return forkedIn(d, beta)[author] >= 1
		}).Round(time.Millisecond).String())
	}
	var out bytes.Buffer
	if _, err := ds[1].Client().Export(ctx, core.ExportOptions{In: "#beta"}, &out); err != nil {
		t.Fatal(err)
	}
	rep := archive.Verify(out.Bytes())
	if !rep.OK() || len(rep.Forks) == 0 {
		t.Fatalf("Bob's export does not prove the broken chain: %+v", rep.Forks)
	}
	return fmt.Sprintf("#beta: 2 versions of seq 1 sent by sync alone (Bob got the other one), members' syncs among themselves carried neither; seq 2 by gossip names Ann's version: fork alert on 4 of 4 (Ann %s, Bob %s, Cat %s, Dan %s; Bob from the broken chain, the others from his evidence in sync); Bob's export proves it offline",
		took[0], took[1], took[2], took[3])
}

// peerOf is d's peer id.
func peerOf(d *fleet.Daemon) peer.ID {
	id, _ := peer.Decode(d.ID())
	return id
}

// heldOf is how many messages of author d's history of ref holds.
func heldOf(d *fleet.Daemon, ref, author string) int {
	n := 0
	for _, m := range d.History(ref) {
		if m.From == author {
			n++
		}
	}
	return n
}

// forkedIn is what d's room list says of room's forks.
func forkedIn(d *fleet.Daemon, room string) map[string]int {
	r, _ := d.Room(room)
	return r.Forked
}
