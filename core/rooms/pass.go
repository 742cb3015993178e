package rooms

import (
	"bytes"
	"context"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Workspace passes (passlog.go, crypto/pass.go): an admin opens one for
// newcomers to enter while no admin is online; any member's node lets
// them in (enter.go).

// PassOptions shape a new pass; zero values are the defaults.
type PassOptions struct {
	// Uses is how many may enter with it: 1 unless set.
	Uses int
	// Expires is how long it lasts: DefaultPassLifetime unless set, at
	// most hcrypto.MaxPassLifetimeMillis.
	Expires time.Duration
}

// DefaultPassLifetime is how long a pass lasts unless told.
const DefaultPassLifetime = 7 * 24 * time.Hour

// OpenPass has an admin open a pass: its terms go into the workspace
// room's log; its code, which holds the workspace key and the pass's
// private key, is returned once and kept nowhere.
func (m *Manager) OpenPass(ctx context.Context, opt PassOptions) (chat.WorkspacePass, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return chat.WorkspacePass{}, err
	}
	if !j.roster().canManage(m.deps.Net.ID().String()) {
		return chat.WorkspacePass{}, chat.UserErrorf("only a workspace admin can open a pass")
	}
	maxLife := time.Duration(hcrypto.MaxPassLifetimeMillis) * time.Millisecond
	switch {
	case opt.Uses == 0:
		opt.Uses = 1
	case opt.Uses < 0 || opt.Uses > hcrypto.MaxPassUses:
		return chat.WorkspacePass{}, chat.UserErrorf("a pass lets in 1 to %d colleagues, not %d", hcrypto.MaxPassUses, opt.Uses)
	}
	switch {
	case opt.Expires == 0:
		opt.Expires = DefaultPassLifetime
	case opt.Expires < time.Minute || opt.Expires > maxLife:
		return chat.WorkspacePass{}, chat.UserErrorf("a pass lasts from a minute to %d days, not %v", maxLife/(24*time.Hour), opt.Expires)
	}
	inv := hcrypto.Invite{Key: *m.cfg.Workspace, Room: j.id}
	if m.deps.NetworkKey != nil {
		inv.Network = m.deps.NetworkKey()
	}
	code, err := hcrypto.NewPass(inv)
	if err != nil {
		return chat.WorkspacePass{}, err
	}
	terms := hcrypto.PassTerms{Key: code.PassKey(), Uses: uint32(opt.Uses), Expires: m.now().Add(opt.Expires).UnixMilli()}
	terms.Sign(code.Private(), j.id) // what newcomers check members by (enter.go)
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyAdd, Payload: terms.Marshal()})
	if err != nil {
		return chat.WorkspacePass{}, err
	}
	if err := accepted(j, e); err != nil {
		return chat.WorkspacePass{}, err
	}
	m.log.Info("opened a workspace pass", "pass", code.PassKey().Short(), "uses", opt.Uses, "expires", time.UnixMilli(terms.Expires))
	for _, p := range m.passesOf(ctx, j) {
		if p.ID == code.PassKey().Short() {
			p.Code, err = code.Encode()
			return p, err
		}
	}
	return chat.WorkspacePass{}, chat.UserErrorf("the pass did not reach the workspace's log")
}

// Passes lists the workspace's passes, newest first.
func (m *Manager) Passes(ctx context.Context) ([]chat.WorkspacePass, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return nil, err
	}
	return m.passesOf(ctx, j), nil
}

func (m *Manager) passesOf(ctx context.Context, j *Joined) []chat.WorkspacePass {
	r := j.roster()
	list := make([]*pass, 0, len(r.passes))
	for _, p := range r.passes {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b *pass) int { return b.pos - a.pos })
	now := m.now()
	out := make([]chat.WorkspacePass, 0, len(list))
	for _, p := range list {
		by, ok := m.colleagueOf(ctx, p.by, r.names[p.by])
		if !ok {
			by = chat.Colleague{PeerID: p.by}
		}
		out = append(out, chat.WorkspacePass{ID: p.terms.Key.Short(), By: by, Uses: int(p.terms.Uses), Used: len(p.used),
			Entrants: slices.Clone(p.used), ExpiresAt: time.UnixMilli(p.terms.Expires).UTC(), Closed: p.closed,
			Open: r.passState(p, now) == passLive})
	}
	return out
}

// ClosePass has an admin close a pass, named by its id (or a longer
// prefix of its key in hex): nobody enters by it from then on.
func (m *Manager) ClosePass(ctx context.Context, id string) error {
	j, err := m.workspaceRoom()
	if err != nil {
		return err
	}
	r := j.roster()
	if !r.canManage(m.deps.Net.ID().String()) {
		return chat.UserErrorf("only a workspace admin can close a pass")
	}
	id = strings.ToLower(strings.TrimSpace(id))
	var found *pass
	for k, p := range r.passes {
		if len(id) >= 8 && strings.HasPrefix(hex.EncodeToString(k[:]), id) {
			found = p
		}
	}
	switch {
	case found == nil:
		return chat.UserErrorf("no pass %q in this workspace (hallway workspace passes lists them)", id)
	case found.closed:
		return nil // as asked already
	}
	key := found.terms.Key
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyRemove, Target: bytes.Clone(key[:])})
	if err != nil {
		return err
	}
	return accepted(j, e)
}

// Entrant reports whether p may connect only to enter by a pass: the
// workspace admits members by admins, p is neither a member nor admitted,
// and a pass is open. The gater lets such a peer in (see Admits); the
// node serves it the enter protocol alone.
func (m *Manager) Entrant(p peer.ID) bool {
	return !m.Admits(p) && m.PassOpen()
}

// PassOpen reports whether someone may still enter the workspace by a
// pass, by our clock.
func (m *Manager) PassOpen() bool {
	j, err := m.workspaceRoom()
	return err == nil && j.roster().passOpen(m.now())
}
