package people

import (
	"context"
	"fmt"
	"sync"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/lookalike"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TrustBook keeps what the user knows about colleagues' identities beyond
// their keys: verifications, labels, and warnings about names another key
// had first. It never blocks a colleague; it informs the user.
type TrustBook struct {
	key      ic.PubKey
	store    TrustStore
	self     Self
	resolver Resolver
	pub      Publisher
	events   Events

	viewMu sync.Mutex // guards view, and is held while one is read
	view   *nameView  // the last view read while no naming write was under way
}

// TrustConfig configures a TrustBook.
type TrustConfig struct {
	// Key is this node's public identity key, half of every safety number.
	Key ic.PubKey
}

// TrustDeps are what the trust book works with.
type TrustDeps struct {
	Store     TrustStore
	Self      Self
	Resolver  Resolver
	Publisher Publisher
	Events    Events // followed by RunWatch
}

// NewTrustBook returns a trust book; RunWatch raises name warnings.
func NewTrustBook(cfg TrustConfig, deps TrustDeps) *TrustBook {
	return &TrustBook{key: cfg.Key, store: deps.Store, self: deps.Self, resolver: deps.Resolver,
		pub: deps.Publisher, events: deps.Events}
}

// trustState is one read of everything trust is computed from.
type trustState struct {
	peers    []storage.Peer
	verified map[string]storage.Verification
	labels   map[string]string
}

func (b *TrustBook) read(ctx context.Context) (trustState, error) {
	peers, err := b.store.Peers(ctx)
	if err != nil {
		return trustState{}, fmt.Errorf("read colleagues: %w", err)
	}
	st, err := b.verified(ctx, peers)
	if err != nil {
		return trustState{}, err
	}
	if st.labels, err = b.store.Labels(ctx); err != nil {
		return trustState{}, err
	}
	return st, nil
}

// verified is the state of peers with the verifications read.
func (b *TrustBook) verified(ctx context.Context, peers []storage.Peer) (trustState, error) {
	vs, err := b.store.Verifications(ctx)
	if err != nil {
		return trustState{}, err
	}
	st := trustState{peers: peers, verified: make(map[string]storage.Verification, len(vs))}
	for _, v := range vs {
		st.verified[v.Peer] = v
	}
	return st, nil
}

// warnings finds every colleague whose name another key had first: a
// verified colleague's name on another key is impersonation; a name known
// from an earlier colleague is "taken". Colleagues the user verified are
// never the suspect. key is lookalike.Key, or a cache of it.
func (st trustState) warnings(key func(string) string) map[string]chat.NameWarning {
	byName := map[string][]storage.Peer{}
	for _, p := range st.peers {
		if k := key(p.Name); k != "" {
			byName[k] = append(byName[k], p)
		}
	}
	// Names colleagues had when verified count too: a verified colleague
	// who renamed keeps a claim on the name the user knows them by.
	for id, v := range st.verified {
		if k := key(v.Name); k != "" {
			found := false
			for _, p := range byName[k] {
				found = found || p.ID == id
			}
			if !found {
				byName[k] = append(byName[k], storage.Peer{ID: id, Name: v.Name})
			}
		}
	}
	out := map[string]chat.NameWarning{}
	for _, group := range byName {
		if len(group) < 2 {
			continue
		}
		for _, p := range group {
			if _, ok := st.verified[p.ID]; ok || p.FirstSeen.IsZero() {
				continue
			}
			var w *chat.NameWarning
			for _, q := range group {
				if q.ID == p.ID {
					continue
				}
				if v, ok := st.verified[q.ID]; ok {
					w = &chat.NameWarning{PeerID: p.ID, Name: p.Name, Kind: chat.WarnImpersonation, Of: q.ID,
						Message: fmt.Sprintf("%q is not the %s you verified: it is another key. Someone may be impersonating them.", p.Name, v.Name)}
					break
				}
				if w == nil && !q.FirstSeen.IsZero() && q.FirstSeen.Before(p.FirstSeen) {
					w = &chat.NameWarning{PeerID: p.ID, Name: p.Name, Kind: chat.WarnNameTaken, Of: q.ID,
						Message: fmt.Sprintf("another colleague was already called %q: this is a different key. Check the fingerprint before trusting it.", p.Name)}
				}
			}
			if w != nil {
				out[p.ID] = *w
			}
		}
	}
	return out
}

func (b *TrustBook) trustOf(st trustState, warns map[string]chat.NameWarning, p storage.Peer) chat.Trust {
	id, _ := peer.Decode(p.ID)
	t := chat.Trust{PeerID: p.ID, Name: p.Name, Fingerprint: fingerprintOf(id), Label: st.labels[p.ID]}
	if pub, err := id.ExtractPublicKey(); err == nil {
		t.SafetyNumber, _ = hcrypto.SafetyNumber(b.key, pub)
	}
	if v, ok := st.verified[p.ID]; ok && hcrypto.FingerprintMatches(v.Fingerprint, t.Fingerprint) {
		t.Verified, t.VerifiedAt, t.VerifiedName = true, v.At, v.Name
	}
	if w, ok := warns[p.ID]; ok {
		t.Warning = &w
	}
	return t
}

// Trusts describes every known colleague's trust, keyed by peer ID.
func (b *TrustBook) Trusts(ctx context.Context) (map[string]chat.Trust, error) {
	st, err := b.read(ctx)
	if err != nil {
		return nil, err
	}
	warns := st.warnings(lookalike.Key)
	out := make(map[string]chat.Trust, len(st.peers))
	for _, p := range st.peers {
		out[p.ID] = b.trustOf(st, warns, p)
	}
	return out, nil
}

// TrustOf describes one colleague: a peer ID, unique name or NAME#12345-67890.
func (b *TrustBook) TrustOf(ctx context.Context, ref string) (chat.Trust, error) {
	id, err := b.resolver.Resolve(ctx, ref)
	if err != nil {
		return chat.Trust{}, err
	}
	if id == b.self.ID() {
		return chat.Trust{}, chat.UserErrorf("that is you; a safety number is for you and a colleague")
	}
	st, err := b.read(ctx)
	if err != nil {
		return chat.Trust{}, err
	}
	p := storage.Peer{ID: id.String()}
	for _, q := range st.peers {
		if q.ID == p.ID {
			p = q
		}
	}
	return b.trustOf(st, st.warnings(lookalike.Key), p), nil
}

// Verify records that the user compared the safety number with the
// colleague in person; verified=false takes that back.
func (b *TrustBook) Verify(ctx context.Context, ref string, verified bool) (chat.Trust, error) {
	t, err := b.TrustOf(ctx, ref)
	if err != nil {
		return chat.Trust{}, err
	}
	if verified {
		if t.Fingerprint == "" {
			return chat.Trust{}, chat.UserErrorf("this colleague's key is unknown; connect to them first")
		}
		err = b.store.SetVerified(ctx, storage.Verification{Peer: t.PeerID, Name: t.Name, Fingerprint: t.Fingerprint})
	} else {
		_, err = b.store.ClearVerified(ctx, t.PeerID)
	}
	if err != nil {
		return chat.Trust{}, fmt.Errorf("save verification: %w", err)
	}
	return b.publish(ctx, t.PeerID)
}

func (b *TrustBook) publish(ctx context.Context, id string) (chat.Trust, error) {
	t, err := b.TrustOf(ctx, id)
	if err != nil {
		return chat.Trust{}, err
	}
	b.pub.Publish(chat.TrustChanged{Trust: t})
	return t, nil
}
