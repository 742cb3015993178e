package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hallway/archive"
	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/p2p"
	"hallway/policy"

	"github.com/libp2p/go-libp2p/core/peer"
)

// S26: a member's modified client sends workspace policies it has no
// right to: its own (it is no admin), an admin's older version again, an
// admin's version with its bytes changed, and one sealed in the admin's
// name but signed with its own key; by gossip and in sync answers. Every
// node keeps the admins' policy.
func TestS26Policy(t *testing.T) {
	r := scenario(t, "S26", "a policy signed by a non-admin, an older policy replayed, a tampered policy",
		"refused by every node; the current policy stays enforced")
	l := lab(t, 4)
	ds, code := fleet.PrivateOffice(t, l, []string{"Ann", "Bob", "Cat"})
	ann := ds[0]
	inv, err := hcrypto.ParseInvite(code)
	if err != nil || inv.Room == "" {
		t.Fatalf("invite %v: %v", inv, err)
	}
	room, key := inv.Room, hcrypto.WorkspaceRoomKey(inv.Key, inv.Room)
	ctx, cancel := context.WithTimeout(context.Background(), deadline(3*time.Minute, 10*time.Minute))
	defer cancel()

	adv := hostile(t, l.Host(4), inv.Key.PSK())
	var replay atomic.Pointer[[][]byte] // what its sync answers carry
	served := adv.ServeSync(func(peer.ID, p2p.SyncRequest) [][]byte {
		var out [][]byte
		if p := replay.Load(); p != nil {
			for _, raw := range *p {
				out = append(out, adversary.Frame(raw))
			}
		}
		return out
	})
	victims := infiltrate(t, adv, ds)
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}
	publish := func(raw []byte) {
		t.Helper()
		if err := adv.Publish(ctx, room, raw); err != nil {
			t.Fatal(err)
		}
	}
	seq := uint64(0)
	op := func(o hcrypto.MemberOp) []byte {
		t.Helper()
		seq++
		env, err := adv.MemberOp(key, room, seq, o)
		if err != nil {
			t.Fatal(err)
		}
		return env.Marshal()
	}
	// It joins the workspace room as every key holder does.
	publish(op(hcrypto.MemberOp{Kind: hcrypto.BodyJoin}))
	for _, d := range ds {
		d.WaitFor("Mallory in the workspace's log", 60*time.Second, func() bool {
			return len(fleet.Decode[[]chat.RoomMember](t, d.CLI("admin", "list", "--json"))) == len(ds)+1
		})
	}

	ann.CLI("policy", "set", "files.blocked", ".exe")
	v1 := capturedPolicy(ctx, t, adv, room, key, 1)
	ann.CLI("policy", "set", "files.max_size", "10M")
	v2 := capturedPolicy(ctx, t, adv, room, key, 2)
	waitVersion(t, ds, 2)

	lax := policy.Document{Version: 99}.Marshal()
	own := op(hcrypto.MemberOp{Kind: hcrypto.BodyPolicy, Payload: lax})
	tampered := append([]byte(nil), v2...)
	tampered[len(tampered)-40] ^= 1
	annID, _ := peer.Decode(ann.ID())
	body := hcrypto.RoomBody{Kind: hcrypto.BodyPolicy, Name: "Ann", SentAt: time.Now().UnixMilli(),
		Text: string(hcrypto.MemberOp{Kind: hcrypto.BodyPolicy, Payload: policy.Document{Version: 100}.Marshal()}.Marshal())}
	inAnnsName, err := hcrypto.SealEnvelope(key, 0, adv.Key, room, []byte(adv.ID()), 50, uint64(time.Now().UnixMilli())<<16, body.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	inAnnsName.Author = []byte(annID) // signed with its own key all the same
	if inAnnsName.Sig, err = adv.Key.Sign(inAnnsName.SignedBytes()); err != nil {
		t.Fatal(err)
	}
	sent := map[string][]byte{"its own": own, "the older version": v1, "a tampered version": tampered, "one in the admin's name": inAnnsName.Marshal()}
	// A node stops reading a sync answer at its first envelope that fails
	// its checks, the rest coming from a peer shown hostile: those two
	// (the tampered one, the one in the admin's name) go last, so that the
	// others reach every node by sync too, whatever gossip did with them.
	var all [][]byte
	for _, what := range []string{"its own", "the older version", "a tampered version", "one in the admin's name"} {
		publish(sent[what])
		all = append(all, sent[what])
	}
	replay.Store(&all)
	// A fresh connection makes each node sync with it too.
	for _, v := range victims {
		adv.Host.Network().ClosePeer(v)
	}
	infiltrate(t, adv, ds)

	// A canary: once the admin's next version is in force everywhere,
	// what came before had its chance.
	ann.CLI("policy", "set", "files.max_size", "20M")
	waitVersion(t, ds, 3)
	for _, d := range ds {
		p := fleet.Decode[chat.Policy](t, d.CLI("policy", "show", "--json"))
		var doc policy.Document
		if err := json.Unmarshal(p.Document, &doc); err != nil {
			t.Fatal(err)
		}
		if p.Version != 3 || p.SetBy != ann.ID() || doc.Files.MaxSize != 20<<20 || len(doc.Files.Blocked) != 1 {
			t.Fatalf("%s enforces %+v (%s)", d.Name, doc, p.SetBy)
		}
		for _, h := range fleet.Decode[[]chat.Policy](t, d.CLI("policy", "history", "--json")) {
			if h.SetBy != ann.ID() || h.Version > 3 {
				t.Fatalf("%s took version %d set by %s", d.Name, h.Version, h.SetBy)
			}
		}
	}
	// An auditor with nothing but a member's export finds the same: the
	// forged policy that was stored is listed as refused, and why.
	// The canary says the admin's versions arrived, not that every forged
	// operation did (gossip keeps no order between authors, and sync may
	// bring one later): the audit is read once the member holds its own.
	rec := filepath.Join(t.TempDir(), "records.json")
	var rep archive.Report
	ds[1].WaitFor("the member's own policy in the export", 60*time.Second, func() bool {
		ds[1].CLI("export", "--out", rec)
		rep = fleet.Decode[archive.Report](t, ds[1].CLI("verify-export", rec, "--json"))
		for _, l := range rep.Logs {
			for _, op := range l.Refused {
				if l.Workspace && op.Author == adv.ID().String() && strings.Contains(op.Reason, "admin") {
					return true
				}
			}
		}
		return false
	})
	audited := false
	for _, l := range rep.Logs {
		if !l.Workspace {
			continue
		}
		audited = l.Replayed && l.Policy == 3 && l.Members[ann.ID()] == "owner"
		refused := map[string]string{}
		for _, op := range l.Refused {
			refused[op.Author] = op.Reason
		}
		if !strings.Contains(refused[adv.ID().String()], "admin") {
			t.Fatalf("the export's audit did not refuse the member's own policy: %+v", l)
		}
	}
	if !audited {
		t.Fatalf("the export's audit of the workspace log: %+v", rep.Logs)
	}
	r.measure(t, "%d forged policies (%s), by gossip and in %d sync answers: 0 taken on %d nodes; version 3 of the admin in force everywhere",
		len(sent), keysOf(sent), served.Load(), len(ds))
}

