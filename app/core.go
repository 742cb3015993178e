package app

import (
	"context"
	"time"

	"hallway/chat"
)

// Messenger is the conversation side of the core.
type Messenger interface {
	Self(ctx context.Context) (chat.Self, error)
	Peers(ctx context.Context) ([]chat.Colleague, error)
	Subscribe(ctx context.Context) <-chan chat.Event
	Page(ctx context.Context, conv string, before *chat.Message, limit int) ([]chat.Message, error)
	SendTo(ctx context.Context, conv, text string) (chat.Message, error)
	MarkRead(ctx context.Context, conv string) error
	Unread(ctx context.Context) (map[string]int, error)
	// SetDraft keeps the unsent text of a conversation ("" forgets it);
	// Drafts returns them all.
	SetDraft(ctx context.Context, conv, text string) error
	Drafts(ctx context.Context) (map[string]string, error)
	// Typing tells the colleague of a DM that the user types, or stopped.
	Typing(ctx context.Context, conv string, typing bool) error
	// UnreadMentions counts the unread messages that mention the user.
	UnreadMentions(ctx context.Context) (map[string]int, error)
	// Amend replies to, edits, deletes or reacts to (kind) the message
	// with id.
	Amend(ctx context.Context, kind chat.Kind, id, text string) (chat.Message, error)
	SetStatus(ctx context.Context, status, text string) error
	SetName(ctx context.Context, name string) error
	AddPeer(ctx context.Context, addr string) (chat.AddPeerResult, error)
	// Doctor says why colleagues (or the one peer names) are or are not
	// reachable.
	Doctor(ctx context.Context, peer string) (chat.Diagnosis, error)
}

// Rooms is the group side of the core.
type Rooms interface {
	Rooms(ctx context.Context) ([]chat.Room, error)
	CreateRoom(ctx context.Context, name string) (chat.Room, error)
	JoinRoomCode(ctx context.Context, code string) (chat.Room, error)
	LeaveRoom(ctx context.Context, room string) error
	RoomInviteCode(ctx context.Context, room string) (string, error)
	InviteToRoom(ctx context.Context, room, peer string) (chat.Message, error)
	RoomMembers(ctx context.Context, room string) ([]chat.RoomMember, error)
	RemoveFromRoom(ctx context.Context, room, peer string) error
	RoomInvitations(ctx context.Context) ([]chat.RoomInvitation, error)
	AcceptRoomInvitation(ctx context.Context, id string) (chat.Room, error)
	DeclineRoomInvitation(ctx context.Context, id string) error
}

// Files is file transfer.
type Files interface {
	Transfers(ctx context.Context) ([]chat.Transfer, error)
	SendFileTo(ctx context.Context, conv, path string) (chat.Transfer, error)
	AcceptTransfer(ctx context.Context, id, dir string) (chat.Transfer, error)
	DeclineTransfer(ctx context.Context, id string) error
	CancelTransfer(ctx context.Context, id string) error
	UnshareTransfer(ctx context.Context, id string) error
}

// People is trust, labels, blocking and preferences.
type People interface {
	Block(ctx context.Context, peer, reason string) (chat.Block, error)
	Unblock(ctx context.Context, peer string) (chat.Block, error)
	Trusts(ctx context.Context) (map[string]chat.Trust, error)
	TrustOf(ctx context.Context, peer string) (chat.Trust, error)
	Verify(ctx context.Context, peer string, verified bool) (chat.Trust, error)
	SetLabel(ctx context.Context, peer, label string) (chat.Trust, error)
	Prefs(ctx context.Context) (chat.Prefs, error)
	SetPrefs(ctx context.Context, p chat.Prefs) error
	// Mute sets a conversation's notification level until a time (zero:
	// until changed); DoNotDisturb silences everything until a time.
	Mute(ctx context.Context, conv string, level chat.NotifyLevel, until time.Time) (chat.Mute, error)
	DoNotDisturb(ctx context.Context, until time.Time) error
}

// Searcher searches the archive. The query's From and In are the core's
// references (a peer id, a room id); each hit names its conversation by
// ConversationID and Room.
type Searcher interface {
	Search(ctx context.Context, q chat.SearchQuery) ([]chat.SearchHit, error)
}

// Workspace reads the node's workspace and picks another (create, join,
// leave); Restart switches the running node to the picked one, or
// restarts it in the same one, and the new core attaches when it is up.
// NearbyWorkspaces lists the other workspaces seen on the network.
type Workspace interface {
	NearbyWorkspaces(ctx context.Context) ([]chat.NearbyWorkspace, error)
	WorkspaceInvite() (code string, private bool, err error)
	CreateWorkspace() (code string, err error)
	JoinWorkspace(code string) error
	LeaveWorkspace() error
	Restart()
}

// Governance is the workspace policy: read, and its acceptable-use
// notice acknowledged.
type Governance interface {
	Policy(ctx context.Context) (chat.Policy, error)
	AcknowledgeNotice(ctx context.Context) (chat.Policy, error)
	// OpenPass has an admin open a pass for newcomers (its code once).
	OpenPass(ctx context.Context, uses int, expires time.Duration) (chat.WorkspacePass, error)
}

// Core is everything the window drives.
type Core interface {
	Messenger
	Rooms
	Files
	People
	Searcher
	Workspace
	Governance
}
