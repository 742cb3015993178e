package chat

import (
	"errors"
	"fmt"
	"strings"
)

// ConvKind says whether a conversation is with one colleague or a room.
type ConvKind uint8

const (
	// ConvDM is a direct conversation with one colleague.
	ConvDM ConvKind = iota + 1
	// ConvRoom is a group conversation.
	ConvRoom
)

// The textual prefixes of conversation ids, as stored and shown.
const (
	dmPrefix   = "dm:"
	roomPrefix = "room:"
)

// MaxConvIDBytes bounds the text of a conversation id accepted by ParseConv:
// a prefix and a peer or room id, with room to spare.
const MaxConvIDBytes = 256

// ConvID names a conversation: "dm:<peer id>" or "room:<room id>". The zero
// value names none. It is comparable and usable as a map key.
type ConvID struct {
	kind ConvKind
	id   string
}

// DMConv is the conversation with the colleague whose peer id is peer.
func DMConv(peer string) ConvID { return ConvID{kind: ConvDM, id: peer} }

// RoomConv is the conversation of the room with the given id.
func RoomConv(id string) ConvID { return ConvID{kind: ConvRoom, id: id} }

// ErrBadConv is returned (wrapped) by ParseConv for text that is not a
// conversation id.
var ErrBadConv = errors.New("not a conversation id")

// ParseConv reads a conversation id as String writes it. It checks the
// prefix and that the rest is a short, non-empty run of printable ASCII;
// it does not check that the peer or room exists or is well formed beyond
// that.
func ParseConv(s string) (ConvID, error) {
	if len(s) > MaxConvIDBytes {
		return ConvID{}, fmt.Errorf("%w: %d bytes", ErrBadConv, len(s))
	}
	var c ConvID
	if rest, ok := strings.CutPrefix(s, dmPrefix); ok {
		c = DMConv(rest)
	} else if rest, ok := strings.CutPrefix(s, roomPrefix); ok {
		c = RoomConv(rest)
	} else {
		return ConvID{}, fmt.Errorf("%w: %q has neither %q nor %q", ErrBadConv, s, dmPrefix, roomPrefix)
	}
	if c.id == "" {
		return ConvID{}, fmt.Errorf("%w: %q names no one", ErrBadConv, s)
	}
	for i := 0; i < len(c.id); i++ {
		if b := c.id[i]; b <= ' ' || b >= 0x7f {
			return ConvID{}, fmt.Errorf("%w: %q holds byte %#x", ErrBadConv, s, b)
		}
	}
	return c, nil
}

// String gives the id's text: "dm:<peer id>", "room:<room id>", or "" for
// the zero value.
func (c ConvID) String() string {
	switch c.kind {
	case ConvDM:
		return dmPrefix + c.id
	case ConvRoom:
		return roomPrefix + c.id
	}
	return ""
}

// Kind is ConvDM or ConvRoom, or 0 for the zero value.
func (c ConvID) Kind() ConvKind { return c.kind }

// IsDM reports whether c is a direct conversation.
func (c ConvID) IsDM() bool { return c.kind == ConvDM }

// IsRoom reports whether c is a room's conversation.
func (c ConvID) IsRoom() bool { return c.kind == ConvRoom }

// IsZero reports whether c names no conversation.
func (c ConvID) IsZero() bool { return c.kind == 0 }

// ID is the peer id of a DM or the room id of a room.
func (c ConvID) ID() string { return c.id }

// Peer is the colleague's peer id of a DM, "" for a room.
func (c ConvID) Peer() string {
	if c.kind != ConvDM {
		return ""
	}
	return c.id
}

// Room is the room id of a room's conversation, "" for a DM.
func (c ConvID) Room() string {
	if c.kind != ConvRoom {
		return ""
	}
	return c.id
}

// RoomOf returns the room id of the conversation text s and whether s is
// a room's conversation. It is the lenient form of ParseConv for ids this
// node wrote itself (rows, records): only the prefix is looked at.
func RoomOf(s string) (string, bool) {
	id, ok := strings.CutPrefix(s, roomPrefix)
	if !ok || id == "" {
		return "", false
	}
	return id, true
}

// PeerOf returns the peer id of the conversation text s and whether s is a
// DM; like RoomOf it only looks at the prefix.
func PeerOf(s string) (string, bool) {
	id, ok := strings.CutPrefix(s, dmPrefix)
	if !ok || id == "" {
		return "", false
	}
	return id, true
}

// IsRoomConv reports whether the conversation text s is a room's.
func IsRoomConv(s string) bool { _, ok := RoomOf(s); return ok }

// IsDMConv reports whether the conversation text s is a DM.
func IsDMConv(s string) bool { _, ok := PeerOf(s); return ok }
