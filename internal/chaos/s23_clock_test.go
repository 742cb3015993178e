package chaos

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// S23: an insider posts in a room with its clock a year ahead, numbers
// its posts 2, 4, 6, … so that every member holds them above a hole that
// will never fill, and jumps to seq 1,000,000; it sends a direct message
// dated a year ahead too. Nothing is pinned in the future, read markers
// keep working, and the members' periodic sync does not send each other
// the holed posts again and again.
func TestS23ClockAndSequenceAbuse(t *testing.T) {
	r := scenario(t, "S23", "an author posts with a clock a year ahead, and with sequence holes (2, 4, 6, …)",
		"no message pinned in the future, read markers keep working; sync traffic stays bounded (no resend storm)")
	n := pick(50, 1000)
	l := lab(t, 4)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat"})
	ann, bob, cat := ds[0], ds[1], ds[2]
	fleet.Room(t, ds, "alpha")
	room, key := roomSecret(t, ann, "alpha")
	trs := []*tracker{track(t, ann, "#alpha"), track(t, bob, "#alpha"), track(t, cat, "#alpha")}

	adv := hostile(t, l.Host(4), nil)
	victims := infiltrate(t, adv, ds)
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline(3*time.Minute, 20*time.Minute))
	defer cancel()
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}

	// Posts numbered 2, 4, …, 2n, the first dated a year ahead, then one
	// numbered a million. They go out 20 at a time, each lot waited for:
	// the adversary's own gossip queue (32 per peer) drops a longer burst,
	// and what no one received would be a hole like any other.
	// Past half the per-author burst they are paced inside the members'
	// room quota (p2p.RoomPostQuota): beyond it every member would drop
	// them and ignore the author for minutes, which is S24, not this.
	q := p2p.RoomPostQuota.Posts
	pace := time.NewTicker(time.Second / time.Duration(q.PerSecond-2))
	defer pace.Stop()
	start := time.Now()
	nextYear := start.AddDate(1, 0, 0)
	var posted []string
	var future string
	for i := 1; i <= n; i++ {
		if i > q.Burst/2 {
			<-pace.C
		}
		at, text := time.Now(), fmt.Sprintf("holed %d", i)
		if i == 1 {
			at, text = nextYear, "from next year"
		}
		env, err := adv.PostAt(key, room, uint64(2*i), at, text)
		if err != nil {
			t.Fatal(err)
		}
		if err := adv.Publish(ctx, room, env.Marshal()); err != nil {
			t.Fatal(err)
		}
		posted = append(posted, env.ID())
		if i == 1 {
			future = env.ID()
		}
		if i%20 == 0 || i == n {
			for _, tr := range trs {
				if err := tr.waitAll(posted, 60*time.Second); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	far, err := adv.PostAt(key, room, 1_000_000, time.Now(), "a million ahead")
	if err != nil {
		t.Fatal(err)
	}
	if err := adv.Publish(ctx, room, far.Marshal()); err != nil {
		t.Fatal(err)
	}
	bobID, _ := peer.Decode(bob.ID())
	dms := []p2p.DM{{ID: "s23-future", Text: "direct from next year", SentAt: nextYear.UnixMilli()}, {ID: "s23-now", Text: "direct, now"}}
	for i := range dms { // one at a time, the second written after the first arrived
		if i == 1 {
			dms[i].SentAt = time.Now().UnixMilli()
		}
		if _, err := adv.SendDMs(ctx, bobID, dms[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	after, err := bob.Client().SendRoom(ctx, "#alpha", "after the abuse")
	if err != nil {
		t.Fatal(err)
	}
	if err := trs[0].waitAll([]string{after.ID}, 60*time.Second); err != nil {
		t.Fatal(err)
	}

	// 1. Nothing pinned in the future: Bob's later post is shown last; the
	// post from next year is shown when it arrived, its claim kept.
	hist := ann.History("#alpha") // reading the newest page marks the room read
	if last := hist[len(hist)-1]; last.ID != after.ID {
		t.Fatalf("Ann's #alpha ends with %q, not Bob's later post", last.Text)
	}
	var shownAt time.Time
	for _, m := range hist {
		if m.Time.After(time.Now().Add(chat.MaxClockSkew)) {
			t.Fatalf("Ann shows %q at %v, in the future", m.Text, m.Time)
		}
		if m.ID == future {
			shownAt = m.Time
			if !m.ClaimedTime.Equal(time.UnixMilli(nextYear.UnixMilli())) {
				t.Fatalf("the claimed date was not kept: %v", m.ClaimedTime)
			}
		}
	}
	bobDMs := bob.History(adv.ID().String())
	if len(bobDMs) != 2 || bobDMs[0].ID != dms[0].ID || bobDMs[1].ID != dms[1].ID {
		t.Fatalf("Bob's direct messages from the adversary in order %v, want the one dated next year first (it came first)", dmIDs(bobDMs))
	}
	if bobDMs[0].Time.After(time.Now().Add(chat.MaxClockSkew)) {
		t.Fatalf("the direct message is shown at %v", bobDMs[0].Time)
	}

	// 2. Read markers keep working: after Ann read the room, Cat's next
	// post counts as unread.
	if _, err := cat.Client().SendRoom(ctx, "#alpha", "did you read this?"); err != nil {
		t.Fatal(err)
	}
	ann.WaitFor("Cat's post counted unread", 60*time.Second, func() bool { return unread(ann, room) == 1 })

	// 3. Sync stays bounded: every member holds the holed posts; the
	// periodic comparisons (every 5 s, one member per room) must not send
	// them again. Counted on each member as the envelopes its sync answers
	// carried, over a number of answers.
	base := syncStats(ds)
	rounds := pick(uint64(9), uint64(60))
	ann.WaitFor(fmt.Sprintf("%d more sync answers", rounds), deadline(90*time.Second, 10*time.Minute), func() bool {
		return syncStats(ds).SyncAnswers-base.SyncAnswers >= rounds
	})
	end := syncStats(ds)
	answers, resent := end.SyncAnswers-base.SyncAnswers, end.SyncServed-base.SyncServed
	if resent > answers {
		t.Fatalf("%d sync answers sent %d envelopes every member held (%d holed posts): a resend storm", answers, resent, n)
	}

	snaps, err := fleet.SnapshotAll(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	ceiling := time.Now().Add(chat.MaxClockSkew)
	for _, s := range snaps {
		if s.Integrity != nil {
			t.Fatalf("%s: %v", s.Name, s.Integrity)
		}
		held := 0
		for _, m := range s.Rooms[room].Messages {
			if m.HLC > uint64(ceiling.UnixMilli())<<16 {
				t.Fatalf("%s stores %q with a clock in the future", s.Name, m.Text)
			}
			if m.Author == adv.ID().String() {
				held++
				if m.AuthorSeq == 1_000_000 {
					t.Fatalf("%s stored the post numbered a million", s.Name)
				}
			}
		}
		if held != n {
			t.Fatalf("%s holds %d of the adversary's %d holed posts", s.Name, held, n)
		}
	}
	r.measure(t, "%d posts numbered 2, 4, …, %d (the first dated a year ahead) and one numbered 1,000,000, and a direct message dated a year ahead: the dated post shown at its arrival (%d ms after it was sent), its claimed date kept; Bob's later post shown last; the direct message shown first, as it arrived; Ann's read marker: Cat's next post counted 1 unread; the post numbered 1,000,000 stored by none of 3 members; every member holds the %d holed posts; periodic sync: %d answers sent %d envelopes", n, 2*n, shownAt.Sub(start).Milliseconds(), n, answers, resent)
}

// syncStats sums the members' sync counters.
func syncStats(ds []*fleet.Daemon) p2p.NetStats {
	var sum p2p.NetStats
	for _, d := range ds {
		st := d.Stats()
		sum.SyncAnswers += st.SyncAnswers
		sum.SyncServed += st.SyncServed
	}
	return sum
}

// unread is d's unread count of a room (-1 when it is not listed).
func unread(d *fleet.Daemon, room string) int {
	r, ok := d.Room(room)
	if !ok {
		return -1
	}
	return r.Unread
}

func dmIDs(msgs []chat.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}
