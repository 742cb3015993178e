package chaos

import (
	"bytes"
	"context"
	"testing"
	"time"

	"hallway/archive"
	"hallway/core"
	"hallway/internal/fleet"

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
func TestS22ForkedHistory(t *testing.T) {
	r := scenario(t, "S22", "one author sends two different envelopes with the same sequence number to two members",
		"every member raises the fork alert and keeps both as evidence")
	l := lab(t, 5)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, bob, dan := ds[0], ds[1], ds[3]
	fleet.Room(t, ds, "alpha")
	room, key := roomSecret(t, ann, "alpha")

	adv := hostile(t, l.Host(5), nil)
	victims := infiltrate(t, adv, ds)
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline(2*time.Minute, 5*time.Minute))
	defer cancel()
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
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
	r.measure(t, "%d versions of seq 1 sent by gossip to Ann and Bob alone: fork alert on %d of 3 online members (after %v, %v, %v); Dan, away during it, raised it %v after his restart, from catch-up sync; each of 4 keeps one version in its log and the other as evidence; %d of 2 exports prove the fork offline",
		len(envs), 3, took[0].Round(time.Millisecond), took[1].Round(time.Millisecond), took[2].Round(time.Millisecond),
		took[3].Round(time.Millisecond), proven)
}

// forkedIn is what d's room list says of room's forks.
func forkedIn(d *fleet.Daemon, room string) map[string]int {
	r, _ := d.Room(room)
	return r.Forked
}
