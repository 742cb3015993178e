package transfer

import (
	"context"
	"log/slog"

	"hallway/policy"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Store is the transfer history.
type Store interface {
	InsertTransfer(ctx context.Context, t storage.Transfer) (inserted bool, err error)
	Transfer(ctx context.Context, id string) (storage.Transfer, error)
	Transfers(ctx context.Context) ([]storage.Transfer, error)
	// UnfinishedDownloads lists the incoming transfers under way or
	// paused, newest first.
	UnfinishedDownloads(ctx context.Context) ([]storage.Transfer, error)
	UpdateTransfer(ctx context.Context, id string, u storage.TransferUpdate) error
	SaveProgress(ctx context.Context, id string, bytesDone int64, have []byte) error
	Servable(ctx context.Context, manifestHash string) ([]storage.Transfer, error)
}

// Net fetches manifests and chunks from peers.
type Net interface {
	ID() peer.ID
	IsConnected(id peer.ID) bool
	// Via is how id is connected: p2p.ViaDirect, or p2p.ViaRelay through
	// a colleague.
	Via(id peer.ID) string
	// DialDirect tries a direct connection to a colleague connected
	// through a relay only.
	DialDirect(ctx context.Context, id peer.ID) error
	FetchManifest(ctx context.Context, from peer.ID, req p2p.FileRequest) ([]byte, error)
	HasFile(ctx context.Context, from peer.ID, req p2p.FileRequest) error
	OpenBulk(ctx context.Context, from peer.ID, req p2p.FileRequest) (*p2p.BulkLane, error)
	FetchChunks(ctx context.Context, from peer.ID, req p2p.FileRequest, each func(index int, data []byte) error) error
}

// Publisher announces transfer changes.
type Publisher interface{ Publish(e chat.Event) }

// Spawner runs fn in a goroutine owned by the service, with a context that
// ends when the service closes; after that it runs nothing.
type Spawner interface {
	Go(fn func(ctx context.Context))
}

// Peers finds colleagues by what a user typed and names them.
type Peers interface {
	Resolve(ctx context.Context, ref string) (peer.ID, error)
	PeerName(ctx context.Context, id peer.ID) string
}

// Rooms are the joined rooms, as far as files in them need: to offer a
// file in a room, to prove membership when fetching and to check it when
// serving.
type Rooms interface {
	// RoomID resolves a reference ("#name", name or id) to a joined room.
	RoomID(ref string) (string, error)
	// Proof proves to responder that requester holds the room's key, for
	// the given label; false when we are not a member.
	Proof(room, label string, requester, responder peer.ID) ([]byte, bool)
	// CheckProof checks a requester's proof made by Proof; false when we
	// are not a member or the proof does not hold.
	CheckProof(room, label string, requester, responder peer.ID, proof []byte) bool
	// RoomPeers lists the members of a joined room connected now; false
	// when we are not a member.
	RoomPeers(room string) ([]peer.ID, bool)
	// LiveOnly reports whether what is said in the room is for those
	// present only: #general of an open workspace, which any computer on
	// the network may join. Its files are served only while their offer is
	// live (see LiveWindow).
	LiveOnly(room string) bool
}

// Poster carries the messages of transfers into conversations.
type Poster interface {
	// QueueDM commits a direct message of kind, with its metadata, to
	// history and to the outbox.
	QueueDM(ctx context.Context, to peer.ID, text, kind, meta string) error
	// PostFile posts a file offer (its JSON form) in a joined room.
	PostFile(ctx context.Context, room, offer string) error
}

// Deps are what the transfer service uses. Every field but Log is required.
type Deps struct {
	Store Store
	Net   Net
	Bus   Publisher
	Spawn Spawner
	Peers Peers
	Rooms Rooms
	Post  Poster
	// Workspace is the workspace policy in force; nil: none.
	Workspace Workspace
	// Log defaults to discarding.
	Log *slog.Logger
}

// Workspace is the signed workspace policy (core/rooms/workspace.go).
type Workspace interface {
	WorkspacePolicy() policy.Document
}

// PublishFunc adapts a function to Publisher.
type PublishFunc func(chat.Event)

// Publish calls f(e).
func (f PublishFunc) Publish(e chat.Event) { f(e) }

// SpawnFunc adapts a function to Spawner.
type SpawnFunc func(fn func(ctx context.Context))

// Go calls f(fn).
func (f SpawnFunc) Go(fn func(ctx context.Context)) { f(fn) }

var (
	_ Store = (*storage.Store)(nil)
	_ Net   = (*p2p.Node)(nil)
)
