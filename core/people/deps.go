package people

import (
	"context"

	"hallway/chat"
	"hallway/discovery"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// PeerStore reads what history knows about colleagues.
type PeerStore interface {
	Peer(ctx context.Context, id string) (storage.Peer, bool, error)
	Peers(ctx context.Context) ([]storage.Peer, error)
}

// AddrStore lists where known colleagues are, for the dialer's sweeps.
type AddrStore interface {
	PeerStore
	// PeerAddrs lists every colleague with its ID and Addrs alone, in no
	// order; the addresses are shared, never to be changed.
	PeerAddrs(ctx context.Context) ([]storage.Peer, error)
}

// Links tells which colleagues are connected now.
type Links interface {
	IsConnected(id peer.ID) bool
	ConnectedPeers() []peer.ID
	// Route says how: p2p.ViaDirect, or p2p.ViaRelay and through whom.
	Route(id peer.ID) (via string, relay peer.ID)
}

// DialNet opens connections.
type DialNet interface {
	ID() peer.ID
	IsConnected(id peer.ID) bool
	ConnectedPeers() []peer.ID
	Connect(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error
}

// ProfileNet is what presence needs of the network host: this node's
// addresses, who is connected where, and the profile push.
type ProfileNet interface {
	ID() peer.ID
	Addrs() []ma.Multiaddr
	IsConnected(id peer.ID) bool
	ConnectedPeers() []peer.ID
	PeerAddrs(id peer.ID) []ma.Multiaddr
	PubKey(id peer.ID) []byte
	PushProfile(ctx context.Context, to peer.ID, p p2p.Profile) error
	// ThroughMe are addresses that reach our colleagues through our
	// relay, for those who cannot reach them directly; MayRelayFor says
	// for which colleagues to name them (not those holding their relay
	// slots with others).
	ThroughMe() []ma.Multiaddr
	MayRelayFor(id peer.ID) bool
}

// IntakeNet is what discovery intake needs of the network host.
type IntakeNet interface {
	ID() peer.ID
	ListenPort() int
	Connect(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error
}

// Self names this node.
type Self interface {
	ID() peer.ID
}

// SettingStore keeps this node's own profile.
type SettingStore interface {
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
}

// ProfileStore keeps the own profile and records colleagues' profiles.
type ProfileStore interface {
	SettingStore
	UpsertPeer(ctx context.Context, p storage.Peer) error
}

// StaticStore remembers the addresses the user added.
type StaticStore interface {
	StaticPeers(ctx context.Context) ([]string, error)
	AddStaticPeer(ctx context.Context, addr string) (bool, error)
}

// TrustStore keeps verifications and labels.
type TrustStore interface {
	Peers(ctx context.Context) ([]storage.Peer, error)
	// PeerNames lists every colleague with its ID, Name and FirstSeen
	// alone.
	PeerNames(ctx context.Context) ([]storage.Peer, error)
	Verifications(ctx context.Context) ([]storage.Verification, error)
	SetVerified(ctx context.Context, v storage.Verification) error
	ClearVerified(ctx context.Context, peer string) (bool, error)
	Labels(ctx context.Context) (map[string]string, error)
	SetLabel(ctx context.Context, peer, label string) error
	// NamesVersion counts the writes that ended of what names
	// colleagues (a new colleague, a changed name, a verification), and
	// says whether none is under way: names and verifications read
	// between two calls that return the same count, settled, hold until
	// the count changes.
	NamesVersion() (n uint64, settled bool)
}

// BlockStore keeps the block list.
type BlockStore interface {
	Blocks(ctx context.Context) ([]storage.Block, error)
	SetBlocked(ctx context.Context, b storage.Block) error
	ClearBlocked(ctx context.Context, peer string) (bool, error)
}

// Blocks tells whether the user blocked a key.
type Blocks interface {
	IsBlocked(id peer.ID) bool
}

// Disconnector closes every connection to a peer.
type Disconnector interface {
	Disconnect(id peer.ID)
}

// Redialer reaches a known colleague again now.
type Redialer interface {
	Reconnect(ctx context.Context, id peer.ID)
}

// Publisher announces events to the service's subscribers.
type Publisher interface {
	Publish(e chat.Event)
}

// Events follows the service's events until ctx ends.
type Events interface {
	Subscribe(ctx context.Context) <-chan chat.Event
}

// Problems says why the last dial to a colleague failed, if it did.
type Problems interface {
	LastError(id peer.ID) error
}

// Colleagues describes one colleague.
type Colleagues interface {
	Colleague(ctx context.Context, id peer.ID) chat.Colleague
}

// Resolver finds the colleague a user means.
type Resolver interface {
	Resolve(ctx context.Context, ref string) (peer.ID, error)
}

// Workspaces counts the Hallways seen on the LAN in other workspaces.
type Workspaces interface {
	OtherWorkspaces() int
}

var (
	_ PeerStore    = (*storage.Store)(nil)
	_ ProfileStore = (*storage.Store)(nil)
	_ StaticStore  = (*storage.Store)(nil)
	_ TrustStore   = (*storage.Store)(nil)
	_ BlockStore   = (*storage.Store)(nil)
	_ Disconnector = (*p2p.Node)(nil)
	_ Links        = (*p2p.Node)(nil)
	_ DialNet      = (*p2p.Node)(nil)
	_ ProfileNet   = (*p2p.Node)(nil)
	_ IntakeNet    = (*p2p.Node)(nil)
	_ Self         = (*p2p.Node)(nil)

	_ Problems       = (*Dialer)(nil)
	_ Colleagues     = (*Directory)(nil)
	_ Resolver       = (*Directory)(nil)
	_ Workspaces     = (*Intake)(nil)
	_ Blocks         = (*Blocklist)(nil)
	_ Redialer       = (*Dialer)(nil)
	_ discovery.Sink = (*Dialer)(nil)
)
