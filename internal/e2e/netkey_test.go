package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/p2p"
	"hallway/policy"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// networkKeyOf is the network key d runs on; ok is false while d
// restarts on a new one (its control API answers that it is switching).
func networkKeyOf(d *fleet.Daemon) (chat.NetworkKeyState, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := d.Client().NetworkKeyState(ctx)
	return st, err == nil
}

// onlineWith reports whether d runs on the network key tag and has a live
// connection to every one of ids, false while it restarts.
func onlineWith(d *fleet.Daemon, tag string, ids ...string) bool {
	if st, ok := networkKeyOf(d); !ok || st.Tag != tag {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ps, err := d.Client().Peers(ctx)
	if err != nil {
		return false
	}
	for _, id := range ids {
		if !slices.ContainsFunc(ps, func(c chat.Colleague) bool { return c.PeerID == id && c.Online }) {
			return false
		}
	}
	return true
}

// An admin revokes Dan and rotates the network key while Cat is away:
// Ann and Bob restart on the new key and reconnect; Cat, back on the old
// key, is handed the new one and rejoins; Dan, who kept every old key, is
// handed nothing and reaches nobody. A code made after the rotation
// carries the new key.
func TestNetworkKeyRotation(t *testing.T) {
	lab := netlab.New(t, 5)
	ds, oldCode := fleet.PrivateOffice(t, lab, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, bob, cat, dan := ds[0], ds[1], ds[2], ds[3]
	// Ids are read now: a daemon's API answers nothing while it restarts.
	annID, bobID, danID := ann.ID(), bob.ID(), dan.ID()
	for _, d := range ds {
		d.WaitFor("every member in the workspace's log", 60*time.Second, func() bool {
			return len(fleet.Decode[[]chat.RoomMember](t, d.CLI("admin", "list", "--json"))) == len(ds)
		})
	}
	before, _ := networkKeyOf(ann)
	if before.Rotated || before.Tag == "" {
		t.Fatalf("a new workspace runs on %+v", before)
	}
	if _, err := ann.CLIErr("workspace", "rotate-key"); err == nil || !strings.Contains(err.Error(), "admits members by admins") {
		t.Fatalf("a rotation while anyone with the key may come back: %v", err)
	}
	ann.CLI("policy", "set", "members.admission", "admins")
	for _, d := range ds {
		d.WaitFor("admission by admins in force", 60*time.Second, func() bool {
			_, doc := policyOf(t, d)
			return doc.AdmitsByAdmins()
		})
	}
	if _, err := bob.CLIErr("workspace", "rotate-key"); err == nil || !strings.Contains(err.Error(), "only a workspace admin") {
		t.Fatalf("a member rotated the network key: %v", err)
	}
	cat.Stop() // away during the rotation
	start := time.Now()
	res := fleet.Decode[struct {
		Revoked    string                `json:"revoked"`
		NetworkKey *chat.NetworkKeyState `json:"network_key"`
	}](t, ann.CLI("workspace", "revoke", danID, "--rotate-key", "--json"))
	rotated := res.NetworkKey
	if res.Revoked != danID || rotated == nil || !rotated.Rotated || rotated.Tag == before.Tag || rotated.Epoch == 0 {
		t.Fatalf("the revocation and rotation answered %+v", res)
	}
	ann.WaitThroughRestarts("Ann and Bob on the new key, connected", 60*time.Second, func() bool {
		return onlineWith(ann, rotated.Tag, bobID) && onlineWith(bob, rotated.Tag, annID)
	})
	t.Logf("rotated: the members online run on the new key and reconnected %v after the rotation", time.Since(start).Round(time.Millisecond))
	for _, d := range []*fleet.Daemon{ann, bob} {
		if d.Online(danID) {
			t.Fatalf("%s still connects to the revoked member", d.Name)
		}
	}
	if st, _ := networkKeyOf(bob); len(st.GraceUntil) != 1 {
		t.Fatalf("Bob keeps no old key to hand over: %+v", st)
	}
	_, doc := policyOf(t, bob)
	if doc.NetworkEpoch != rotated.Epoch || doc.NetworkBy != annID {
		t.Fatalf("Bob's policy names rotation %d by %s", doc.NetworkEpoch, doc.NetworkBy)
	}

	// Cat comes back on the old key while Ann and Bob are away too. Dan,
	// revoked while she was away (her log still counts him), keeps his
	// identity and the old key, and forges handovers: none moves her.
	ann.Stop()
	bob.Stop()
	dan.Stop()
	cat.Start()
	forgeHandovers(t, lab, dan, cat, doc)
	if st, ok := networkKeyOf(cat); !ok || st.Tag != before.Tag {
		t.Fatalf("forged handovers moved Cat to %+v", st)
	}
	// Ann and Bob back: Cat is handed the new key.
	back := time.Now()
	ann.Start()
	bob.Start()
	cat.WaitThroughRestarts("Cat on the new key, connected to Ann and Bob", 90*time.Second, func() bool {
		return onlineWith(cat, rotated.Tag, annID, bobID)
	})
	t.Logf("away: Cat, back on the old key, runs on the new one, connected, %v after Ann and Bob started", time.Since(back).Round(time.Millisecond))
	cat.CLI("send", "#general", "back from leave")
	bob.WaitFor("Cat's post", 60*time.Second, func() bool {
		_, ok := messageByText(bob.History("#general"), "back from leave")
		return ok
	})

	// Dan kept the workspace key, the old network key and his identity:
	// nobody connects to him, and he is handed nothing.
	dan.Start()
	dan.CLI("send", "#general", "let me back in")
	ann.CLI("send", "#general", "after the rotation")
	cat.WaitFor("Ann's post", 60*time.Second, func() bool {
		_, ok := messageByText(cat.History("#general"), "after the rotation")
		return ok
	})
	if st, _ := networkKeyOf(dan); st.Tag != before.Tag {
		t.Fatalf("the revoked member moved to network key %s", st.Tag)
	}
	for _, d := range []*fleet.Daemon{ann, bob, cat} {
		if d.Online(danID) {
			t.Fatalf("%s connects to the revoked member", d.Name)
		}
		if _, ok := messageByText(d.History("#general"), "let me back in"); ok {
			t.Fatalf("%s took the revoked member's post", d.Name)
		}
	}

	// A code made now carries the new network key; with an admin's
	// admission the newcomer is in.
	code := fleet.Decode[map[string]any](t, ann.CLI("workspace", "invite", "--json"))["invite_code"].(string)
	if !strings.HasPrefix(code, "HW4-") || code == oldCode {
		t.Fatalf("a code made after the rotation: %.8s", code)
	}
	eve := fleet.New(t, lab.Host(5), "Eve")
	eve.CLI("workspace", "join", code)
	eve.Start()
	ann.CLI("workspace", "admit", eve.ID())
	eve.WaitThroughRestarts("Eve on the new key, connected to Ann", 90*time.Second, func() bool {
		return onlineWith(eve, rotated.Tag, annID)
	})
	var got policy.Document
	eve.WaitFor("the rotation in Eve's log", 60*time.Second, func() bool {
		p := fleet.Decode[chat.Policy](t, eve.CLI("policy", "show", "--json"))
		return json.Unmarshal(p.Document, &got) == nil && got.NetworkEpoch == rotated.Epoch
	})
}

// forgeHandovers has the revoked member's identity, on the old network
// key, hand the away member three forged rotations over the real
// protocol; each must be refused.
func forgeHandovers(t *testing.T, lab *netlab.Lab, dan, cat *fleet.Daemon, doc policy.Document) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	key, _, err := hcrypto.LoadOrCreateIdentity(filepath.Join(dan.Dir, "identity.key"))
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := hcrypto.LoadWorkspaceKey(filepath.Join(dan.Dir, "swarm.key"))
	if err != nil {
		t.Fatal(err)
	}
	h := lab.Host(4)
	mal, err := adversary.New(adversary.Config{NS: h, IP: h.IP, PSK: old.PSK(), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer mal.Close()
	id, err := mal.Connect(ctx, cat.Self().Addrs[0])
	if err != nil {
		t.Fatalf("the revoked member cannot reach the member away (her log still counts him): %v", err)
	}
	var made hcrypto.RoomKey
	rand.Read(made[:])
	room := workspaceRoomOf(t, cat)
	danID, _ := peer.IDFromPrivateKey(key)
	for name, ho := range map[string]p2p.NetKeyHandover{
		"signed by himself": {Room: room, Epoch: doc.NetworkEpoch + 1, Key: made[:], By: danID.String(),
			Sig: mustSign(t, key, room, doc.NetworkEpoch+1, made)},
		"in the admin's name": {Room: room, Epoch: doc.NetworkEpoch + 1, Key: made[:], By: doc.NetworkBy,
			Sig: mustSign(t, key, room, doc.NetworkEpoch+1, made)},
		"the admin's signature over his own key": {Room: room, Epoch: doc.NetworkEpoch, Key: made[:], By: doc.NetworkBy,
			Sig: doc.NetworkSig},
	} {
		b, err := json.Marshal(ho)
		if err != nil {
			t.Fatal(err)
		}
		out := mal.Send(ctx, id, p2p.ProtoNetKey, adversary.Frame(b), 10*time.Second)
		frames, _ := adversary.ReadFrames(bytes.NewReader(out.Reply), 255)
		if len(frames) == 1 && string(frames[0]) == "ok" {
			t.Fatalf("the member away took a handover %s", name)
		}
		t.Logf("forged handover %s: %s %q", name, out, frames)
	}
}

func mustSign(t *testing.T, key ic.PrivKey, room string, epoch uint64, k hcrypto.RoomKey) []byte {
	t.Helper()
	sig, err := key.Sign(hcrypto.RotationMessage(room, epoch, k.Commitment()))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// workspaceRoomOf is the id of d's workspace room, from its data folder.
func workspaceRoomOf(t *testing.T, d *fleet.Daemon) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(d.Dir, "workspace.room"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if id, ok := strings.CutPrefix(l, "id "); ok {
			return id
		}
	}
	t.Fatal("no workspace room id")
	return ""
}
