package chat

import "fmt"

// Kind is what a message is. Its value is the name stored in history and
// shown in exports and --json ("text", "join", ...); the other forms a kind
// takes (the kind string of a DM frame, the kind byte of a room body) are
// in one table below and never change, since peers and databases hold them.
type Kind string

// The kinds of message.
const (
	KindText        Kind = "text"         // a chat message
	KindJoin        Kind = "join"         // someone joined a room
	KindLeave       Kind = "leave"        // someone left a room
	KindInvite      Kind = "invite"       // an invitation to a room, carried by a DM
	KindFile        Kind = "file"         // a file or folder offer
	KindFileStatus  Kind = "file_status"  // what became of a file offer, carried by a DM
	KindCreate      Kind = "create"       // someone created a room and owns it
	KindAdd         Kind = "add"          // an owner or admin invited someone to a room
	KindRemove      Kind = "remove"       // an owner or admin removed someone from a room
	KindRole        Kind = "role"         // a room's owner changed someone's role
	KindRoomKey     Kind = "room_key"     // a room's key for a new epoch, carried by a DM
	KindCodeIssued  Kind = "code_issued"  // a member issued a room code
	KindCodeRevoked Kind = "code_revoked" // a member revoked a room code, or all of them
	KindPolicy      Kind = "policy"       // an admin set a new version of the workspace policy
	KindAck         Kind = "ack"          // a member acknowledged the workspace's acceptable-use notice
	// Kinds about another message of the conversation (see amend.go).
	KindReply   Kind = "reply"   // a chat message answering another
	KindEdit    Kind = "edit"    // the author's new text for one of their messages
	KindDelete  Kind = "delete"  // the author took back one of their messages
	KindReact   Kind = "react"   // someone reacted to a message with an emoji
	KindUnreact Kind = "unreact" // someone took back their reaction
	// KindRead tells the author that the reader's window showed their DMs
	// up to the one its ref names; applied, never shown.
	KindRead Kind = "read"
)

// Room body kind bytes: the kind a room message carries inside its sealed
// envelope (crypto.BodyKind). Wire values; they never change.
const (
	BodyText  byte = 1
	BodyJoin  byte = 2
	BodyLeave byte = 3
	BodyFile  byte = 4
	// Membership operations (a join or leave may carry one too).
	BodyCreate byte = 5
	BodyAdd    byte = 6
	BodyRemove byte = 7
	BodyRole   byte = 8
	// 9..11 are kept for later kinds.
	BodyCodeIssued  byte = 12
	BodyCodeRevoked byte = 13
	// A workspace policy version: an operation of the workspace room.
	BodyPolicy byte = 14
	// A member's acknowledgement of the acceptable-use notice.
	BodyAck byte = 15
	// Kinds about another message: the text holds a crypto.RefBody.
	BodyReply   byte = 16
	BodyEdit    byte = 17
	BodyDelete  byte = 18
	BodyReact   byte = 19
	BodyUnreact byte = 20
)

// kindForm is every form of one kind. A kind that cannot travel one way
// has no form there: hasDM or hasBody is false.
type kindForm struct {
	kind  Kind
	dm    string // the kind of a DM frame (p2p.DM.Kind) and of a signed DM; "" is text
	hasDM bool
	body  byte // the kind byte of a room body
}

// kinds is the one table of message kinds.
var kinds = [...]kindForm{
	{kind: KindText, dm: "", hasDM: true, body: BodyText},
	{kind: KindJoin, body: BodyJoin},
	{kind: KindLeave, body: BodyLeave},
	{kind: KindInvite, dm: "invite", hasDM: true},
	{kind: KindFile, dm: "file", hasDM: true, body: BodyFile},
	{kind: KindFileStatus, dm: "file_status", hasDM: true},
	{kind: KindCreate, body: BodyCreate},
	{kind: KindAdd, body: BodyAdd},
	{kind: KindRemove, body: BodyRemove},
	{kind: KindRole, body: BodyRole},
	{kind: KindRoomKey, dm: "room_key", hasDM: true},
	{kind: KindCodeIssued, body: BodyCodeIssued},
	{kind: KindCodeRevoked, body: BodyCodeRevoked},
	{kind: KindPolicy, body: BodyPolicy},
	{kind: KindAck, body: BodyAck},
	{kind: KindReply, dm: "reply", hasDM: true, body: BodyReply},
	{kind: KindEdit, dm: "edit", hasDM: true, body: BodyEdit},
	{kind: KindDelete, dm: "delete", hasDM: true, body: BodyDelete},
	{kind: KindReact, dm: "react", hasDM: true, body: BodyReact},
	{kind: KindUnreact, dm: "unreact", hasDM: true, body: BodyUnreact},
	{kind: KindRead, dm: "read", hasDM: true},
}

// Kinds lists every kind, in the table's order.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, f := range kinds {
		out[i] = f.kind
	}
	return out
}

func formOf(k Kind) (kindForm, bool) {
	for _, f := range kinds {
		if f.kind == k {
			return f, true
		}
	}
	return kindForm{}, false
}

// ParseKind reads a stored or exported kind name. The empty name, which
// rows written before kinds existed carry, is KindText.
func ParseKind(s string) (Kind, error) {
	if s == "" {
		return KindText, nil
	}
	if f, ok := formOf(Kind(s)); ok {
		return f.kind, nil
	}
	return "", fmt.Errorf("unknown message kind %q", truncate(s))
}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { _, ok := formOf(k); return ok }

// String is the kind's stored name.
func (k Kind) String() string { return string(k) }

// DM is the kind string a DM of kind k carries on the wire and under its
// signature ("" for text); ok is false for kinds that DMs do not carry.
func (k Kind) DM() (wire string, ok bool) {
	f, ok := formOf(k)
	if !ok || !f.hasDM {
		return "", false
	}
	return f.dm, true
}

// KindFromDM reads the kind string of a DM frame; ok is false for strings
// that name no DM kind (receivers show those as text).
func KindFromDM(wire string) (Kind, bool) {
	for _, f := range kinds {
		if f.hasDM && f.dm == wire {
			return f.kind, true
		}
	}
	return "", false
}

// Body is the kind byte a room message of kind k carries in its envelope;
// ok is false for kinds that rooms do not carry.
func (k Kind) Body() (b byte, ok bool) {
	f, ok := formOf(k)
	if !ok || f.body == 0 {
		return 0, false
	}
	return f.body, true
}

// KindFromBody reads a room body's kind byte; ok is false for bytes that
// name no kind.
func KindFromBody(b byte) (Kind, bool) {
	if b == 0 {
		return "", false
	}
	for _, f := range kinds {
		if f.body == b {
			return f.kind, true
		}
	}
	return "", false
}

// truncate bounds hostile text quoted in an error.
func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
