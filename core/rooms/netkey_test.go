package rooms

import (
	"bytes"
	"context"
	"strings"
	"testing"

	hcrypto "hallway/crypto"
	"hallway/p2p"
)

// An admin's rotation names #general's new epoch in the signed policy;
// the key derives from that epoch's key. A member who was away takes the
// handover only if an admin of its own log signed it, for its workspace,
// over that very key.
func TestNetworkKeyRotationAndHandover(t *testing.T) {
	ctx := context.Background()
	room, nodes := admittingByAdmins(t, "Ann", "Bob", "Mal")
	ann, bob, mal := nodes[0], nodes[1], nodes[2]
	if _, err := bob.RotateNetworkKey(ctx); err == nil || !strings.Contains(err.Error(), "only a workspace admin") {
		t.Fatalf("a member rotated the network key: %v", err)
	}
	if _, ok := ann.NetworkKey(); ok || ann.WorkspacePolicy().NetworkEpoch != 0 {
		t.Fatal("a network key before any rotation")
	}
	epoch, err := ann.RotateNetworkKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := ann.NetworkKey()
	if !ok || k.Epoch != epoch || epoch == 0 {
		t.Fatalf("after the rotation: %+v, %v (epoch %d)", k, ok, epoch)
	}
	h, ok := ann.NetworkHandover()
	if !ok || h.Room != room || h.Epoch != epoch || h.By != ann.id.String() {
		t.Fatalf("handover %+v, %v", h, ok)
	}
	if hcrypto.NetworkKeyFrom(hcrypto.RoomKey(h.Key), h.Epoch) != k {
		t.Fatal("the handover's key derives another network key")
	}

	sign := func(n *testNode, h p2p.NetKeyHandover) p2p.NetKeyHandover {
		var err error
		h.By = n.id.String()
		if h.Sig, err = n.cfg.Identity.Sign(hcrypto.RotationMessage(h.Room, h.Epoch, hcrypto.RoomKey(h.Key).Commitment())); err != nil {
			t.Fatal(err)
		}
		return h
	}
	otherKey := h
	otherKey.Key = bytes.Clone(h.Key)
	otherKey.Key[0] ^= 1
	otherRoom := sign(ann, h)
	otherRoom.Room = strings.Repeat("0", len(room))
	for name, bad := range map[string]p2p.NetKeyHandover{
		"another key under the admin's signature": otherKey,
		"signed by a member":                      sign(bob, h),
		"signed by the revoked":                   sign(mal, h),
		"another workspace":                       otherRoom,
	} {
		if _, err := bob.TakeHandedNetworkKey(ctx, mal.id, bad); err == nil {
			t.Errorf("Bob took a handover %s", name)
		}
	}
	got, err := bob.TakeHandedNetworkKey(ctx, mal.id, h)
	if err != nil || got != k {
		t.Fatalf("Bob took %+v, %v; want Ann's network key", got, err)
	}
	if g := bob.general(); g == nil || !g.holds(epoch) {
		t.Fatal("Bob does not hold #general's key the network key derives from")
	}
}
