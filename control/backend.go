package control

import (
	"context"
	"io"
	"time"

	"hallway/chat"
	"hallway/core"
)

// The control API drives the node through these small interfaces, one per
// resource. Each route names the one it needs; a server built without it
// does not serve that route.

// Profile is who this node is and how it presents itself.
type Profile interface {
	Self(ctx context.Context) (chat.Self, error)
	SetStatus(ctx context.Context, status, text string) error
	SetName(ctx context.Context, name string) error
}

// People is the list of colleagues, adding one by address, blocking, and
// the other workspaces seen on the network.
type People interface {
	Peers(ctx context.Context) ([]chat.Colleague, error)
	AddPeer(ctx context.Context, addr string) (chat.AddPeerResult, error)
	Block(ctx context.Context, peer, reason string) (chat.Block, error)
	Unblock(ctx context.Context, peer string) (chat.Block, error)
	Blocked(ctx context.Context) ([]chat.Block, error)
	NearbyWorkspaces(ctx context.Context) ([]chat.NearbyWorkspace, error)
	// Doctor says why colleagues (or the one peer names) are or are not
	// reachable.
	Doctor(ctx context.Context, peer string) (chat.Diagnosis, error)
}

// Messages is direct messaging: sending and reading a conversation.
type Messages interface {
	Send(ctx context.Context, peer, text string) (chat.Message, error)
	History(ctx context.Context, peer string, before int64, limit int) ([]chat.Message, error)
	// Amend sends, about the message with id, a reply (text), an edit
	// (text), a delete, or a reaction toggle (text is the emoji).
	Amend(ctx context.Context, kind chat.Kind, id, text string) (chat.Message, error)
}

// Events is the live event feed behind `hallway watch`.
type Events interface {
	Subscribe(ctx context.Context) <-chan chat.Event
}

// Rooms is group conversations: membership, invitations and posting.
type Rooms interface {
	Rooms(ctx context.Context) ([]chat.Room, error)
	CreateRoom(ctx context.Context, name string) (chat.Room, error)
	JoinRoomCode(ctx context.Context, code string) (chat.Room, error)
	LeaveRoom(ctx context.Context, room string) error
	InviteToRoom(ctx context.Context, room, peer string) (chat.Message, error)
	// IssueRoomCode issues a code for the room lasting expires (0: the
	// default) for uses colleagues (0: any number).
	IssueRoomCode(ctx context.Context, room string, expires time.Duration, uses int) (chat.RoomCode, error)
	// RevokeRoomCode withdraws a code of the room, every code with "".
	RevokeRoomCode(ctx context.Context, room, code string) error
	RoomMembers(ctx context.Context, room string) ([]chat.RoomMember, error)
	RemoveFromRoom(ctx context.Context, room, peer string) error
	SetRoomRole(ctx context.Context, room, peer, role string) error
	SendRoom(ctx context.Context, room, text string) (chat.Message, error)
	RoomInvitations(ctx context.Context) ([]chat.RoomInvitation, error)
	AcceptRoomInvitation(ctx context.Context, id string) (chat.Room, error)
	DeclineRoomInvitation(ctx context.Context, id string) error
}

// Files is file and folder transfers.
type Files interface {
	Transfers(ctx context.Context) ([]chat.Transfer, error)
	SendFile(ctx context.Context, peer, path string, expire time.Duration) (chat.Transfer, error)
	AcceptTransfer(ctx context.Context, id, dir string) (chat.Transfer, error)
	DeclineTransfer(ctx context.Context, id string) error
	CancelTransfer(ctx context.Context, id string) error
	UnshareTransfer(ctx context.Context, id string) error
}

// Trust is verifying and labelling colleagues, and the preferences.
type Trust interface {
	Trusts(ctx context.Context) (map[string]chat.Trust, error)
	TrustOf(ctx context.Context, peer string) (chat.Trust, error)
	Verify(ctx context.Context, peer string, verified bool) (chat.Trust, error)
	SetLabel(ctx context.Context, peer, label string) (chat.Trust, error)
	Prefs(ctx context.Context) (chat.Prefs, error)
	SetPrefs(ctx context.Context, p chat.Prefs) error
	// Mute sets a conversation's notification level, until a time (zero:
	// until changed); DoNotDisturb silences all until a time (zero: ends).
	Mute(ctx context.Context, conv string, level chat.NotifyLevel, until time.Time) (chat.Mute, error)
	DoNotDisturb(ctx context.Context, until time.Time) error
}

// Archive is search over history, signed export and backup.
type Archive interface {
	Search(ctx context.Context, q chat.SearchQuery) ([]chat.SearchHit, error)
	Export(ctx context.Context, opt core.ExportOptions, w io.Writer) (core.ExportSummary, error)
	Backup(ctx context.Context, w io.Writer) (core.BackupInfo, error)
}

// Retention is retention policies, legal holds and the deletion sweep.
type Retention interface {
	Retention(ctx context.Context) (core.RetentionStatus, error)
	SetRetention(ctx context.Context, in string, days int) (core.RetentionStatus, error)
	PlaceHold(ctx context.Context, in, reason string) (core.LegalHold, error)
	ReleaseHold(ctx context.Context, id string) (core.LegalHold, error)
	ApplyRetention(ctx context.Context) (chat.SweepResult, error)
}

// Runtime is the node's runtime and network counters.
type Runtime interface {
	Stats() core.Stats
}

// Workspace switches the running node's workspace live.
type Workspace interface {
	SwitchWorkspace(ctx context.Context, req WorkspaceRequest) (WorkspaceState, error)
}

// Backends is what a server answers with, one field per resource. A nil
// field leaves that resource's routes unserved (404, like any unknown path).
type Backends struct {
	Profile    Profile
	People     People
	Messages   Messages
	Events     Events
	Rooms      Rooms
	Files      Files
	Trust      Trust
	Archive    Archive
	Retention  Retention
	Runtime    Runtime
	Workspace  Workspace
	Governance Governance
}

// Backend is a backend for every resource of a node at once, like the
// core service. Switching workspace is not one of them: the node
// supervisor does it (see ServeSwitching).
type Backend interface {
	Profile
	People
	Messages
	Events
	Rooms
	Files
	Trust
	Archive
	Retention
	Runtime
	Governance
}

var _ Backend = (*core.Service)(nil)

// BackendsOf serves every resource of a node from s.
func BackendsOf(s Backend) Backends {
	return Backends{Profile: s, People: s, Messages: s, Events: s, Rooms: s, Files: s, Trust: s, Archive: s, Retention: s, Runtime: s, Governance: s}
}

// resource names one field of Backends.
type resource int

const (
	resProfile resource = iota
	resPeople
	resMessages
	resEvents
	resRooms
	resFiles
	resTrust
	resArchive
	resRetention
	resRuntime
	resWorkspace
	resGovernance
)

// has reports whether the backend for r is present.
func (b Backends) has(r resource) bool {
	switch r {
	case resProfile:
		return b.Profile != nil
	case resPeople:
		return b.People != nil
	case resMessages:
		return b.Messages != nil
	case resEvents:
		return b.Events != nil
	case resRooms:
		return b.Rooms != nil
	case resFiles:
		return b.Files != nil
	case resTrust:
		return b.Trust != nil
	case resArchive:
		return b.Archive != nil
	case resRetention:
		return b.Retention != nil
	case resRuntime:
		return b.Runtime != nil
	case resWorkspace:
		return b.Workspace != nil
	case resGovernance:
		return b.Governance != nil
	}
	return false
}
