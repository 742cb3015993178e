package chat

import (
	"strings"
	"testing"
)

// The forms of each kind as peers and databases hold them; they never change.
func TestKindTable(t *testing.T) {
	tests := []struct {
		kind   Kind
		name   string
		dm     string
		hasDM  bool
		body   byte
		inRoom bool
	}{
		{kind: KindText, name: "text", dm: "", hasDM: true, body: 1, inRoom: true},
		{kind: KindJoin, name: "join", body: 2, inRoom: true},
		{kind: KindLeave, name: "leave", body: 3, inRoom: true},
		{kind: KindInvite, name: "invite", dm: "invite", hasDM: true},
		{kind: KindFile, name: "file", dm: "file", hasDM: true, body: 4, inRoom: true},
		{kind: KindFileStatus, name: "file_status", dm: "file_status", hasDM: true},
		{kind: KindCreate, name: "create", body: 5, inRoom: true},
		{kind: KindAdd, name: "add", body: 6, inRoom: true},
		{kind: KindRemove, name: "remove", body: 7, inRoom: true},
		{kind: KindRole, name: "role", body: 8, inRoom: true},
		{kind: KindRoomKey, name: "room_key", dm: "room_key", hasDM: true},
		{kind: KindCodeIssued, name: "code_issued", body: 12, inRoom: true},
		{kind: KindCodeRevoked, name: "code_revoked", body: 13, inRoom: true},
		{kind: KindPolicy, name: "policy", body: 14, inRoom: true},
		{kind: KindAck, name: "ack", body: 15, inRoom: true},
		{kind: KindReply, name: "reply", dm: "reply", hasDM: true, body: 16, inRoom: true},
		{kind: KindEdit, name: "edit", dm: "edit", hasDM: true, body: 17, inRoom: true},
		{kind: KindDelete, name: "delete", dm: "delete", hasDM: true, body: 18, inRoom: true},
		{kind: KindReact, name: "react", dm: "react", hasDM: true, body: 19, inRoom: true},
		{kind: KindUnreact, name: "unreact", dm: "unreact", hasDM: true, body: 20, inRoom: true},
		{kind: KindRead, name: "read", dm: "read", hasDM: true},
	}
	if len(tests) != len(Kinds()) {
		t.Fatalf("%d kinds, the test knows %d", len(Kinds()), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if Kinds()[i] != tc.kind || tc.kind.String() != tc.name || !tc.kind.Valid() {
				t.Fatalf("kind %d is %q", i, Kinds()[i])
			}
			if k, err := ParseKind(tc.name); err != nil || k != tc.kind {
				t.Errorf("ParseKind(%q) = %q, %v", tc.name, k, err)
			}
			dm, ok := tc.kind.DM()
			if dm != tc.dm || ok != tc.hasDM {
				t.Errorf("DM() = %q, %v; want %q, %v", dm, ok, tc.dm, tc.hasDM)
			}
			if ok {
				if k, ok := KindFromDM(dm); !ok || k != tc.kind {
					t.Errorf("KindFromDM(%q) = %q, %v", dm, k, ok)
				}
			}
			b, ok := tc.kind.Body()
			if b != tc.body || ok != tc.inRoom {
				t.Errorf("Body() = %d, %v; want %d, %v", b, ok, tc.body, tc.inRoom)
			}
			if ok {
				if k, ok := KindFromBody(b); !ok || k != tc.kind {
					t.Errorf("KindFromBody(%d) = %q, %v", b, k, ok)
				}
			}
		})
	}
}

func TestUnknownKinds(t *testing.T) {
	if k, err := ParseKind(""); err != nil || k != KindText {
		t.Errorf(`ParseKind("") = %q, %v; want text`, k, err)
	}
	for _, s := range []string{"poll", "Text", " text", "text\x00", "join ", strings.Repeat("x", 1<<16)} {
		if k, err := ParseKind(s); err == nil {
			t.Errorf("ParseKind(%.20q) = %q, want an error", s, k)
		} else if len(err.Error()) > 200 {
			t.Errorf("ParseKind error quotes %d bytes of hostile input", len(err.Error()))
		}
		if Kind(s).Valid() {
			t.Errorf("Kind(%.20q) is valid", s)
		}
		if _, ok := Kind(s).DM(); ok {
			t.Errorf("Kind(%.20q) has a DM form", s)
		}
		if _, ok := Kind(s).Body(); ok {
			t.Errorf("Kind(%.20q) has a body form", s)
		}
	}
	for _, s := range []string{"text", "join", "leave", "poll", "INVITE"} {
		if k, ok := KindFromDM(s); ok {
			t.Errorf("KindFromDM(%q) = %q, want none", s, k)
		}
	}
	for _, b := range []byte{0, 9, 10, 0x7f, 0xff} {
		if k, ok := KindFromBody(b); ok {
			t.Errorf("KindFromBody(%d) = %q, want none", b, k)
		}
	}
}

func FuzzKindLookup(f *testing.F) {
	f.Add("text", byte(1))
	f.Add("", byte(0))
	f.Add("file_status", byte(4))
	f.Add("poll", byte(9))
	f.Fuzz(func(t *testing.T, s string, b byte) {
		if k, err := ParseKind(s); err == nil {
			if !k.Valid() || (s != "" && string(k) != s) {
				t.Fatalf("ParseKind(%q) = %q", s, k)
			}
		}
		if k, ok := KindFromDM(s); ok {
			if w, ok := k.DM(); !ok || w != s {
				t.Fatalf("KindFromDM(%q) = %q, whose DM form is %q, %v", s, k, w, ok)
			}
		}
		if k, ok := KindFromBody(b); ok {
			if w, ok := k.Body(); !ok || w != b {
				t.Fatalf("KindFromBody(%d) = %q, whose body form is %d, %v", b, k, w, ok)
			}
		}
	})
}
