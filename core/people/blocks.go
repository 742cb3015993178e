package people

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"hallway/chat"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Blocklist keeps the colleagues the user blocked, by key. It answers
// "is this key blocked?" for every path that takes something from the
// network (the connection gater, direct messages, room gossip and sync,
// profiles, file offers and requests, the dialer) from memory, and keeps
// the list in history so that a block survives restarts.
type Blocklist struct {
	store  BlockStore
	self   Self
	names  Colleagues
	net    Disconnector
	redial Redialer
	pub    Publisher

	mu  sync.RWMutex // guards ids
	ids map[peer.ID]bool
}

// BlocklistDeps are what the block list works with.
type BlocklistDeps struct {
	Store     BlockStore
	Self      Self
	Names     Colleagues   // the name a colleague has when blocked, and the PeerUpdated event
	Net       Disconnector // closes a blocked colleague's connections
	Redial    Redialer     // reaches an unblocked colleague again
	Publisher Publisher
}

// NewBlocklist returns an empty block list; Load reads it from history.
func NewBlocklist(deps BlocklistDeps) *Blocklist {
	return &Blocklist{store: deps.Store, self: deps.Self, names: deps.Names, net: deps.Net, redial: deps.Redial,
		pub: deps.Publisher, ids: map[peer.ID]bool{}}
}

// Load reads the block list from history. It runs before the network
// starts, so a block holds from the first connection on.
func (b *Blocklist) Load(ctx context.Context) error {
	list, err := b.store.Blocks(ctx)
	if err != nil {
		return fmt.Errorf("read blocked colleagues: %w", err)
	}
	ids := map[peer.ID]bool{}
	for _, e := range list {
		if id, err := peer.Decode(e.Peer); err == nil {
			ids[id] = true
		}
	}
	b.mu.Lock()
	b.ids = ids
	b.mu.Unlock()
	return nil
}

// IsBlocked reports whether the user blocked id. It is called for every
// connection and every message, so it only reads memory.
func (b *Blocklist) IsBlocked(id peer.ID) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.ids[id]
}

// BlockedIDs lists every blocked key.
func (b *Blocklist) BlockedIDs() []peer.ID {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]peer.ID, 0, len(b.ids))
	for id := range b.ids {
		out = append(out, id)
	}
	return out
}

// Block blocks a colleague: saved first, then every connection to them is
// closed and refused from then on. Blocking again updates the reason.
func (b *Blocklist) Block(ctx context.Context, id peer.ID, reason string) (chat.Block, error) {
	reason = strings.TrimSpace(reason)
	if id == b.self.ID() {
		return chat.Block{}, chat.UserErrorf("that is you; you cannot block yourself")
	}
	if len(reason) > chat.MaxBlockReason {
		return chat.Block{}, chat.UserErrorf("the reason is %d bytes long; keep it under %d", len(reason), chat.MaxBlockReason)
	}
	if !utf8.ValidString(reason) {
		return chat.Block{}, chat.UserErrorf("the reason must be text (UTF-8)")
	}
	name := b.names.Colleague(ctx, id).Name
	if err := b.store.SetBlocked(ctx, storage.Block{Peer: id.String(), Name: name, Reason: reason}); err != nil {
		return chat.Block{}, fmt.Errorf("save the block: %w", err)
	}
	b.mu.Lock()
	b.ids[id] = true
	b.mu.Unlock()
	b.net.Disconnect(id)
	b.pub.Publish(chat.PeerUpdated{Peer: b.names.Colleague(ctx, id)})
	return b.find(ctx, id)
}

// Unblock lets a blocked colleague connect again. What they sent while
// blocked was refused, not kept: their Hallway still holds their direct
// messages and sends them now, and room sync fetches their room posts
// from whoever has them.
func (b *Blocklist) Unblock(ctx context.Context, id peer.ID) (chat.Block, error) {
	e, err := b.find(ctx, id)
	if err != nil {
		return chat.Block{}, err
	}
	if _, err := b.store.ClearBlocked(ctx, id.String()); err != nil {
		return chat.Block{}, fmt.Errorf("remove the block: %w", err)
	}
	b.mu.Lock()
	delete(b.ids, id)
	b.mu.Unlock()
	b.pub.Publish(chat.PeerUpdated{Peer: b.names.Colleague(ctx, id)})
	b.redial.Reconnect(ctx, id)
	return e, nil
}

// List is every blocked colleague, oldest block first.
func (b *Blocklist) List(ctx context.Context) ([]chat.Block, error) {
	list, err := b.store.Blocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("read blocked colleagues: %w", err)
	}
	out := make([]chat.Block, 0, len(list))
	for _, e := range list {
		id, _ := peer.Decode(e.Peer)
		out = append(out, chat.Block{PeerID: e.Peer, Name: e.Name, Fingerprint: fingerprintOf(id), Reason: e.Reason, At: e.At})
	}
	return out, nil
}

func (b *Blocklist) find(ctx context.Context, id peer.ID) (chat.Block, error) {
	list, err := b.List(ctx)
	if err != nil {
		return chat.Block{}, err
	}
	for _, e := range list {
		if e.PeerID == id.String() {
			return e, nil
		}
	}
	name := b.names.Colleague(ctx, id).Name
	if name == "" {
		name = id.String()
	}
	return chat.Block{}, chat.UserErrorf("%s is not blocked", name)
}
