package crypto

import (
	"strings"
	"testing"
)

// A rotated workspace's codes carry both keys; one whose network key is
// still the workspace key is written as before.
func TestRotatedCodesCarryTheNetworkKey(t *testing.T) {
	k := randomWorkspaceKey(t)
	room, _, err := NewOwnedRoomID([]byte("creator"))
	if err != nil {
		t.Fatal(err)
	}
	net := NetworkKeyFrom(RoomKey(randomWorkspaceKey(t)), 7)
	if net.Key == k {
		t.Fatal("the derived network key is the workspace key")
	}
	code, err := Invite{Key: k, Room: room, Network: &net}.Code()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(code, "HW4-") {
		t.Fatalf("code %q, want HW4-", code)
	}
	got, err := ParseInvite(strings.ToLower(code))
	if err != nil || got.Key != k || got.Room != room || got.NetworkKey() != net.Key || *got.Network != net {
		t.Fatalf("parsed %+v, %v", got, err)
	}
	b := []byte(code)
	b[len(b)-2] ^= 1
	if _, err := ParseInvite(string(b)); err == nil {
		t.Fatal("a rotated code with a typo parsed")
	}
	if c, _ := (Invite{Key: k, Room: room, Network: &NetworkKey{Key: k}}).Code(); !strings.HasPrefix(c, "HW2-") {
		t.Fatalf("an unrotated network key wrote %q", c)
	}
	if (Invite{Key: k}).NetworkKey() != k {
		t.Fatal("without a rotation the network key is the workspace key")
	}

	pc := PassCode{Invite: Invite{Key: k, Room: room, Network: &net}, Seed: [32]byte{7}}
	pcode, err := pc.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pcode, "HW5-") || !IsPassCode(pcode) {
		t.Fatalf("pass code %q, want HW5- read as a pass", pcode)
	}
	gp, err := ParsePassCode(pcode)
	if err != nil || gp.Key != k || gp.Room != room || gp.Seed != pc.Seed || gp.NetworkKey() != net.Key || *gp.Network != net {
		t.Fatalf("parsed pass %+v, %v", gp, err)
	}
	if _, err := ParseInvite(pcode); err == nil {
		t.Fatal("a pass code parsed as an invite")
	}
}

// The network key depends on every bit of the epoch key it derives from.
func TestNetworkKeyFromEpochKey(t *testing.T) {
	a := RoomKey(randomWorkspaceKey(t))
	b := a
	b[31] ^= 1
	if NetworkKeyFrom(a, 1) != NetworkKeyFrom(a, 1) || NetworkKeyFrom(a, 1).Key == NetworkKeyFrom(b, 1).Key {
		t.Fatal("the network key is not a function of the epoch key alone")
	}
}
