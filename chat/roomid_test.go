package chat

import (
	"errors"
	"strings"
	"testing"
)

// Only the two forms a node makes are room ids: a peer cannot pick one
// that reads like a name.
func TestValidRoomID(t *testing.T) {
	tests := []struct {
		name             string
		id               string
		valid, invitable bool
	}{
		{name: "random id", id: "04ab3xyzkmnpqrstvw0123456w", valid: true, invitable: true},
		{name: "random id ending in 0", id: "zzzzzzzzzzzzzzzzzzzzzzzzz0", valid: true, invitable: true},
		{name: "general", id: "general-0123456789ab", valid: true},
		{name: "the word general", id: "general"},
		{name: "a name", id: "project"},
		{name: "general with upper-case hex", id: "general-0123456789AB"},
		{name: "general too short", id: "general-0123456789a"},
		{name: "general not hex", id: "general-0123456789ag"},
		{name: "fill bits set", id: "04ab3xyzkmnpqrstvw0123456z"},
		{name: "25 characters", id: "04ab3xyzkmnpqrstvw0123456"},
		{name: "27 characters", id: "04ab3xyzkmnpqrstvw012345600"},
		{name: "letter outside the alphabet", id: "04ab3xyzkmnpqrstvw012345u0"},
		{name: "upper case", id: "04AB3XYZKMNPQRSTVW0123456W"},
		{name: "single character", id: "a"},
		{name: "64 bytes", id: strings.Repeat("a", 64)},
		{name: "empty", id: ""},
		{name: "space", id: "my room"},
		{name: "zero byte", id: "04ab3xyzkmnpqrstvw012345\x000"},
		{name: "non-ASCII", id: "café"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidRoomID(tc.id); got != tc.valid {
				t.Errorf("ValidRoomID(%q) = %v, want %v", tc.id, got, tc.valid)
			}
			err := CheckInvitedRoomID(tc.id)
			if (err == nil) != tc.invitable {
				t.Errorf("CheckInvitedRoomID(%q) = %v, want invitable %v", tc.id, err, tc.invitable)
			}
			if err != nil && !errors.Is(err, ErrBadRoomID) {
				t.Errorf("CheckInvitedRoomID(%q) = %v, want ErrBadRoomID", tc.id, err)
			}
		})
	}
}

func TestIsRoomRef(t *testing.T) {
	for ref, want := range map[string]bool{
		"#general": true, " #x": true, "room:04ab3xyzkmnpqrstvw0123456w": true,
		"general": false, "Bob": false, "dm:12D3KooW": false, "": false,
	} {
		if got := IsRoomRef(ref); got != want {
			t.Errorf("IsRoomRef(%q) = %v, want %v", ref, got, want)
		}
	}
}
