package crypto

import (
	"strings"
	"testing"
)

func TestInviteWithWorkspaceRoomRoundTrips(t *testing.T) {
	k := randomWorkspaceKey(t)
	room, _, err := NewOwnedRoomID([]byte("creator"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := Invite{Key: k, Room: room}.Code()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(code, "HW2-") {
		t.Fatalf("code %q, want HW2-", code)
	}
	got, err := ParseInvite(strings.ToLower(strings.ReplaceAll(code, "-", " ")))
	if err != nil || got.Key != k || got.Room != room {
		t.Fatalf("parsed %v, %v; want the key and room %s", got.Room, err, room)
	}
	// One symbol off is a typo, never another workspace.
	b := []byte(code)
	i := len(b) - 3
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	if _, err := ParseInvite(string(b)); err == nil {
		t.Fatal("a code with a typo parsed")
	}
	// A code from before admins reads as a workspace without a room.
	old, err := ParseInvite(k.InviteCode())
	if err != nil || old.Key != k || old.Room != "" {
		t.Fatalf("HW1 code: %v, %v", old, err)
	}
	if _, err := (Invite{Key: k, Room: "not-a-room"}).Code(); err == nil {
		t.Fatal("an invite with a bad room id encoded")
	}
}

func FuzzParseInvite(f *testing.F) {
	k := testWorkspaceKey()
	room := OwnedRoomID([]byte("creator"), make([]byte, roomIDRandomBytes))
	code, _ := Invite{Key: k, Room: room}.Code()
	f.Add(code)
	f.Add(k.InviteCode())
	f.Add("HW2-")
	net := NetworkKey{Key: testWorkspaceKey(), Epoch: 3}
	net.Key[0] ^= 1
	rotated, _ := Invite{Key: k, Room: room, Network: &net}.Code()
	f.Add(rotated)
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseInvite(s)
		if err != nil {
			return
		}
		again, err := v.Code()
		if err != nil {
			t.Fatalf("a parsed invite does not encode: %v", err)
		}
		if w, err := ParseInvite(again); err != nil || w.Key != v.Key || w.Room != v.Room || w.NetworkKey() != v.NetworkKey() {
			t.Fatalf("re-encoded invite parses to %v, %v", w, err)
		}
	})
}

func TestPolicyOperationWire(t *testing.T) {
	doc := []byte(`{"version":1}`)
	o := MemberOp{Kind: BodyPolicy, Payload: doc, Parents: []OpHash{{1}}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalMemberOp(BodyPolicy, o.Marshal())
	if err != nil || string(got.Payload) != string(doc) || len(got.Parents) != 1 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for name, bad := range map[string]MemberOp{
		"empty document":       {Kind: BodyPolicy},
		"a target":             {Kind: BodyPolicy, Payload: doc, Target: []byte("x")},
		"a document elsewhere": {Kind: BodyRole, Target: []byte("x"), Role: RoleAdmin, Payload: doc},
		"too large":            {Kind: BodyPolicy, Payload: make([]byte, MaxPolicyBytes+1)},
		"a short ack":          {Kind: BodyAck, Payload: make([]byte, 31)},
		"an ack with a target": {Kind: BodyAck, Payload: make([]byte, 32), Target: []byte("x")},
	} {
		if bad.Validate() == nil {
			t.Errorf("%s: valid", name)
		}
	}
	// A role change followed by a document is trailing bytes.
	role := MemberOp{Kind: BodyRole, Target: []byte("x"), Role: RoleAdmin}.Marshal()
	if _, err := UnmarshalMemberOp(BodyRole, append(role, 1, 'x')); err == nil {
		t.Fatal("a role change with a document parsed")
	}
}

func TestAckOperationWire(t *testing.T) {
	o := MemberOp{Kind: BodyAck, Payload: make([]byte, 32)}
	o.Payload[0] = 7
	got, err := UnmarshalMemberOp(BodyAck, o.Marshal())
	if err != nil || got.Payload[0] != 7 || len(got.Payload) != 32 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
}
