package chat

import "time"

// Room is a group conversation as the user sees it.
type Room struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	General bool   `json:"general"`
	Members int    `json:"members"`
	Unread  int    `json:"unread"`
	// OpenLAN: the room key is public (#general of an open LAN workspace),
	// so anyone on this network can read it.
	OpenLAN bool `json:"open_lan"`
	// Forked counts, per author peer id, the seqs under which that author
	// was seen to sign two different envelopes (capped; see RoomFork):
	// an author showing different histories to different members.
	Forked map[string]int `json:"forked,omitempty"`
	// Epoch is the room key epoch posts are sealed under now: 0 until the
	// room is first re-keyed (a member left or was removed).
	Epoch uint64 `json:"epoch"`
}

// RoomFork is a fork found in a room: Author signed two different
// envelopes under one Seq. Both are kept as evidence, and the export
// carries them.
type RoomFork struct {
	Room   string `json:"room"`
	Author string `json:"author"`
	Seq    uint64 `json:"seq"`
}

// RoomMember is a member of a room with their presence.
type RoomMember struct {
	Colleague
	You bool `json:"you"`
	// Role is "owner", "admin" or "member" (everyone in #general, which
	// has no owner), as the room's membership log has it.
	Role string `json:"role"`
	// Expires is when the admin's statement that admitted this member to
	// the workspace expires; zero: until revoked (workspace members only).
	Expires time.Time `json:"expires,omitzero"`
}

// The roles of a room member.
const (
	// RoleRevoked: a member the workspace took out (workspace members
	// only).
	RoleRevoked = "revoked"
	// RoleAdmitted: a colleague an admin admitted to the workspace whose
	// Hallway has not joined yet (workspace members only).
	RoleAdmitted = "admitted"
	RoleOwner    = "owner"
	RoleAdmin    = "admin"
	RoleMember   = "member"
)

// GeneralRoomName is the name of every workspace's default room. It is
// reserved: no other room takes it, whatever its case or look-alike
// letters.
const GeneralRoomName = "general"

// The states of a room invitation.
const (
	// InvitationPending: waiting for the user to accept or decline.
	InvitationPending = "pending"
	// InvitationAccepted: the user accepted, or joined the room another
	// way; the room is joined.
	InvitationAccepted = "accepted"
	// InvitationDeclined: the user declined; the invitation and its key
	// are gone.
	InvitationDeclined = "declined"
)

// RoomInvitation is a colleague's invitation to a room. Nothing is joined
// until the user accepts it.
type RoomInvitation struct {
	// ID names the invitation for accept and decline.
	ID string `json:"id"`
	// Room is the room's id; Name the name the inviter gave it.
	Room string `json:"room"`
	Name string `json:"name"`
	// JoinsAs is the name the room gets here when accepted: Name, or Name
	// with a number when it looks like the name of a room already joined
	// (or of #general).
	JoinsAs string `json:"joins_as"`
	// From is the inviter's peer ID; FromName their name as this node
	// knows it by their key, never a name the invitation claims.
	From     string    `json:"from"`
	FromName string    `json:"from_name"`
	Time     time.Time `json:"time"`
	State    string    `json:"state"`
}

// RoomCode is a room code just issued: a colleague not connected yet joins
// with Code until ExpiresAt, at most Uses colleagues (0: any number).
type RoomCode struct {
	Code      string    `json:"code"`
	Room      string    `json:"room"`
	ExpiresAt time.Time `json:"expires_at"`
	Uses      int       `json:"uses"`
}

// WorkspacePass is a pass an admin opened for newcomers to enter the
// workspace while no admin is online, as the workspace room's log has it.
type WorkspacePass struct {
	// ID names the pass: its key's first 8 bytes in hex.
	ID string `json:"id"`
	// Code is the pass code, on the node that made it, when just made.
	Code      string    `json:"code,omitempty"`
	By        Colleague `json:"by"`
	Uses      int       `json:"uses"`
	Used      int       `json:"used"`
	Entrants  []string  `json:"entrants"` // peer ids, in the log's order
	ExpiresAt time.Time `json:"expires_at"`
	Closed    bool      `json:"closed"`
	// Open: someone may still enter by it (not closed, used up, expired,
	// nor opened by someone no longer an admin).
	Open bool `json:"open"`
}
