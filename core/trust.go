package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/text/unicode/norm"
)

// Trust is what this node knows about a colleague's identity beyond their
// key: whether the user verified them in person, the pair's safety number,
// the label they are filed under, and any warning about their name.
type Trust struct {
	PeerID       string    `json:"peer_id"`
	Name         string    `json:"name"`
	Fingerprint  string    `json:"fingerprint"`
	SafetyNumber string    `json:"safety_number"`
	Verified     bool      `json:"verified"`
	VerifiedAt   time.Time `json:"verified_at,omitzero"`
	// VerifiedName is the name the colleague had when verified; it
	// differs from Name when they renamed themselves since.
	VerifiedName string       `json:"verified_name,omitempty"`
	Label        string       `json:"label,omitempty"`
	Warning      *NameWarning `json:"warning,omitempty"`
}

// Kinds of name warning, loudest first.
const (
	// WarnImpersonation: a colleague uses the name of one the user
	// verified, with another key.
	WarnImpersonation = "impersonation"
	// WarnNameTaken: a colleague seen later uses the name of one known
	// before, with another key.
	WarnNameTaken = "name_taken"
)

// NameWarning says that a colleague's name is also another key's.
type NameWarning struct {
	PeerID  string `json:"peer_id"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Of      string `json:"of"` // the peer ID whose name is used
	Message string `json:"message"`
}

// TrustChanged: a colleague was verified or unverified, or labelled.
type TrustChanged struct{ Trust Trust }

// NameWarningRaised: a colleague appeared, or renamed themselves, with a
// name that belongs to another key.
type NameWarningRaised struct{ Warning NameWarning }

func (TrustChanged) EventType() string      { return "trust_changed" }
func (NameWarningRaised) EventType() string { return "name_warning" }

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
func (st trustState) warnings() map[string]NameWarning {
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
	out := map[string]NameWarning{}
	for _, group := range byName {
		if len(group) < 2 {
			continue
		}
		for _, p := range group {
			if _, ok := st.verified[p.ID]; ok || p.FirstSeen.IsZero() {
				continue
			}
			var w *NameWarning
			for _, q := range group {
				if q.ID == p.ID {
					continue
				}
				if v, ok := st.verified[q.ID]; ok {
					w = &NameWarning{PeerID: p.ID, Name: p.Name, Kind: WarnImpersonation, Of: q.ID,
						Message: fmt.Sprintf("%q is not the %s you verified: it is another key. Someone may be impersonating them.", p.Name, v.Name)}
					break
				}
				if w == nil && !q.FirstSeen.IsZero() && q.FirstSeen.Before(p.FirstSeen) {
					w = &NameWarning{PeerID: p.ID, Name: p.Name, Kind: WarnNameTaken, Of: q.ID,
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

func (s *Service) trustOf(st trustState, warns map[string]NameWarning, p storage.Peer) Trust {
	id, _ := peer.Decode(p.ID)
	t := Trust{PeerID: p.ID, Name: p.Name, Fingerprint: fingerprintOf(id), Label: st.labels[p.ID]}
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
func (s *Service) Trusts(ctx context.Context) (map[string]Trust, error) {
	st, err := s.readTrust(ctx)
	if err != nil {
		return nil, err
	}
	warns := st.warnings()
	out := make(map[string]Trust, len(st.peers))
	for _, p := range st.peers {
		out[p.ID] = s.trustOf(st, warns, p)
	}
	return out, nil
}

// TrustOf describes one colleague: a peer ID, unique name or NAME#12345.
func (s *Service) TrustOf(ctx context.Context, ref string) (Trust, error) {
	id, err := s.Resolve(ctx, ref)
	if err != nil {
		return Trust{}, err
	}
	if id == s.node.ID() {
		return Trust{}, userErrorf("that is you; a safety number is for you and a colleague")
	}
	st, err := s.readTrust(ctx)
	if err != nil {
		return Trust{}, err
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
func (s *Service) Verify(ctx context.Context, ref string, verified bool) (Trust, error) {
	t, err := s.TrustOf(ctx, ref)
	if err != nil {
		return Trust{}, err
	}
	if verified {
		if t.Fingerprint == "" {
			return Trust{}, userErrorf("this colleague's key is unknown; connect to them first")
		}
		err = s.store.SetVerified(ctx, storage.Verification{Peer: t.PeerID, Name: t.Name, Fingerprint: t.Fingerprint})
	} else {
		_, err = s.store.ClearVerified(ctx, t.PeerID)
	}
	if err != nil {
		return Trust{}, fmt.Errorf("save verification: %w", err)
	}
	return s.publishTrust(ctx, t.PeerID)
}

func (s *Service) publishTrust(ctx context.Context, id string) (Trust, error) {
	t, err := s.TrustOf(ctx, id)
	if err != nil {
		return Trust{}, err
	}
	s.bus.publish(TrustChanged{Trust: t})
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
				s.bus.publish(NameWarningRaised{Warning: w})
			}
		}
	}
	check()
	for e := range events {
		switch e.(type) {
		case PeerOnline, PeerUpdated, TrustChanged:
			check()
		}
	}
	return nil
}
