package core

import (
	"context"
	"testing"

	hcrypto "hallway/crypto"
)

// Only #general of an open workspace is live-only for files: any
// computer on the network can derive its key. A private workspace's
// #general and every other room keep their files shared.
func TestLiveOnlyIsOpenGeneral(t *testing.T) {
	ctx := context.Background()
	open := startNode(t, "", "Ann")
	privDir := t.TempDir()
	k, _ := hcrypto.NewWorkspaceKey()
	if err := WriteWorkspaceKey(privDir, k, false); err != nil {
		t.Fatal(err)
	}
	priv := startNode(t, privDir, "Bob")
	for _, tc := range []struct {
		n    *node
		want map[bool]bool // general → live-only
	}{{open, map[bool]bool{true: true, false: false}}, {priv, map[bool]bool{true: false, false: false}}} {
		if _, err := tc.n.CreateRoom(ctx, "ops"); err != nil {
			t.Fatal(err)
		}
		rooms, err := tc.n.Rooms(ctx)
		if err != nil || len(rooms) != 2 {
			t.Fatalf("rooms %+v, %v", rooms, err)
		}
		for _, r := range rooms {
			if got := (*transferRooms)(tc.n.Service).LiveOnly(r.ID); got != tc.want[r.General] {
				t.Errorf("%s, %s: live-only %v", tc.n.cfg.Name, r.Name, got)
			}
		}
	}
}
