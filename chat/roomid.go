package chat

import (
	"errors"
	"fmt"
	"strings"
)

// Room ids come in exactly two forms, and nothing else names a room:
//
//   - the random form a node makes when a user creates a room: 26
//     lower-case Crockford base32 characters holding 128 random bits (the
//     last character carries 3 of them, so its 2 fill bits are zero);
//   - the derived form of a workspace's #general: "general-" and 12
//     lower-case hex digits, derived from the workspace key, which every
//     member computes and nobody hands out.
//
// A peer cannot choose an id that reads like a name ("general",
// "project"), so what a user types as a name never meets an id.
const (
	// RoomIDLen is the length of a random room id.
	RoomIDLen = 26
	// GeneralRoomIDPrefix starts the id of a workspace's #general.
	GeneralRoomIDPrefix = "general-"
	// generalRoomIDHex is the number of hex digits after the prefix.
	generalRoomIDHex = 12

	// crockfordLower is the alphabet of random room ids.
	crockfordLower = "0123456789abcdefghjkmnpqrstvwxyz"
)

// ValidRoomID reports whether s has one of the two forms of a room id:
// random, or the derived id of a #general. Envelopes, sync requests and
// stored rooms carry only these.
func ValidRoomID(s string) bool { return IsRandomRoomID(s) || IsGeneralRoomID(s) }

// IsRandomRoomID reports whether s is a room id as a node makes one for a
// new room (crypto.NewRoomID).
func IsRandomRoomID(s string) bool {
	if len(s) != RoomIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(crockfordLower, s[i])
		if v < 0 || i == len(s)-1 && v&3 != 0 {
			return false
		}
	}
	return true
}

// IsGeneralRoomID reports whether s has the form of a #general's derived
// id. Which #general it is depends on the workspace key.
func IsGeneralRoomID(s string) bool {
	hex, ok := strings.CutPrefix(s, GeneralRoomIDPrefix)
	if !ok || len(hex) != generalRoomIDHex {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ErrBadRoomID is returned (wrapped) for a room id a colleague or a code
// hands over that is not one a node makes.
var ErrBadRoomID = errors.New("not a room id Hallway makes")

// CheckInvitedRoomID validates the id of a room handed over by an
// invitation or a room code: only the random form. A #general is never
// handed out, since every member derives its own.
func CheckInvitedRoomID(id string) error {
	switch {
	case IsGeneralRoomID(id):
		return fmt.Errorf("%w: #general is never handed out; every member of a workspace derives it", ErrBadRoomID)
	case !IsRandomRoomID(id):
		return fmt.Errorf("%w: %q is not %d letters and digits", ErrBadRoomID, truncateForError(id), RoomIDLen)
	}
	return nil
}

// truncateForError keeps a hostile value short inside an error message.
func truncateForError(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// RoomIDRefPrefix starts the explicit form of a room reference by id,
// "room:<id>", the same text as the room's conversation id. "#name" and a
// bare name always mean a name.
const RoomIDRefPrefix = roomPrefix

// IsRoomRef reports whether ref names a room where a conversation is
// asked for: "#name" or "room:<id>".
func IsRoomRef(ref string) bool {
	ref = strings.TrimSpace(ref)
	return strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, RoomIDRefPrefix)
}

// RoomIDShape reports whether s is shaped like a room id on the wire: 1 to
// MaxRoomIDBytes bytes of lower-case ASCII letters, digits and hyphens.
// Envelopes are held to this shape only; the rooms a node joins, and so
// the envelopes it stores, have one of the forms of ValidRoomID.
func RoomIDShape(s string) bool {
	if len(s) == 0 || len(s) > MaxRoomIDBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
