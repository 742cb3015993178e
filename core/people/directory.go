package people

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/lookalike"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Directory lists the colleagues this node has met and finds the one a
// user means. It reads history and live connections; it records nothing.
type Directory struct {
	store    PeerStore
	links    Links
	problems Problems
	blocks   Blocks
}

// DirectoryDeps are what the directory reads.
type DirectoryDeps struct {
	Store    PeerStore
	Links    Links
	Problems Problems // why an offline colleague cannot be reached
	Blocks   Blocks   // nil: nobody is blocked
}

// NewDirectory returns a directory over deps.
func NewDirectory(deps DirectoryDeps) *Directory {
	d := &Directory{store: deps.Store, links: deps.Links, problems: deps.Problems, blocks: deps.Blocks}
	if d.blocks == nil {
		d.blocks = noBlocks{}
	}
	return d
}

// noBlocks blocks nobody.
type noBlocks struct{}

func (noBlocks) IsBlocked(peer.ID) bool { return false }

// fingerprintOf is the fingerprint of id's key, or "" when id does not
// carry its key.
func fingerprintOf(id peer.ID) string {
	pk, err := id.ExtractPublicKey()
	if err != nil {
		return ""
	}
	return hcrypto.Fingerprint(pk)
}

func (d *Directory) describe(p storage.Peer) chat.Colleague {
	id, _ := peer.Decode(p.ID)
	c := chat.Colleague{
		PeerID:      p.ID,
		Name:        p.Name,
		Fingerprint: fingerprintOf(id),
		Online:      d.links.IsConnected(id),
		Status:      p.Status,
		StatusText:  p.StatusText,
		LastSeen:    p.LastSeen,
		Addrs:       p.Addrs,
		Blocked:     d.blocks.IsBlocked(id),
	}
	if c.Blocked {
		// Never shown online, even in the moment between the block and
		// the connection's end.
		c.Online = false
	}
	if !c.Online {
		c.Status, c.StatusText = chat.StatusOffline, ""
		c.Problem = d.problem(id)
	} else {
		c.LastSeen = time.Now()
		var relay peer.ID
		if c.Via, relay = d.links.Route(id); relay != "" {
			c.Relay = relay.String()
		}
	}
	return c
}

// problem is why a colleague is not connected, if known.
func (d *Directory) problem(id peer.ID) string {
	if err := d.problems.LastError(id); err != nil {
		return err.Error()
	}
	return ""
}

// Colleague describes one peer, known or just connected.
func (d *Directory) Colleague(ctx context.Context, id peer.ID) chat.Colleague {
	p, ok, err := d.store.Peer(ctx, id.String())
	if err != nil || !ok {
		p = storage.Peer{ID: id.String()}
	}
	return d.describe(p)
}

// Peers lists every colleague this node has met, and those connected
// whose profile has not arrived yet: online first, then by name.
func (d *Directory) Peers(ctx context.Context) ([]chat.Colleague, error) {
	rows, err := d.store.Peers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list colleagues: %w", err)
	}
	seen := map[string]bool{}
	var out []chat.Colleague
	for _, p := range rows {
		seen[p.ID] = true
		out = append(out, d.describe(p))
	}
	for _, id := range d.links.ConnectedPeers() {
		if !seen[id.String()] {
			out = append(out, d.describe(storage.Peer{ID: id.String()}))
		}
	}
	byName := map[string]int{}
	for _, c := range out {
		byName[lookalike.Key(c.Name)]++
	}
	for i := range out {
		k := lookalike.Key(out[i].Name)
		out[i].NameShared = k != "" && byName[k] > 1
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

// nameWithPrint matches "Ann#79301-56109": a name plus the first groups of
// the fingerprint, to pick one of several colleagues with the same name.
var nameWithPrint = regexp.MustCompile(`^(.*)#([0-9][0-9 -]*)$`)

// Resolve finds the colleague a user means: a peer ID, a unique display
// name (any case), or "name#79301-56109" with at least the first
// hcrypto.ShortFingerprintGroups fingerprint groups. One group is refused:
// a key whose first group matches is cheap to make.
func (d *Directory) Resolve(ctx context.Context, ref string) (peer.ID, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", chat.UserErrorf("name a colleague (a name or a peer ID)")
	}
	if id, err := peer.Decode(ref); err == nil {
		return id, nil
	}
	name, digits, groups := ref, "", 0
	if m := nameWithPrint.FindStringSubmatch(ref); m != nil {
		if dg, n, ok := hcrypto.FingerprintPrefix(m[2]); ok {
			name, digits, groups = m[1], dg, n
		}
	}
	all, err := d.Peers(ctx)
	if err != nil {
		return "", err
	}
	var hits []chat.Colleague
	for _, c := range all {
		if strings.EqualFold(c.Name, name) && (digits == "" || hcrypto.FingerprintHasPrefix(c.Fingerprint, digits)) {
			hits = append(hits, c)
		}
	}
	if digits != "" && groups < hcrypto.ShortFingerprintGroups {
		var cands []string
		for _, c := range all {
			if strings.EqualFold(c.Name, name) {
				cands = append(cands, fullForm(c))
			}
		}
		if len(cands) > 0 {
			return "", chat.NewUserError(fmt.Sprintf("%q gives %d fingerprint group after the name; give at least %d: %s",
				ref, groups, hcrypto.ShortFingerprintGroups, strings.Join(cands, ", ")), chat.ErrAmbiguousPeer)
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
			cands = append(cands, fullForm(c))
		}
		return "", chat.NewUserError(fmt.Sprintf("%d colleagues are called %q; say which: %s", len(hits), name, strings.Join(cands, ", ")), chat.ErrAmbiguousPeer)
	}
}

// fullForm is how a user names c among others of the same name.
func fullForm(c chat.Colleague) string {
	return fmt.Sprintf("%s#%s (%s)", c.Name, hcrypto.ShortFingerprint(c.Fingerprint), c.PeerID)
}
