package chaos

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/fleet"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// S24: Ann blocks Mallory, a room member, who keeps at it: dialling Ann,
// writing to her and offering files whenever a connection would stay up,
// and posting in the room through the members still connected to him. At
// the same time another member floods the room. Honest members keep
// posting meanwhile.
func TestS24BlockedAndFlood(t *testing.T) {
	r := scenario(t, "S24", "a blocked colleague keeps sending DMs, room posts and file offers; a member floods a room",
		"nothing of the blocked key is stored or shown; the flood is capped per author while honest posts arrive (p99 < 1 s)")
	dur := pick(15*time.Second, 120*time.Second)
	l := lab(t, 4)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat"})
	ann, bob, cat := ds[0], ds[1], ds[2]
	fleet.Room(t, ds, "ops")
	room, key := roomSecret(t, ann, "ops")
	annTr := track(t, ann, "#ops")
	catTr := track(t, cat, "#ops")
	annStr := ann.ID()
	annID, _ := peer.Decode(annStr)

	mal := hostile(t, l.Host(4), nil)
	flo := hostile(t, l.Host(4), nil)
	malStr, floStr := mal.ID().String(), flo.ID().String()
	victims := infiltrate(t, mal, ds)
	infiltrate(t, flo, ds)
	ctx0, cancel0 := context.WithTimeout(context.Background(), deadline(2*time.Minute, 10*time.Minute))
	defer cancel0()
	for _, a := range []interface {
		Join(string, hcrypto.RoomKey) error
		WaitTopicPeers(context.Context, string, ...peer.ID) error
	}{mal, flo} {
		if err := a.Join(room, key); err != nil {
			t.Fatal(err)
		}
		if err := a.WaitTopicPeers(ctx0, room, victims...); err != nil {
			t.Fatal(err)
		}
	}

	// Before the block Mallory is a colleague like any other: what he
	// says then is kept.
	if acks, err := mal.SendDMs(ctx0, annID, []p2p.DM{{ID: "before-the-block", Text: "hi Ann", SentAt: time.Now().UnixMilli()}}); err != nil || !acks[0].OK {
		t.Fatalf("Mallory's first message: %v %v", acks, err)
	}
	before, err := mal.Post(key, room, 1, "Mallory before the block")
	if err != nil {
		t.Fatal(err)
	}
	if err := mal.Publish(ctx0, room, before.Marshal()); err != nil {
		t.Fatal(err)
	}
	if err := annTr.waitAll([]string{before.ID()}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	ann.CLI("block", malStr, "--reason", "harassment")
	ann.WaitFor("Mallory disconnected", 20*time.Second, func() bool { return !ann.Online(malStr) })

	// For dur: Mallory keeps at it, Flo floods, Bob and Cat each post 5
	// times a second (10 honest posts a second in all).
	ctx, stop := context.WithTimeout(context.Background(), dur)
	defer stop()
	floodStart := time.Now()
	pester, pwg := mal.Pester(ctx, ann.Self().Addrs[0], key, room, 2, 200*time.Millisecond)
	var floodIDs []string
	var fwg sync.WaitGroup
	fwg.Go(func() { floodIDs = flo.FloodRoom(ctx, key, room, 1) })
	type probe struct {
		id   string
		sent time.Time
	}
	var probes []probe
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ctx.Err() == nil; i++ {
		select {
		case <-ctx.Done():
			continue
		case <-tick.C:
		}
		d := []*fleet.Daemon{bob, cat}[i%2]
		sent := time.Now()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		m, err := d.Client().SendRoom(sctx, "#ops", fmt.Sprintf("honest %d", i))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		probes = append(probes, probe{m.ID, sent})
	}
	pwg.Wait()
	fwg.Wait()

	var ids []string
	for _, p := range probes {
		ids = append(ids, p.id)
	}
	if err := annTr.waitAll(ids, 120*time.Second); err != nil {
		t.Fatal(err)
	}
	var lat []time.Duration
	for _, p := range probes {
		at, _ := annTr.at(p.id)
		lat = append(lat, at.Sub(p.sent))
	}
	st := summarize(lat)
	// Mallory's posts reached the others, who relay them; a last post of
	// Cat's, once Ann holds it, comes after all of them.
	malPosts := pester.PostIDs()
	if err := catTr.waitAll(malPosts[len(malPosts)-1:], 60*time.Second); err != nil {
		t.Fatalf("Mallory's posts never reached Cat, so nothing tested their relay: %v", err)
	}
	last, err := cat.Client().SendRoom(context.Background(), "#ops", "the last word")
	if err != nil {
		t.Fatal(err)
	}
	if err := annTr.waitAll([]string{last.ID}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	annStats := ann.Stats()
	for _, text := range pester.Texts() {
		if n := annTr.shown(text); n > 0 {
			t.Fatalf("Ann was shown %q from a colleague she blocked", text)
		}
	}
	for i := range pester.Offers.Load() {
		if _, ok := ann.Transfer(fmt.Sprintf("pester-offer-%d", i)); ok {
			t.Fatal("Ann holds a file offer from a colleague she blocked")
		}
	}
	if pester.Connected.Load() != 0 || pester.DMsAcked.Load() != 0 || pester.OffersAcked.Load() != 0 {
		t.Fatalf("the blocked colleague got through: %s", pester)
	}
	blocks := ann.CLI("blocked")
	if !strings.Contains(blocks, malStr) {
		t.Fatalf("Ann's block list lacks Mallory: %q", blocks)
	}
	elapsed := time.Since(floodStart)

	snaps := checkStores(t, ds, malStr, floStr)
	annSnap, catSnap := snaps[0], snaps[2]
	if dms := annSnap.DMs[malStr]; len(dms) != 1 || dms[0].ID != "before-the-block" {
		t.Fatalf("Ann holds %d direct messages from Mallory, want only the one from before the block", len(dms))
	}
	count := func(s fleet.Snapshot, author string) int {
		k := 0
		for _, m := range s.Rooms[room].Messages {
			if m.Author == author {
				k++
			}
		}
		return k
	}
	if n := count(annSnap, malStr); n != 1 {
		t.Fatalf("Ann holds %d posts of Mallory's, want only the one from before the block", n)
	}
	relayed := count(catSnap, malStr) - 1
	if relayed <= 0 {
		t.Fatal("Cat holds none of Mallory's posts after the block: nothing tested their relay")
	}
	stored := map[string]bool{}
	for _, m := range annSnap.Rooms[room].Messages {
		stored[m.ID] = true
	}
	for _, id := range ids {
		if !stored[id] {
			t.Fatalf("Ann's database lacks the honest post %s", id)
		}
	}
	// Each of the three members takes at most its quota of the flood, and
	// Ann may hold what any of them took (catch-up sync between them).
	q := p2p.RoomPostQuota
	perMember := q.Posts.Burst + int(q.Posts.PerSecond*elapsed.Seconds()) + 1
	flood := count(annSnap, floStr)
	if flood > 3*perMember {
		t.Fatalf("Ann holds %d of the flooder's %d posts; the quota allows 3 members × %d", flood, len(floodIDs), perMember)
	}
	r.measure(t, "blocked colleague for %s: %s; %d of its room posts relayed by a member, 0 stored or shown at the victim "+
		"(its DM and post from before the block kept)", dur, pester, relayed)
	r.measure(t, "flood of %d posts in %s by one member: %d stored at the victim (quota: 3 members × %d), %d dropped over quota there, %d peer graylisted",
		len(floodIDs), dur, flood, perMember, annStats.RoomOverQuota, annStats.Graylisted)
	r.measure(t, "honest posts (2 members, 10/s): %d of %d arrived; latency post → stored at the victim p50 %s, p99 %s, max %s",
		len(probes), len(probes), st.p50.Round(time.Millisecond), st.p99.Round(time.Millisecond), st.max.Round(time.Millisecond))
	r.measure(t, "databases: integrity_check ok")
}
