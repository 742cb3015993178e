package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
)

// S21: a member's node is a modified client (internal/adversary) that
// joined a room by its key, keeps every key it ever held and stays
// subscribed to the room's topic. The owner removes it with `room remove`:
// the remaining members move to a new key epoch and post on. What it
// captures by gossip and what sync serves it, opened with every key it
// holds, shows none of those posts; its own posts after the removal are
// refused by every member; the remaining members converge on one history.
func TestS21RemovedMemberReadsNothingNew(t *testing.T) {
	r := scenario(t, "S21", "a member removed from a room keeps every key and stays subscribed",
		"decrypts 0 messages posted after the removal; its posts are refused by every member")
	l := lab(t, 6)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat", "Dan", "Eve"})
	ann := ds[0]
	fleet.Room(t, ds, "proj")
	room, key := roomSecret(t, ann, "proj")
	ctx, cancel := context.WithTimeout(context.Background(), deadline(3*time.Minute, 10*time.Minute))
	defer cancel()

	adv := hostile(t, l.Host(6), nil)
	victims := infiltrate(t, adv, ds)
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}
	publish := func(env *hcrypto.Envelope, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if err := adv.Publish(ctx, room, env.Marshal()); err != nil {
			t.Fatal(err)
		}
	}
	// It joins as a code holder does: a join that names no parents.
	publish(adv.MemberOp(key, room, 1, hcrypto.MemberOp{Kind: hcrypto.BodyJoin}))
	for _, d := range ds {
		d.WaitFor("the modified client a member", 60*time.Second, func() bool { return d.Members("#proj") == 6 })
	}
	ann.CLI("send", "#proj", "before the removal")
	if _, err := adv.WaitCaptured(ctx, room, 1); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	ann.CLI("room", "remove", "#proj", adv.ID().String())
	var took []time.Duration
	for _, d := range ds {
		d.WaitFor("the new epoch", 60*time.Second, func() bool { return epochOf(d, room) == 1 })
		took = append(took, time.Since(start))
	}
	// The new epoch's topic name is not secret: every member announced
	// its subscription to it. The modified client copies every room
	// topic name it overheard and subscribes to each: members let a
	// topic's gossip reach only peers that prove its key.
	newTopics := map[string]bool{}
	for _, k := range ann.EpochKeys(room, 1) {
		newTopics[adversary.RoomTopic(room, k, 1)] = true
	}
	names, err := adv.WaitOverheard(ctx, func(n string) bool { return newTopics[n] })
	if err != nil {
		t.Fatalf("the new epoch's topic name was never announced: %v", err)
	}
	var heard []string
	for _, name := range names {
		if name == adversary.RoomTopic(room, key, 0) {
			continue
		}
		heard = append(heard, name)
		if err := adv.JoinName("overheard "+name, name); err != nil {
			t.Fatal(err)
		}
	}
	posts := pick(5, 50)
	var after []string
	for i := range posts {
		for _, d := range ds {
			text := fmt.Sprintf("after the removal %s %d", d.Name, i)
			after = append(after, text)
			if _, err := d.Client().SendRoom(ctx, "#proj", text); err != nil {
				t.Fatal(err)
			}
		}
	}
	// It posts on with the key it kept, by gossip and in its sync answers.
	publish(adv.Post(key, room, 2, "mine after the removal"))
	ann.CLI("send", "#proj", "the last one")
	want := append(slices.Clone(after), "the last one")
	for _, d := range ds {
		d.WaitFor("every post after the removal", 90*time.Second, func() bool {
			return holdsAll(d.History("#proj"), want)
		})
	}
	for _, d := range ds {
		if slices.ContainsFunc(d.History("#proj"), func(m chat.Message) bool { return m.Text == "mine after the removal" }) {
			t.Errorf("%s took the removed member's post", d.Name)
		}
	}
	// One history on every remaining member.
	first := ids(ds[0].History("#proj"))
	for _, d := range ds[1:] {
		if got := ids(d.History("#proj")); !slices.Equal(got, first) {
			t.Errorf("%s holds %d messages in another order or set than Ann's %d", d.Name, len(got), len(first))
		}
	}

	// What reached it on the topics it overheard: nothing, not even
	// ciphertext to count.
	onHeard := 0
	for _, name := range heard {
		onHeard += len(adv.Captured("overheard " + name))
	}
	// What the modified client can read, with every key it kept.
	keys := []hcrypto.RoomKey{key}
	captured, seen := adversary.Readable(keys, adversary.Data(adv.Captured(room)))
	var served [][]byte
	for _, v := range victims {
		raws, err := adv.AskEpochs(ctx, v, room, map[uint64]hcrypto.RoomKey{0: key})
		if err != nil {
			t.Fatal(err)
		}
		served = append(served, raws...)
	}
	synced, servedN := adversary.Readable(keys, served)
	newer := 0
	for _, raw := range served {
		if env, err := hcrypto.UnmarshalEnvelope(raw); err == nil && env.Epoch > 0 {
			newer++
		}
	}
	read := 0
	for _, text := range append(captured, synced...) {
		if slices.Contains(want, text) {
			read++
		}
	}
	kept := slices.ContainsFunc(append(captured, synced...), func(s string) bool { return strings.HasPrefix(s, "before") })
	slices.Sort(took)
	r.measure(t, "5 members + the modified client (joined by key, kept it, stayed subscribed); `room remove` by the owner: "+
		"all 5 at the new epoch after %s (first %s); %d posts after it by the 5: it captured %d gossip messages "+
		"(%d readable, all from before: %v), sync from 5 members served it %d envelopes (%d readable, %d of the new epoch); "+
		"posts after the removal it read: %d of %d; subscribed by name to the %d other room topics it overheard (the new epoch's among them): %d messages reached it there; its post after the removal stored by 0 of 5 (found on %d); one history on 5 of 5 (%d messages)",
		took[len(took)-1].Round(time.Millisecond), took[0].Round(time.Millisecond), len(want), seen, len(captured), kept,
		servedN, len(synced), newer, read, len(want), len(heard), onHeard, countHolding(ds, "mine after the removal"), len(first))
	if onHeard != 0 {
		t.Fatalf("%d messages reached the removed member on topics whose names it overheard", onHeard)
	}
	if read != 0 || newer != 0 {
		t.Fatalf("the removed member read %d posts made after the removal (%d envelopes of the new epoch served)", read, newer)
	}
	if !kept {
		t.Fatal("the removed member read nothing at all: the scenario does not show what it kept")
	}
}

// epochOf is d's newest key epoch of room (0 before any re-key).
func epochOf(d *fleet.Daemon, room string) uint64 {
	r, _ := d.Room(room)
	return r.Epoch
}

func holdsAll(h []chat.Message, texts []string) bool {
	for _, text := range texts {
		if !slices.ContainsFunc(h, func(m chat.Message) bool { return m.Text == text }) {
			return false
		}
	}
	return true
}

func ids(h []chat.Message) []string {
	out := make([]string, 0, len(h))
	for _, m := range h {
		out = append(out, m.ID)
	}
	return out
}

func countHolding(ds []*fleet.Daemon, text string) int {
	n := 0
	for _, d := range ds {
		if slices.ContainsFunc(d.History("#proj"), func(m chat.Message) bool { return m.Text == text }) {
			n++
		}
	}
	return n
}
