package core

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

func fingerprintOf(id peer.ID) string {
	pk, err := id.ExtractPublicKey()
	if err != nil {
		return ""
	}
	return hcrypto.Fingerprint(pk)
}

func (s *Service) toColleague(p storage.Peer) chat.Colleague {
	id, _ := peer.Decode(p.ID)
	c := chat.Colleague{
		PeerID:      p.ID,
		Name:        p.Name,
		Fingerprint: fingerprintOf(id),
		Online:      s.node.IsConnected(id),
		Status:      p.Status,
		StatusText:  p.StatusText,
		LastSeen:    p.LastSeen,
		Addrs:       p.Addrs,
	}
	if !c.Online {
		c.Status, c.StatusText = chat.StatusOffline, ""
		c.Problem = s.connectProblem(id)
	} else {
		c.LastSeen = time.Now()
	}
	return c
}

// colleague describes one peer, known or just connected.
func (s *Service) colleague(ctx context.Context, id peer.ID) chat.Colleague {
	p, ok, err := s.store.Peer(ctx, id.String())
	if err != nil || !ok {
		p = storage.Peer{ID: id.String()}
	}
	return s.toColleague(p)
}

// Peers lists every colleague this node has met, and those connected
// whose profile has not arrived yet.
func (s *Service) Peers(ctx context.Context) ([]chat.Colleague, error) {
	rows, err := s.store.Peers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list colleagues: %w", err)
	}
	seen := map[string]bool{}
	var out []chat.Colleague
	for _, p := range rows {
		seen[p.ID] = true
		out = append(out, s.toColleague(p))
	}
	for _, id := range s.node.ConnectedPeers() {
		if !seen[id.String()] {
			out = append(out, s.toColleague(storage.Peer{ID: id.String()}))
		}
	}
	byName := map[string]int{}
	for _, c := range out {
		byName[strings.ToLower(c.Name)]++
	}
	for i := range out {
		out[i].NameShared = out[i].Name != "" && byName[strings.ToLower(out[i].Name)] > 1
	}
	slices.SortStableFunc(out, func(a, b chat.Colleague) int {
		if a.Online != b.Online {
			if a.Online {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// nameWithPrint matches "Ann#12345": a name plus the first group of the
// fingerprint, to pick one of several colleagues with the same name.
var nameWithPrint = regexp.MustCompile(`^(.*)#(\d{5})$`)

// Resolve finds the colleague a user means: a peer ID, a unique display
// name (any case), or "name#12345" with the first fingerprint group.
func (s *Service) Resolve(ctx context.Context, ref string) (peer.ID, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", chat.UserErrorf("name a colleague (a name or a peer ID)")
	}
	if id, err := peer.Decode(ref); err == nil {
		return id, nil
	}
	name, short := ref, ""
	if m := nameWithPrint.FindStringSubmatch(ref); m != nil {
		name, short = m[1], m[2]
	}
	all, err := s.Peers(ctx)
	if err != nil {
		return "", err
	}
	var hits []chat.Colleague
	for _, c := range all {
		if strings.EqualFold(c.Name, name) && (short == "" || hcrypto.ShortFingerprint(c.Fingerprint) == short) {
			hits = append(hits, c)
		}
	}
	switch len(hits) {
	case 1:
		return peer.Decode(hits[0].PeerID)
	case 0:
		var names []string
		for _, c := range all {
			if c.Name != "" {
				names = append(names, c.Name)
			}
		}
		if len(names) == 0 {
			return "", chat.NewUserError(fmt.Sprintf("no colleague called %q (no colleagues known yet)", ref), chat.ErrUnknownPeer)
		}
		return "", chat.NewUserError(fmt.Sprintf("no colleague called %q; known: %s", ref, strings.Join(names, ", ")), chat.ErrUnknownPeer)
	default:
		var cands []string
		for _, c := range hits {
			cands = append(cands, fmt.Sprintf("%s#%s (%s)", c.Name, hcrypto.ShortFingerprint(c.Fingerprint), c.PeerID))
		}
		return "", chat.NewUserError(fmt.Sprintf("%d colleagues are called %q; say which: %s", len(hits), name, strings.Join(cands, ", ")), chat.ErrAmbiguousPeer)
	}
}
