package chaos

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// S25: a member revoked from a workspace that admits members by admins is
// replaced by a modified client that keeps every key: its identity, the
// workspace key, and every room key it held. With its own identity and
// with fresh ones made with the workspace key, it dials every member
// again and again and asks each to sync: no member keeps a connection
// with it, none answers, and what the members post meanwhile reaches it
// by no path. A fresh identity made the same way was answered before the
// policy (the control), so the refusal is the admission's doing.
func TestS25RevokedKeepsEveryKey(t *testing.T) {
	r := scenario(t, "S25", "a revoked workspace member keeps every key",
		"cannot connect to any node; decrypts nothing posted after the revocation")
	attempts := pick(3, 30)
	l := lab(t, 5)
	ds, code := fleet.PrivateOffice(t, l, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, dan, members := ds[0], ds[3], ds[:3]
	inv, err := hcrypto.ParseInvite(code)
	if err != nil {
		t.Fatal(err)
	}
	psk := inv.Key.PSK()
	for _, d := range ds {
		d.WaitFor("every member in the workspace's log", 60*time.Second, func() bool {
			return len(fleet.Decode[[]chat.RoomMember](t, d.CLI("admin", "list", "--json"))) == len(ds)
		})
	}
	known := map[string]bool{}
	for _, d := range ds {
		known[d.ID()] = true
	}
	addrs := map[string]peer.ID{}
	for _, d := range members {
		id, _ := peer.Decode(d.ID())
		addrs[d.Self().Addrs[0]] = id
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline(3*time.Minute, 10*time.Minute))
	defer cancel()
	// answered reports whether a member answered adv's sync request: the
	// member sends its challenge first, on any connection it keeps.
	answered := func(adv *adversary.Peer, addr string, id peer.ID) bool {
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		adv.Connect(cctx, addr) // a refused connection may look made for a moment
		ccancel()
		out := adv.Send(ctx, id, p2p.ProtoSync, adversary.Frame([]byte(`{"rooms":[]}`)), 5*time.Second)
		return len(out.Reply) > 0
	}
	control := hostile(t, l.Host(5), psk)
	for a, id := range addrs {
		if !answered(control, a, id) {
			t.Fatalf("before the policy, %s did not answer a key holder: the test proves nothing", id)
		}
	}
	control.Close()

	ann.CLI("policy", "set", "members.admission", "admins")
	ann.CLI("workspace", "revoke", dan.ID())
	for _, d := range members {
		d.WaitFor("Dan revoked under admission by admins", 60*time.Second, func() bool {
			return !d.Online(dan.ID()) && len(fleet.Decode[chat.Policy](t, d.CLI("policy", "show", "--json")).Rules) > 0
		})
	}
	// The modified client: Dan's own key pair, and the workspace key.
	dan.Stop()
	danKey, _, err := hcrypto.LoadOrCreateIdentity(filepath.Join(dan.Dir, "identity.key"))
	if err != nil {
		t.Fatal(err)
	}
	own, err := adversary.New(adversary.Config{NS: l.Host(4), IP: l.Host(4).IP, PSK: psk, Key: danKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { own.Close() })
	// An admin leaves a pass open for a newcomer: a key the log does not
	// know may now connect, to enter by the pass and for nothing else.
	pass := fleet.Decode[chat.WorkspacePass](t, ann.CLI("workspace", "pass", "--uses", "1", "--json"))
	for _, d := range members {
		d.WaitFor("the pass open", 60*time.Second, func() bool {
			for _, p := range fleet.Decode[[]chat.WorkspacePass](t, d.CLI("workspace", "passes", "--json")) {
				if p.ID == pass.ID && p.Open {
					return true
				}
			}
			return false
		})
	}
	forged, err := hcrypto.NewPass(inv)
	if err != nil {
		t.Fatal(err)
	}
	tries, reached, enters, let, unknown := 0, 0, 0, 0, 0
	for i := range attempts {
		advs := []*adversary.Peer{own, hostile(t, l.Host(5), psk)} // and a fresh key pair each round
		for a, id := range addrs {
			for _, adv := range advs {
				tries++
				if answered(adv, a, id) {
					reached++
				}
				// A pass it made itself, proved for its own key.
				proof := hcrypto.NewPassProof(forged.Private(), inv.Room, []byte(adv.ID()), time.Now().UnixMilli())
				req := p2p.EnterRequest{Room: inv.Room, Proof: proof.Marshal()}
				out := adv.Send(ctx, id, p2p.ProtoEnter, adversary.Frame(req.Marshal()), 5*time.Second)
				enters++
				switch rep, err := p2p.DecodeEnterReply(frameBody(out.Reply)); {
				case err != nil:
				case rep.Status == p2p.EnterOK:
					let++
				case rep.Status == p2p.EnterUnknown:
					unknown++ // a fresh key reached the enter protocol: the gate was open
				}
			}
		}
		ann.CLI("send", "#general", "after the revocation "+string(rune('a'+i)))
	}
	members[1].WaitFor("Ann's last post", 60*time.Second, func() bool {
		for _, m := range members[1].History("#general") {
			if m.Text == "after the revocation "+string(rune('a'+attempts-1)) {
				return true
			}
		}
		return false
	})
	for _, d := range members {
		if d.Online(own.ID().String()) {
			t.Fatalf("%s lists the revoked identity online", d.Name)
		}
	}
	if reached != 0 || let != 0 {
		t.Fatalf("%d of %d sync requests by the revoked member's identities were answered, %d of %d entries by a forged pass let in", reached, tries, let, enters)
	}
	if unknown == 0 {
		t.Fatal("no fresh key reached the enter protocol while the pass was open: the test proves nothing of entrants")
	}
	for _, d := range members {
		for _, m := range fleet.Decode[[]chat.RoomMember](t, d.CLI("workspace", "members", "--json")) {
			if m.Role == chat.RoleMember && !known[m.PeerID] {
				t.Fatalf("%s counts in a stranger: %s", d.Name, m.PeerID)
			}
		}
	}
	if n := len(own.Host.Network().Peers()); n != 0 {
		t.Fatalf("the revoked identity keeps %d connections", n)
	}
	r.measure(t, "%d sync requests by the revoked identity and fresh ones made with the workspace key, to %d members, while an admin's pass was open (fresh keys may connect to enter by it): 0 answered, the revoked identity kept 0 connections; %d entries with a pass the adversary signed itself: 0 let in (%d answered \"no such pass\", so the gate was open to them); the same sync request by a key holder was answered by each before the policy; %d posts after the revocation, none reachable",
		tries, len(members), enters, unknown, attempts)
}

// frameBody is the body of the first frame of b, nil when there is none.
func frameBody(b []byte) []byte {
	frames, err := adversary.ReadFrames(bytes.NewReader(b), 4<<10)
	if err != nil || len(frames) == 0 {
		return nil
	}
	return frames[0]
}
