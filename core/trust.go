package core

import (
	"context"
	"fmt"
	"strings"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/text/unicode/norm"
)

// nameKey folds the differences a reader does not see: case, compatibility
// forms (full-width letters, ligatures) and spacing.
func nameKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(name))), " ")
}

// trustState is one read of everything trust is computed from.
type trustState struct {
	peers    []storage.Peer
	verified map[string]storage.Verification
	labels   map[string]string
}

func (s *Service) readTrust(ctx context.Context) (trustState, error) {
	peers, err := s.store.Peers(ctx)
	if err != nil {
		return trustState{}, fmt.Errorf("read colleagues: %w", err)
	}
	vs, err := s.store.Verifications(ctx)
	if err != nil {
		return trustState{}, err
	}
	labels, err := s.store.Labels(ctx)
	if err != nil {
		return trustState{}, err
	}
	st := trustState{peers: peers, verified: map[string]storage.Verification{}, labels: labels}
	for _, v := range vs {
		st.verified[v.Peer] = v
	}
	return st, nil
}

// warnings finds every colleague whose name another key had first: a
// verified colleague's name on another key is impersonation; a name known
// from an earlier colleague is "taken". Colleagues the user verified are
// never the suspect.
func (st trustState) warnings() map[string]chat.NameWarning {
	byName := map[string][]storage.Peer{}
	for _, p := range st.peers {
		if k := nameKey(p.Name); k != "" {
			byName[k] = append(byName[k], p)
		}
	}
	// Names colleagues had when verified count too: a verified colleague
	// who renamed keeps a claim on the name the user knows them by.
	for id, v := range st.verified {
		if k := nameKey(v.Name); k != "" {
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

func (s *Service) trustOf(st trustState, warns map[string]chat.NameWarning, p storage.Peer) chat.Trust {
	id, _ := peer.Decode(p.ID)
	t := chat.Trust{PeerID: p.ID, Name: p.Name, Fingerprint: fingerprintOf(id), Label: st.labels[p.ID]}
	if pub, err := id.ExtractPublicKey(); err == nil {
		t.SafetyNumber, _ = hcrypto.SafetyNumber(s.key.GetPublic(), pub)
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
func (s *Service) Trusts(ctx context.Context) (map[string]chat.Trust, error) {
	st, err := s.readTrust(ctx)
	if err != nil {
		return nil, err
	}
	warns := st.warnings()
	out := make(map[string]chat.Trust, len(st.peers))
	for _, p := range st.peers {
		out[p.ID] = s.trustOf(st, warns, p)
	}
	return out, nil
}

// TrustOf describes one colleague: a peer ID, unique name or NAME#12345.
func (s *Service) TrustOf(ctx context.Context, ref string) (chat.Trust, error) {
	id, err := s.Resolve(ctx, ref)
	if err != nil {
		return chat.Trust{}, err
	}
	if id == s.node.ID() {
		return chat.Trust{}, chat.UserErrorf("that is you; a safety number is for you and a colleague")
	}
	st, err := s.readTrust(ctx)
	if err != nil {
		return chat.Trust{}, err
	}
	p := storage.Peer{ID: id.String()}
	for _, q := range st.peers {
		if q.ID == p.ID {
			p = q
		}
	}
	return s.trustOf(st, st.warnings(), p), nil
}

// Verify records that the user compared the safety number with the
// colleague in person; verified=false takes that back.
func (s *Service) Verify(ctx context.Context, ref string, verified bool) (chat.Trust, error) {
	t, err := s.TrustOf(ctx, ref)
	if err != nil {
		return chat.Trust{}, err
	}
	if verified {
		if t.Fingerprint == "" {
			return chat.Trust{}, chat.UserErrorf("this colleague's key is unknown; connect to them first")
		}
		err = s.store.SetVerified(ctx, storage.Verification{Peer: t.PeerID, Name: t.Name, Fingerprint: t.Fingerprint})
	} else {
		_, err = s.store.ClearVerified(ctx, t.PeerID)
	}
	if err != nil {
		return chat.Trust{}, fmt.Errorf("save verification: %w", err)
	}
	return s.publishTrust(ctx, t.PeerID)
}

func (s *Service) publishTrust(ctx context.Context, id string) (chat.Trust, error) {
	t, err := s.TrustOf(ctx, id)
	if err != nil {
		return chat.Trust{}, err
	}
	s.bus.publish(chat.TrustChanged{Trust: t})
	return t, nil
}

// runTrustWatch raises a NameWarningRaised event the first time a
// colleague's name collides with another key's, as profiles arrive.
func (s *Service) runTrustWatch(ctx context.Context) error {
	events := s.Subscribe(ctx)
	warned := map[string]string{}
	check := func() {
		st, err := s.readTrust(ctx)
		if err != nil {
			return
		}
		for id, w := range st.warnings() {
			if warned[id] != w.Kind+"\x00"+w.Of {
				warned[id] = w.Kind + "\x00" + w.Of
				s.bus.publish(chat.NameWarningRaised{Warning: w})
			}
		}
	}
	check()
	for e := range events {
		switch e.(type) {
		case chat.PeerOnline, chat.PeerUpdated, TrustChanged:
			check()
		}
	}
	return nil
}
