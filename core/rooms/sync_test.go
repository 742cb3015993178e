package rooms

import (
	"context"
	"slices"
	"testing"

	hcrypto "hallway/crypto"
	"hallway/p2p"
)

func TestServeSyncAnswersWhatTheVectorLacks(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann)
	ctx := context.Background()
	for _, text := range []string{"one", "two", "three"} {
		if _, err := ann.Send(ctx, "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	j := ann.Joined().Get(room)
	proof := j.Proof(room, bob.id, ann.id)
	serve := func(req p2p.SyncRequest) []uint64 {
		t.Helper()
		var seqs []uint64
		err := ann.Syncer().ServeSync(ctx, bob.id, req, func(raw []byte) error {
			env, err := hcrypto.UnmarshalEnvelope(raw)
			if err != nil {
				return err
			}
			seqs = append(seqs, env.Seq)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return seqs
	}
	have := map[string]uint64{ann.id.String(): 2}
	if got := serve(p2p.SyncRequest{Rooms: []p2p.SyncRoom{{ID: room, Proof: proof[:], Have: have}}}); !slices.Equal(got, []uint64{3, 4}) {
		t.Fatalf("served seqs %v, want [3 4]", got)
	}
	if got := serve(p2p.SyncRequest{Rooms: []p2p.SyncRoom{{ID: room, Proof: proof[:]}}}); len(got) != 4 {
		t.Fatalf("an empty vector got %v, want all 4", got)
	}
	wrong := j.Proof(room, ann.id, bob.id) // made for the other direction
	for name, r := range map[string]p2p.SyncRoom{
		"a proof for someone else": {ID: room, Proof: wrong[:]},
		"no proof":                 {ID: room},
		"a room we are not in":     {ID: "roomwearenotin", Proof: proof[:]},
		"an invalid room id":       {ID: "Not A Room!", Proof: proof[:]},
	} {
		if got := serve(p2p.SyncRequest{Rooms: []p2p.SyncRoom{r}}); len(got) != 0 {
			t.Errorf("%s: served %v", name, got)
		}
	}
}

func TestJoinCatchesUpFromConnectedPeers(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	connect(ann, bob)
	room := project(t, ann)
	for _, text := range []string{"one", "two", "three", "four", "five"} {
		if _, err := ann.Send(context.Background(), "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	project := ann.Joined().Get(room)
	code, _ := ann.InviteCode(project.ID())
	r, err := bob.JoinCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != room || r.Name != "project" {
		t.Fatalf("joined %+v", r)
	}
	bob.waitFor("Ann's history", func() bool { return bob.store.count(room) == 7 })
	heads, _ := bob.store.RoomHeads(context.Background(), room)
	if heads[ann.id.String()] != 6 || heads[bob.id.String()] != 1 {
		t.Fatalf("Bob's vector %v", heads)
	}
}

func TestGapIsAskedOfTheForwarder(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann, bob) // not connected: Bob has none of Ann's messages
	for _, text := range []string{"one", "two"} {
		if _, err := ann.Send(context.Background(), "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	connect(ann, bob)
	if err := bob.net.topic(room).deliver(ann.id, ann.lastGossip(room)); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("the hole filled", func() bool { return bob.store.count(room) == 4 })
	bob.net.mu.Lock()
	asked := slices.Clone(bob.net.asked)
	bob.net.mu.Unlock()
	if !slices.Contains(asked, ann.id) {
		t.Fatalf("Bob asked %v, not Ann who forwarded the message", asked)
	}
}