// capturedPolicy is the envelope of policy version v, as the adversary
// captured it in the workspace room.
func capturedPolicy(ctx context.Context, t *testing.T, adv *adversary.Peer, room string, key hcrypto.RoomKey, v uint64) []byte {
	t.Helper()
	for n := 1; ; n++ {
		msgs, err := adv.WaitCaptured(ctx, room, n)
		if err != nil {
			t.Fatalf("policy version %d never reached the adversary: %v", v, err)
		}
		for _, m := range msgs {
			env, err := hcrypto.UnmarshalEnvelope(m.Data)
			if err != nil {
				continue
			}
			plain, err := env.Open(key)
			if err != nil {
				continue
			}
			b, err := hcrypto.UnmarshalRoomBody(plain)
			if err != nil || b.Kind != hcrypto.BodyPolicy {
				continue
			}
			o, err := hcrypto.UnmarshalMemberOp(b.Kind, []byte(b.Text))
			if err != nil {
				continue
			}
			if doc, err := policy.Parse(o.Payload); err == nil && doc.Version == v {
				return m.Data
			}
		}
	}
}

func waitVersion(t *testing.T, ds []*fleet.Daemon, v uint64) {
	t.Helper()
	for _, d := range ds {
		d.WaitFor(fmt.Sprintf("policy version %d", v), 60*time.Second, func() bool {
			return fleet.Decode[chat.Policy](t, d.CLI("policy", "show", "--json")).Version == v
		})
	}
}

func keysOf(m map[string][]byte) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
