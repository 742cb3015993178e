package core

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core/rooms"
	hcrypto "hallway/crypto"
	"hallway/p2p"
)

// governedWorkspace makes n data folders of one new workspace with a
// workspace room; the first made it, and is its admin.
func governedWorkspace(t *testing.T, n int) []string {
	t.Helper()
	k, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	var room string
	for i := range n {
		dir := t.TempDir()
		wr := rooms.WorkspaceRoom{ID: room}
		if i == 0 {
			if wr, err = NewWorkspaceRoom(dir); err != nil {
				t.Fatal(err)
			}
			room = wr.ID
		}
		if err := WriteWorkspaceKey(dir, k, false); err != nil {
			t.Fatal(err)
		}
		if err := WriteWorkspaceRoom(dir, wr); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// A member whose membership statement expires while connected is dropped
// by the admin's node at its next check (each minute), and refused when
// it connects again: each node's own clock decides.
func TestExpiredMembershipIsDroppedWhileConnected(t *testing.T) {
	ctx := context.Background()
	dirs := governedWorkspace(t, 2)
	var skew atomic.Int64 // how far the admin's clock is moved ahead
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	ann := startNodeWith(t, Config{DataDir: dirs[0], Name: "Ann", now: now})
	if _, err := ann.SetPolicy(ctx, "members.admission", "admins"); err != nil {
		t.Fatal(err)
	}
	bob := startNode(t, dirs[1], "Bob")
	bobID := bob.ID().String()
	if err := ann.AdmitMember(ctx, bobID, "Bob", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AddPeer(ctx, ann.addr()); err != nil {
		t.Fatal(err)
	}
	ann.waitOnline(bob, "Bob")
	defer func() {
		if t.Failed() {
			list, _ := ann.WorkspaceMembers(ctx)
			t.Logf("members at Ann: %+v", list)
		}
	}()
	ann.waitFor("Bob a member", func() bool {
		list, err := ann.WorkspaceMembers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			if m.PeerID == bobID {
				return m.Role == chat.RoleMember && !m.Expires.IsZero()
			}
		}
		return false
	})
	ann.dropUnadmitted()
	if c, _ := ann.colleague(bobID); !c.Online {
		t.Fatal("a member whose statement has not expired was dropped")
	}
	skew.Store(int64(2 * time.Hour))
	ann.dropUnadmitted()
	ann.waitFor("Bob dropped", func() bool {
		c, _ := ann.colleague(bobID)
		return !c.Online
	})
	if ann.rooms.Admits(bob.ID()) || ann.admission(bob.ID()) != p2p.Refused {
		t.Fatal("the expired member would be let in again")
	}
}
