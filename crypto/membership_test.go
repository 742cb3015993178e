package crypto

import (
	"bytes"
	"strings"
	"testing"

	"hallway/chat"
)

func sampleOps() []MemberOp {
	a, b := OpHash{1}, OpHash{2}
	target := bytes.Repeat([]byte{7}, 38)
	return []MemberOp{
		{Kind: BodyCreate, Target: bytes.Repeat([]byte{3}, 16)},
		{Kind: BodyAdd, Target: target, Parents: []OpHash{a}},
		{Kind: BodyAdd, Parents: []OpHash{a, b}},
		{Kind: BodyJoin, Parents: []OpHash{b}},
		{Kind: BodyLeave, Parents: []OpHash{a}},
		{Kind: BodyRemove, Target: target, Cutoff: 300, Parents: []OpHash{a, b}},
		{Kind: BodyRole, Target: target, Role: RoleAdmin, Parents: []OpHash{b}},
		{Kind: BodyRole, Target: target, Role: RoleMember, Parents: []OpHash{b}},
	}
}

func TestMemberOpRoundTrip(t *testing.T) {
	for _, o := range sampleOps() {
		if err := o.Validate(); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		got, err := UnmarshalMemberOp(o.Kind, o.Marshal())
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if !bytes.Equal(got.Marshal(), o.Marshal()) {
			t.Fatalf("round trip of %+v gave %+v", o, got)
		}
		// Carried in a room body of its kind.
		body := RoomBody{Kind: o.Kind, SentAt: 1, Text: string(o.Marshal())}
		if _, err := UnmarshalRoomBody(body.Marshal()); err != nil {
			t.Fatalf("body with %+v: %v", o, err)
		}
	}
}

func TestMemberOpRejects(t *testing.T) {
	target := bytes.Repeat([]byte{7}, 38)
	many := make([]OpHash, MaxOpParents+1)
	for i := range many {
		many[i][0] = byte(i + 1)
	}
	tests := []struct {
		name string
		op   MemberOp
		want string
	}{
		{"remove without target", MemberOp{Kind: BodyRemove}, "no target"},
		{"join with target", MemberOp{Kind: BodyJoin, Target: target}, "names no target"},
		{"owner granted", MemberOp{Kind: BodyRole, Target: target, Role: RoleOwner}, "cannot be granted"},
		{"role on add", MemberOp{Kind: BodyAdd, Target: target, Role: RoleAdmin}, "only a role change"},
		{"cutoff on join", MemberOp{Kind: BodyJoin, Cutoff: 3}, "only a removal"},
		{"create without seed", MemberOp{Kind: BodyCreate}, "seed"},
		{"create with parents", MemberOp{Kind: BodyCreate, Target: bytes.Repeat([]byte{3}, 16), Parents: []OpHash{{1}}}, "no parents"},
		{"unsorted parents", MemberOp{Kind: BodyJoin, Parents: []OpHash{{2}, {1}}}, "strictly increasing"},
		{"repeated parent", MemberOp{Kind: BodyJoin, Parents: []OpHash{{1}, {1}}}, "strictly increasing"},
		{"too many parents", MemberOp{Kind: BodyJoin, Parents: many}, "exceed"},
		{"text kind", MemberOp{Kind: BodyText}, "not a membership kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := UnmarshalMemberOp(tc.op.Kind, tc.op.Marshal())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	ok := sampleOps()[1].Marshal()
	if _, err := UnmarshalMemberOp(BodyRemove, ok); err == nil {
		t.Fatal("an add decoded as a removal")
	}
	if _, err := UnmarshalMemberOp(BodyAdd, append(ok, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	if _, err := UnmarshalMemberOp(BodyAdd, ok[:len(ok)-1]); err == nil {
		t.Fatal("truncated op accepted")
	}
}

func FuzzUnmarshalMemberOp(f *testing.F) {
	for _, o := range sampleOps() {
		f.Add(byte(o.Kind), o.Marshal())
	}
	f.Add(byte(BodyJoin), []byte{})
	f.Add(byte(BodyAdd), []byte{1, 6, 0x80, 0x80, 0x04})
	f.Add(byte(BodyAdd), MemberOp{Kind: BodyAdd, Target: []byte("12D3KooWtarget"), Payload: Statement{Name: "Dana", Expires: 1}.Marshal()}.Marshal())
	f.Fuzz(func(t *testing.T, k byte, p []byte) {
		o, err := UnmarshalMemberOp(BodyKind(k), p)
		if err != nil {
			return
		}
		if !bytes.Equal(o.Marshal(), p) {
			t.Fatal("re-encoding a decoded op changes its bytes")
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("decoded op does not validate: %v", err)
		}
	})
}

func TestOwnedRoomID(t *testing.T) {
	id, seed, err := NewOwnedRoomID([]byte("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chat.CheckInvitedRoomID(id); err != nil {
		t.Fatalf("owned room id %q: %v", id, err)
	}
	if OwnedRoomID([]byte("alice"), seed) != id || OwnedRoomID([]byte("mallory"), seed) == id {
		t.Fatal("the id does not bind its owner")
	}
}

// An admin's add of a colleague may carry a membership statement; a code's
// authorisation carries none, and a statement is read in its one encoding.
func TestAddCarriesAStatement(t *testing.T) {
	target := []byte("12D3KooWtarget")
	st := Statement{Name: "Dana (contractor)", Expires: 1_900_000_000_000}
	o := MemberOp{Kind: BodyAdd, Target: target, Payload: st.Marshal(), Parents: []OpHash{{7}}}
	back, err := UnmarshalMemberOp(BodyAdd, o.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseStatement(back.Payload)
	if err != nil || got != st {
		t.Fatalf("statement %+v, %v; want %+v", got, err, st)
	}
	for name, bad := range map[string]MemberOp{
		"statement on a code's authorisation": {Kind: BodyAdd, Payload: st.Marshal()},
		"statement that does not parse":       {Kind: BodyAdd, Target: target, Payload: []byte{0x80}},
		"name too long":                       {Kind: BodyAdd, Target: target, Payload: Statement{Name: strings.Repeat("x", MaxStatementName+1)}.Marshal()},
	} {
		if _, err := UnmarshalMemberOp(BodyAdd, bad.Marshal()); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := ParseStatement(append(st.Marshal(), 0)); err == nil {
		t.Error("a statement with a trailing byte accepted")
	}
}
