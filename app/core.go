package app

import (
	"context"
	"time"

	"hallway/core"
)

// Messenger is the conversation side of the core.
type Messenger interface {
	Self(ctx context.Context) (core.Self, error)
	Peers(ctx context.Context) ([]core.Colleague, error)
	Subscribe(ctx context.Context) <-chan core.Event
	Page(ctx context.Context, conv string, before *core.Message, limit int) ([]core.Message, error)
	SendTo(ctx context.Context, conv, text string) (core.Message, error)
	MarkRead(ctx context.Context, conv string) error
	Unread(ctx context.Context) (map[string]int, error)
	SetStatus(ctx context.Context, status, text string) error
	SetName(ctx context.Context, name string) error
	AddPeer(ctx context.Context, addr string) (core.AddPeerResult, error)
}

// Rooms is the group side of the core.
type Rooms interface {
	Rooms(ctx context.Context) ([]core.Room, error)
	CreateRoom(ctx context.Context, name string) (core.Room, error)
	JoinRoomCode(ctx context.Context, code string) (core.Room, error)
	LeaveRoom(ctx context.Context, room string) error
	RoomInviteCode(ctx context.Context, room string) (string, error)
	InviteToRoom(ctx context.Context, room, peer string) (core.Message, error)
}

// Files is file transfer.
type Files interface {
	Transfers(ctx context.Context) ([]core.Transfer, error)
	SendFileTo(ctx context.Context, conv, path string) (core.Transfer, error)
	AcceptTransfer(ctx context.Context, id, dir string) (core.Transfer, error)
	DeclineTransfer(ctx context.Context, id string) error
	CancelTransfer(ctx context.Context, id string) error
}

// People is trust, labels and preferences.
type People interface {
	Trusts(ctx context.Context) (map[string]core.Trust, error)
	TrustOf(ctx context.Context, peer string) (core.Trust, error)
	Verify(ctx context.Context, peer string, verified bool) (core.Trust, error)
	SetLabel(ctx context.Context, peer, label string) (core.Trust, error)
	Prefs(ctx context.Context) (core.Prefs, error)
	SetPrefs(ctx context.Context, p core.Prefs) error
}

// Searcher searches the archive.
type Searcher interface {
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, error)
}

// Workspace reads the node's workspace and picks another (create, join,
// leave); Restart switches the running node to the picked one, or
// restarts it in the same one, and the new core attaches when it is up.
type Workspace interface {
	WorkspaceInvite() (code string, private bool, err error)
	CreateWorkspace() (code string, err error)
	JoinWorkspace(code string) error
	LeaveWorkspace() error
	Restart()
}

// Core is everything the window drives.
type Core interface {
	Messenger
	Rooms
	Files
	People
	Searcher
	Workspace
}

// SearchQuery mirrors the core's archive search query: text, and filters
// on author, conversation, time and attachments.
type SearchQuery struct {
	Text, From, In string
	Since, Until   time.Time
	HasFile        bool
	Limit          int
}

// SearchHit mirrors one archive search result. Snippet wraps the matches
// in « and ».
type SearchHit struct {
	ID, Conversation, ConversationID, ConversationName string
	Room                                               bool
	From, FromName                                     string
	Time                                               time.Time
	Text, Snippet                                      string
}
