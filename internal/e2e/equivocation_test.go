package e2e

import (
	"context"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// An author built from our own code to equivocate: in #alpha it gossips
// two versions of its first post, one to Ann and one to Bob; in #beta it
// hands out two versions by sync only (Bob gets the other one), so no
// member holds both, then gossips a second post that names Ann's version.
// Every member raises the fork alert for both rooms: by gossip for
// #alpha, by the broken chain and the evidence served in sync for #beta.
func TestEquivocatingAuthorIsFoundByAll(t *testing.T) {
	lab := netlab.New(t, 4)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob", "Cat"})
	ann, bob := ds[0], ds[1]
	fleet.Room(t, ds, "alpha")
	fleet.Room(t, ds, "beta")
	alpha, alphaKey := secretOf(t, ann, "alpha")
	beta, betaKey := secretOf(t, ann, "beta")

	h := lab.Host(4)
	adv, err := adversary.New(adversary.Config{NS: h, IP: h.IP})
	if err != nil {
		t.Fatal(err)
	}
	defer adv.Close()
	adv.SinkProfiles()
	split, served, err := adv.SplitSync(betaKey, beta, []string{"the budget is approved", "the budget is cut"},
		map[peer.ID]int{idOf(bob): 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var ids []peer.ID
	for _, d := range ds {
		id, err := adv.Connect(ctx, d.Self().Addrs[0])
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		d.WaitFor("the adversary connected", 20*time.Second, func() bool { return d.Online(adv.ID().String()) })
	}
	author := adv.ID().String()
	for _, d := range ds {
		d.WaitFor("the first #beta post by sync", 60*time.Second, func() bool {
			_, asked := served.Got(idOf(d))
			return asked && countFrom(d, "#beta", author) == 1
		})
	}

	// #alpha, by gossip.
	if err := adv.Join(alpha, alphaKey); err != nil {
		t.Fatal(err)
	}
	// An insider's node proves the key, as members' nodes do, and is
	// taken into the topic's mesh.
	if err := adv.Prove(ctx, alpha, alphaKey, ids...); err != nil {
		t.Fatal(err)
	}
	if err := adv.WaitTopicPeers(ctx, alpha, ids...); err != nil {
		t.Fatal(err)
	}
	if _, err := adv.Equivocate(ctx, alphaKey, alpha, 1, ids[:2], []string{"yes", "no"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		d.WaitFor("the #alpha fork alert", 60*time.Second, func() bool { return forks(d, alpha)[author] >= 1 })
	}

	// #beta, by sync: nobody holds both versions, so nothing is found yet.
	for _, d := range ds {
		if forks(d, beta)[author] != 0 {
			t.Fatalf("%s found the #beta fork before the chain showed it", d.Name)
		}
	}
	if err := adv.Join(beta, betaKey); err != nil {
		t.Fatal(err)
	}
	next, err := adv.PostChained(betaKey, beta, 2, time.Now(), "as approved", split[0])
	if err != nil {
		t.Fatal(err)
	}
	m, err := adv.Gossip(beta, next.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := adv.RawPublish(ctx, id, []*pb.Message{m}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range ds {
		d.WaitFor("the #beta fork alert", 90*time.Second, func() bool { return forks(d, beta)[author] >= 1 })
	}
}

func secretOf(t *testing.T, d *fleet.Daemon, room string) (string, hcrypto.RoomKey) {
	t.Helper()
	return d.RoomSecret("#" + room)
}

func idOf(d *fleet.Daemon) peer.ID {
	id, _ := peer.Decode(d.ID())
	return id
}

func countFrom(d *fleet.Daemon, ref, author string) int {
	n := 0
	for _, m := range d.History(ref) {
		if m.From == author {
			n++
		}
	}
	return n
}

func forks(d *fleet.Daemon, room string) map[string]int {
	r, _ := d.Room(room)
	return r.Forked
}
