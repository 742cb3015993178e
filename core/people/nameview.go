package people

import (
	"context"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/lookalike"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// nameView is what names colleagues as of one count of the store's naming
// writes (Store.NamesVersion): every colleague's name and first sighting,
// the verifications, the warnings they raise and the look-alike key of
// each name. The name watch and the naming of authors share it, so an
// office arriving, whose every newcomer moves the count, costs one read
// of every colleague per newcomer, not one per reader. It is never
// changed once built.
type nameView struct {
	version uint64
	st      trustState
	warns   map[string]chat.NameWarning
	keys    map[string]string // lookalike.Key of every name in st
}

// names returns the view of the store's current naming writes: the one
// kept while the store says no naming write ended or began since it was
// read, else a new read, kept only if no naming write overlapped it (one
// that did may have been read in part). Readers wait for one read in
// progress rather than read too.
func (b *TrustBook) names(ctx context.Context) (*nameView, error) {
	version, settled := b.store.NamesVersion()
	b.viewMu.Lock()
	defer b.viewMu.Unlock()
	if settled && b.view != nil && b.view.version == version {
		return b.view, nil
	}
	st, err := b.readNames(ctx)
	if err != nil {
		return nil, err
	}
	v := &nameView{version: version, st: st, keys: make(map[string]string, len(st.peers))}
	var known map[string]string // the keys of the last view: names rarely change
	if b.view != nil {
		known = b.view.keys
	}
	v.warns = st.warnings(func(name string) string {
		k, ok := v.keys[name]
		if !ok {
			if k, ok = known[name]; !ok {
				k = lookalike.Key(name)
			}
			v.keys[name] = k
		}
		return k
	})
	if after, still := b.store.NamesVersion(); settled && still && after == version {
		b.view = v
	}
	return v, nil
}

// key is the look-alike key of name, computed once per view for the
// names it read.
func (v *nameView) key(name string) string {
	if k, ok := v.keys[name]; ok {
		return k
	}
	return lookalike.Key(name)
}

// author is how a message by colleague p is shown: under their name,
// verified if the user verified this very key, with any warning.
func (v *nameView) author(p storage.Peer) chat.Author {
	a := chat.Author{Name: p.Name}
	if vr, ok := v.st.verified[p.ID]; ok {
		id, err := peer.Decode(p.ID)
		a.Verified = err == nil && hcrypto.FingerprintMatches(vr.Fingerprint, fingerprintOf(id))
	}
	if w, ok := v.warns[p.ID]; ok {
		a.Warning = &w
	}
	return a
}
