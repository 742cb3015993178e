package rooms

import (
	"context"
	"log/slog"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/policy"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Config configures a Manager. Zero values are the documented defaults.
type Config struct {
	// Identity signs every envelope this node posts.
	Identity ic.PrivKey
	// Workspace derives #general; nil is an open LAN workspace.
	Workspace *hcrypto.WorkspaceKey
	// WorkspaceRoom is the private workspace's room of admins and policy;
	// zero for a workspace made before those existed.
	WorkspaceRoom WorkspaceRoom
	// LastClock is the newest clock value in history: the clock starts
	// past it, so a restart never reuses a value.
	LastClock uint64
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Now is the clock memberships and passes expire by; time.Now unless
	// set.
	Now func() time.Time
}

// Store is the room part of history: every method the types of this
// package use, each declaring its own share.
type Store interface {
	membershipStore
	commitStore
	postStore
	syncStore
	historyStore
	inviteStore
	opStore
	epochStore
	receiptStore
	codeStore
	policyStore
}

var _ Store = (*storage.Store)(nil)

// Net is the network as rooms use it.
type Net interface {
	ID() peer.ID
	ConnectedPeers() []peer.ID
	// Sync asks peer to for what the request build makes for its
	// challenge lacks; each gets every envelope sent back.
	Sync(ctx context.Context, to peer.ID, build func(challenge []byte) p2p.SyncRequest, each func(raw []byte) error) error
	// JoinRoom follows the gossip topic of one epoch of a room: validate
	// judges every message before it is delivered to receive or
	// forwarded; only peers that prove key reach the topic. A nil key:
	// the room's key is public; nobody proves anything.
	JoinRoom(room, topic string, key p2p.TopicKey, validate p2p.RoomValidator, receive p2p.RoomReceiver) (Topic, error)
	// MarkProven records that id proved it holds the key behind topic,
	// so gossip of that topic may reach it.
	MarkProven(id peer.ID, topic string)
	// Redeem asks peer to for the room of a code, dialing it if need be.
	Redeem(ctx context.Context, to peer.ID, req p2p.RedeemRequest) (p2p.RedeemReply, error)
	// Enter enters the workspace by a pass at peer to; join makes our
	// join from its first answer.
	Enter(ctx context.Context, to peer.ID, req p2p.EnterRequest, join func(p2p.EnterReply) ([]byte, error)) (p2p.EnterStatus, string, error)
}

// Topic is the subscription to one room's gossip.
type Topic interface {
	Publish(ctx context.Context, data []byte) error
	Peers() []peer.ID
	Leave() error
}

var _ Topic = (*p2p.RoomTopic)(nil)

// Publisher announces events to the node's subscribers.
type Publisher interface{ Publish(chat.Event) }

// PublishFunc adapts a function to a Publisher.
type PublishFunc func(chat.Event)

// Publish calls f.
func (f PublishFunc) Publish(e chat.Event) { f(e) }

// Spawner runs fn in a goroutine owned by the node, with a context that
// ends when the node closes; after that it runs nothing.
type Spawner interface {
	Go(fn func(ctx context.Context))
}

// SpawnFunc adapts a function to a Spawner.
type SpawnFunc func(fn func(ctx context.Context))

// Go calls f.
func (f SpawnFunc) Go(fn func(ctx context.Context)) { f(fn) }

// Deps are what a Manager works with. Every field is required.
type Deps struct {
	Store     Store
	Net       Net
	Publisher Publisher
	Spawner   Spawner
	// Closing is closed when the node shuts down: a gossip hand-off
	// waiting for room in the writer's queue gives up then.
	Closing <-chan struct{}

	// SelfName is our display name, signed into each post.
	SelfName func() string
	// Self describes this node, for the member list.
	Self func(ctx context.Context) (chat.Self, error)
	// Colleague describes a colleague, for the member list.
	Colleague func(ctx context.Context, id peer.ID) chat.Colleague
	// ResolvePeer finds the colleague a user means.
	ResolvePeer func(ctx context.Context, ref string) (peer.ID, error)
	// QueueDM sends a direct message through the outbox: invitations
	// travel that way, so a room key never leaves the end-to-end channel.
	QueueDM func(ctx context.Context, to peer.ID, text, kind, meta string) (chat.Message, error)
	// QueueDMs sends one direct message to each of tos in one commit (a
	// colleague out of reach does not keep the others from it): a re-key
	// hands its key to every member that way.
	QueueDMs func(ctx context.Context, tos []peer.ID, text, kind, meta string) error
	// PolicyChanged is told of each new workspace policy in force (and of
	// the one in force when the node opens, with prev zero); nil: nobody.
	PolicyChanged func(ctx context.Context, prev, next policy.Document)
	// NetworkKey is the rotated network key the node runs on, which pass
	// codes carry; nil (or nil returned): the workspace key.
	NetworkKey func() *hcrypto.NetworkKey
	// GeneralKey is told of each key of #general taken: the network key
	// may derive from it (netkey.go); nil: nobody.
	GeneralKey func()
	// Revoked is told of each member the workspace room's log takes out
	// (its connections are to be dropped); nil: nobody.
	Revoked func(p peer.ID)
	// Admitted is told of each peer an admin's admission newly lets in
	// (its connections were refused until now), and of each newcomer
	// that entered by a pass (its connection served it the enter
	// protocol alone), and of ourselves once our log, held from its
	// creation, counts us in; nil: nobody.
	Admitted func(p peer.ID)
	// FileOffered records a file a colleague offered in a room.
	FileOffered func(e *storage.RoomEntry)
	// TransferID is the id of the transfer a file message offers.
	TransferID func(m storage.Message) string
	// Blocks is the user's block list; nil blocks nobody.
	Blocks Blocks
	// ReadReceipts reports whether our receipts share how far the user
	// has read (the user's setting); nil: they do.
	ReadReceipts func() bool
	// Author names a colleague who wrote a message by their key (id), the
	// name it signed (signed) being only a checked fallback for keys never
	// met.
	Author func(ctx context.Context, id, signed string) chat.Author
}

// Blocks is the user's block list: a blocked author's posts are neither
// stored nor shown, whoever forwards them.
type Blocks interface {
	IsBlocked(id peer.ID) bool
	// BlockedIDs lists every blocked key.
	BlockedIDs() []peer.ID
}

// noBlocks blocks nobody.
type noBlocks struct{}

func (noBlocks) IsBlocked(peer.ID) bool { return false }
func (noBlocks) BlockedIDs() []peer.ID  { return nil }
