package people

import (
	"context"
	"fmt"
	"sync"

	"hallway/chat"
	"hallway/lookalike"
)

// Authors names the writers of messages from what this node knows of
// their keys: a colleague met is shown under the name of their profile,
// with the verified mark and any warning; what a message says its author
// is called is used only for a key never met, and only after the checks a
// profile name passes, including the warning when it looks like the name
// of a colleague already known. The own key is not named here.
//
// It caches what it derives from history until the store says what names
// colleagues changed (a new colleague, a new name, a verification; what it
// read while one changed is not kept), so naming a burst of messages costs
// a map lookup each, and so do the profiles of an office arriving, which
// nearly all bring names known already.
type Authors struct {
	book     *TrustBook
	selfName func() string

	mu   sync.Mutex // guards snap
	snap *authorSnapshot
}

// authorSnapshot is everything naming needs, at one store version.
type authorSnapshot struct {
	version uint64
	trusts  map[string]chat.Trust // by peer id, colleagues with a name
	// claims holds, by name key, the colleagues a name belongs to: every
	// known colleague's name and the name each verified one had then.
	claims map[string][]claim
}

type claim struct {
	id       string
	name     string // as the user knows it
	verified bool
}

// NewAuthors returns the author naming of a trust book; selfName is this
// node's own display name, which a stranger's claim must not pass for
// either.
func NewAuthors(b *TrustBook, selfName func() string) *Authors {
	return &Authors{book: b, selfName: selfName}
}

// Author names the writer of a message: id is their peer id, signed the
// name the message claims.
func (a *Authors) Author(ctx context.Context, id, signed string) chat.Author {
	snap, err := a.snapshot(ctx)
	if err != nil {
		// Without history the claim cannot be checked: show no name, the
		// window and the command line then show the key.
		return chat.Author{}
	}
	who := snap.author(id, signed)
	if _, met := snap.trusts[id]; !met && who.Name != "" && sameName(who.Name, a.selfName()) {
		who.Warning = &chat.NameWarning{PeerID: id, Name: who.Name, Kind: chat.WarnImpersonation, Of: a.book.self.ID().String(),
			Message: fmt.Sprintf("%q is your own name, on another key. Someone may be impersonating you.", who.Name)}
	}
	return who
}

func (a *Authors) snapshot(ctx context.Context) (*authorSnapshot, error) {
	version, settled := a.book.store.NamesVersion()
	a.mu.Lock()
	defer a.mu.Unlock()
	if settled && a.snap != nil && a.snap.version == version {
		return a.snap, nil
	}
	st, err := a.book.readNames(ctx) // an author is named by names and verifications alone
	if err != nil {
		return nil, err
	}
	warns := st.warnings()
	snap := &authorSnapshot{version: version, trusts: map[string]chat.Trust{}, claims: map[string][]claim{}}
	for _, p := range st.peers {
		if p.Name == "" {
			continue
		}
		t := a.book.trustOf(st, warns, p)
		snap.trusts[p.ID] = t
		snap.addClaim(claim{id: p.ID, name: p.Name, verified: t.Verified})
	}
	for id, v := range st.verified {
		snap.addClaim(claim{id: id, name: v.Name, verified: true})
	}
	// Kept only if no write overlapped the read: one that did may have
	// been read in part, or not at all while a later reader saw it.
	if after, still := a.book.store.NamesVersion(); settled && still && after == version {
		a.snap = snap
	}
	return snap, nil
}

func (s *authorSnapshot) addClaim(c claim) {
	k := lookalike.Key(c.name)
	if k == "" {
		return
	}
	for i, old := range s.claims[k] {
		if old.id == c.id {
			s.claims[k][i].verified = old.verified || c.verified
			return
		}
	}
	s.claims[k] = append(s.claims[k], c)
}

func (s *authorSnapshot) author(id, signed string) chat.Author {
	if t, ok := s.trusts[id]; ok {
		return chat.Author{Name: t.Name, Verified: t.Verified, Warning: t.Warning}
	}
	// A key never met: its claim is all there is, checked as a profile
	// name is, and compared with the names of those already known.
	if chat.CheckDisplayName(signed) != nil {
		return chat.Author{}
	}
	out := chat.Author{Name: signed}
	var taken *claim
	for _, c := range s.claims[lookalike.Key(signed)] {
		if c.id == id {
			continue
		}
		if c.verified {
			out.Warning = &chat.NameWarning{PeerID: id, Name: signed, Kind: chat.WarnImpersonation, Of: c.id,
				Message: fmt.Sprintf("%q is not the %s you verified: it is another key. Someone may be impersonating them.", signed, c.name)}
			return out
		}
		if taken == nil {
			taken = &c
		}
	}
	if taken != nil {
		out.Warning = &chat.NameWarning{PeerID: id, Name: signed, Kind: chat.WarnNameTaken, Of: taken.id,
			Message: fmt.Sprintf("another colleague was already called %q: this is a different key. Check the fingerprint before trusting it.", signed)}
	}
	return out
}
