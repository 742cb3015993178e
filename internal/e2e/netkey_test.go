package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/policy"
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
	ann.CLI("workspace", "revoke", dan.ID())
	for _, d := range []*fleet.Daemon{ann, bob} {
		d.WaitFor("Dan shut out", 60*time.Second, func() bool { return !d.Online(dan.ID()) })
	}

	start := time.Now()
	rotated := fleet.Decode[chat.NetworkKeyState](t, ann.CLI("workspace", "rotate-key", "--json"))
	if !rotated.Rotated || rotated.Tag == before.Tag || rotated.Epoch == 0 {
		t.Fatalf("the rotation answered %+v", rotated)
	}
	ann.WaitThroughRestarts("Ann and Bob on the new key, connected", 60*time.Second, func() bool {
		return onlineWith(ann, rotated.Tag, bobID) && onlineWith(bob, rotated.Tag, annID)
	})
	t.Logf("rotated: the members online run on the new key and reconnected %v after the rotation", time.Since(start).Round(time.Millisecond))
	if st, _ := networkKeyOf(bob); len(st.GraceUntil) != 1 {
		t.Fatalf("Bob keeps no old key to hand over: %+v", st)
	}
	_, doc := policyOf(t, bob)
	if doc.NetworkEpoch != rotated.Epoch || doc.NetworkBy != annID {
		t.Fatalf("Bob's policy names rotation %d by %s", doc.NetworkEpoch, doc.NetworkBy)
	}

	// Cat comes back on the old key and is handed the new one.
	back := time.Now()
	cat.Start()
	cat.WaitThroughRestarts("Cat on the new key, connected to Ann and Bob", 90*time.Second, func() bool {
		return onlineWith(cat, rotated.Tag, annID, bobID)
	})
	t.Logf("away: Cat came back on the old key and runs on the new one, connected, %v after her start", time.Since(back).Round(time.Millisecond))
	cat.CLI("send", "#general", "back from leave")
	bob.WaitFor("Cat's post", 60*time.Second, func() bool {
		_, ok := messageByText(bob.History("#general"), "back from leave")
		return ok
	})

	// Dan kept the workspace key, the old network key and his identity:
	// nobody connects to him, and he is handed nothing.
	dan.Stop()
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
