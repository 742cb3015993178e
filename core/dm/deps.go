package dm

import (
	"context"
	"log/slog"
	"time"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Config configures the direct messages. Zero values are the defaults.
type Config struct {
	// Logger defaults to discarding everything.
	Logger *slog.Logger
}

// Deps are what direct messages need from the rest of the node.
type Deps struct {
	// Key signs the messages this node writes.
	Key        ic.PrivKey
	Store      Store
	Net        Net
	Publisher  Publisher
	Spawner    Spawner
	Colleagues Colleagues
	Messages   Messages
	Dialer     Dialer
	Transfers  Transfers
	Invites    Invites
	// Blocks is the user's block list; nil blocks nobody.
	Blocks Blocks
	// Reads takes colleagues' read receipts; nil drops them.
	Reads Reads
}

// Reads takes what a colleague says their window showed of our DMs: all
// of ours up to upTo, at their clock's at.
type Reads interface {
	ReadReceived(ctx context.Context, from peer.ID, upTo string, at time.Time)
}

// Blocks tells whether the user blocked a colleague: nothing is sent to
// them, and nothing they send is kept.
type Blocks interface {
	IsBlocked(id peer.ID) bool
}

type noBlocks struct{}

func (noBlocks) IsBlocked(peer.ID) bool { return false }

// Store is the history the messages and the outbox live in.
type Store interface {
	InsertOutgoingMany(ctx context.Context, out []storage.Outgoing) ([]storage.Message, error)
	InsertIncoming(ctx context.Context, m storage.Message) (stored storage.Message, inserted bool, err error)
	History(ctx context.Context, conv string, beforeSeq int64, limit int) ([]storage.Message, error)
	Outbox(ctx context.Context, peer string, limit int) ([]storage.Message, error)
	OutboxPeers(ctx context.Context) ([]string, error)
	MarkDelivered(ctx context.Context, author, id string) (m storage.Message, changed bool, err error)
}

// Net is the network host messages leave by.
type Net interface {
	ID() peer.ID
	IsConnected(id peer.ID) bool
	SendDMs(ctx context.Context, to peer.ID, msgs []p2p.DM, onAck func(p2p.DM) error) error
}

// Publisher announces what happened to a message.
type Publisher interface {
	Publish(e chat.Event)
}

// Spawner runs fn in a goroutine the node owns and waits for on close; it
// may decline once the node is closing.
type Spawner interface {
	Go(fn func(ctx context.Context))
}

// Colleagues finds the colleague a user means and names them.
type Colleagues interface {
	Resolve(ctx context.Context, ref string) (peer.ID, error)
	Name(ctx context.Context, id peer.ID) string
}

// Messages shows a stored message as the vocabulary's Message; names maps
// peer ids to display names (nil: none known).
type Messages interface {
	ToMessage(m storage.Message, names map[string]string) chat.Message
}

// Dialer reaches a colleague a message waits for.
type Dialer interface {
	Reconnect(ctx context.Context, id peer.ID)
}

// Transfers takes the file offers and file status reports messages carry.
type Transfers interface {
	OfferReceived(ctx context.Context, from peer.ID, conv string, o *p2p.FileOffer)
	FileStatusReceived(ctx context.Context, from peer.ID, st *p2p.FileStatus)
}

// Invites takes the room invitations messages carry; they wait there for
// the user's consent.
type Invites interface {
	InviteReceived(ctx context.Context, from peer.ID, inv *p2p.RoomInvite)
	// RoomKeyReceived takes a room's key for a new epoch: applied, not
	// shown.
	RoomKeyReceived(ctx context.Context, from peer.ID, k *p2p.RoomKey)
}

var (
	_ Store = (*storage.Store)(nil)
	_ Net   = (*p2p.Node)(nil)
)
