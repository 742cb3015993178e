package records

import (
	"context"
	"log/slog"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Directory lists the conversations the history knows.
type Directory interface {
	Peers(ctx context.Context) ([]storage.Peer, error)
	Rooms(ctx context.Context, includeLeft bool) ([]storage.Room, error)
	Room(ctx context.Context, id string) (storage.Room, bool, error)
	// RoomEpochKeys are a room's keys after its first (re-keys).
	RoomEpochKeys(ctx context.Context, room string) ([]storage.EpochKey, error)
}

// Searcher finds messages.
type Searcher interface {
	Search(ctx context.Context, q storage.SearchQuery) ([]storage.SearchHit, error)
}

// ExportSource reads what an export holds.
type ExportSource interface {
	ExportParticipants(ctx context.Context, sc storage.ExportScope) ([]string, error)
	ExportMessages(ctx context.Context, sc storage.ExportScope, fn func(storage.ExportRow) error) error
	LatestRoomMeta(ctx context.Context, author string) (string, error)
	RoomMembers(ctx context.Context, room string) ([]storage.Member, error)
	Transfers(ctx context.Context) ([]storage.Transfer, error)
	RoomForks(ctx context.Context, room string) ([]storage.RoomFork, error)
}

// Expirer deletes what the retention policies say is due.
type Expirer interface {
	ApplyRetention(ctx context.Context, now time.Time) (storage.ExpiryResult, error)
}

// Policies keeps the retention policies and the legal holds.
type Policies interface {
	RetentionPolicies(ctx context.Context) ([]storage.RetentionPolicy, error)
	SetRetention(ctx context.Context, scope string, days int) error
	ClearRetention(ctx context.Context, scope string) error
	LegalHolds(ctx context.Context, includeReleased bool) ([]storage.LegalHold, error)
	PlaceHold(ctx context.Context, h storage.LegalHold) error
	ReleaseHold(ctx context.Context, id string) (storage.LegalHold, error)
}

// Settings keeps small named values (the last sweep).
type Settings interface {
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	SetSetting(ctx context.Context, key, value string) error
}

// Snapshotter writes a consistent copy of the history to a file.
type Snapshotter interface {
	Snapshot(ctx context.Context, path string) error
}

// Store is the history as records uses it.
type Store interface {
	Directory
	Searcher
	ExportSource
	Expirer
	Policies
	Settings
	Snapshotter
}

// People names colleagues and oneself.
type People interface {
	// Resolve finds the colleague a user means by name, label or peer ID.
	Resolve(ctx context.Context, ref string) (peer.ID, error)
	// Name is the colleague's display name.
	Name(ctx context.Context, id peer.ID) string
	// SelfName is this node's own display name.
	SelfName() string
	// Author names a colleague who wrote a message by their key (id);
	// signed, the name a room message claims, is only a checked fallback
	// for a key never met.
	Author(ctx context.Context, id, signed string) chat.Author
}

// Rooms finds the rooms this node is in.
type Rooms interface {
	// JoinedRoom finds a joined room by "#name", "name" or id.
	JoinedRoom(ref string) (id string, err error)
}

// Publisher announces events.
type Publisher interface {
	Publish(e chat.Event)
}

// DMContentFunc rebuilds what the author of a stored DM signed.
type DMContentFunc func(m storage.Message, author, recipient peer.ID) (*hcrypto.DMContent, error)

// Deps are what a Keeper works with.
type Deps struct {
	Store     Store
	Key       ic.PrivKey // this node's identity: exports are signed with it
	People    People
	Rooms     Rooms
	DMContent DMContentFunc
	Events    Publisher
	// Workspace is the signed workspace policy; nil for none.
	Workspace Workspace
	Log       *slog.Logger // default: discard
}

var _ Store = (*storage.Store)(nil)
