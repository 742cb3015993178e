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
// It derives what it needs once per view of the names (nameView), which is
// read again only when the store says what names colleagues changed (a
// new colleague, a new name, a verification), so naming a burst of
// messages costs a map lookup each, and so do the profiles of an office
// arriving, which nearly all bring names known already.
type Authors struct {
	book     *TrustBook
	selfName func() string

	mu   sync.Mutex // guards snap
	snap *authorSnapshot
}

// authorSnapshot is everything naming needs, derived from one view of
// the names.
type authorSnapshot struct {
	view  *nameView
	known map[string]chat.Author // by peer id, colleagues with a name
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
	if _, met := snap.known[id]; !met && who.Name != "" && sameName(who.Name, a.selfName()) {
		who.Warning = &chat.NameWarning{PeerID: id, Name: who.Name, Kind: chat.WarnImpersonation, Of: a.book.self.ID().String(),
			Message: fmt.Sprintf("%q is your own name, on another key. Someone may be impersonating you.", who.Name)}
	}
	return who
}

func (a *Authors) snapshot(ctx context.Context) (*authorSnapshot, error) {
	view, err := a.book.names(ctx) // an author is named by names and verifications alone
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.snap != nil && a.snap.view == view {
		return a.snap, nil
	}
	snap := &authorSnapshot{view: view, known: map[string]chat.Author{}, claims: map[string][]claim{}}
	for _, p := range view.st.peers {
		if p.Name == "" {
			continue
		}
		who := view.author(p)
		snap.known[p.ID] = who
		snap.addClaim(claim{id: p.ID, name: p.Name, verified: who.Verified})
	}
	for id, v := range view.st.verified {
		snap.addClaim(claim{id: id, name: v.Name, verified: true})
	}
	a.snap = snap
	return snap, nil
}

func (s *authorSnapshot) addClaim(c claim) {
	k := s.view.key(c.name)
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
	if who, ok := s.known[id]; ok {
		return who
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
