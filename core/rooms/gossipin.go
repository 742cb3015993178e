package rooms

import (
	"context"
	"fmt"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// gossipIn is a gossiped room message once authenticated: the author its
// signature proves and what the receiver gets.
type gossipIn struct {
	author  peer.ID
	decoded any
}

// admitGossip authenticates one gossiped message of room j: an envelope or
// a receipt. Gossip names no author of its own; the one the message
// claims picks the checks that drop it early (blocked, not of the
// workspace), and its signature, verified next, proves it.
func (m *Manager) admitGossip(j *Joined, data []byte) (gossipIn, error) {
	if hcrypto.IsReceipt(data) {
		s, err := hcrypto.UnmarshalReceipt(data)
		if err != nil {
			return gossipIn{}, err
		}
		author, err := m.gossipAuthor(j, s.Member)
		if err != nil {
			return gossipIn{}, err
		}
		in, err := m.receipts.admit(context.Background(), j, data, true)
		return gossipIn{author, in}, err
	}
	env, err := hcrypto.UnmarshalEnvelope(data)
	if err != nil {
		return gossipIn{}, err
	}
	author, err := m.gossipAuthor(j, env.Author)
	if err != nil {
		return gossipIn{}, err
	}
	if !j.holds(env.Epoch) {
		// A key on its way to us, or an epoch we were left out of:
		// sync fetches it once the key is here.
		return gossipIn{}, fmt.Errorf("%w: no key for epoch %d", p2p.ErrIgnore, env.Epoch)
	}
	e, err := openEntry(m.deps.Net.ID(), j, env, data)
	return gossipIn{author, e}, err
}

// gossipAuthor is the author a gossiped message of j claims, unless the
// message is dropped for it. Dropping on a claim costs no verification; a
// forged claim gains nothing, since the message would be refused anyway.
func (m *Manager) gossipAuthor(j *Joined, claimed []byte) (peer.ID, error) {
	author, err := peer.IDFromBytes(claimed)
	if err != nil {
		return "", fmt.Errorf("gossip author: %w", err)
	}
	if m.deps.Blocks.IsBlocked(author) {
		// Not the forwarder's fault: it did not block them.
		return "", fmt.Errorf("%w: the author is blocked", p2p.ErrIgnore)
	}
	if j.general && author != m.deps.Net.ID() && m.foreignInGeneral(j.id, author.String()) {
		// Not kept here (committer.admit), so not passed on either: a
		// node without the workspace room's log relays no stranger's
		// #general posts to the members around it.
		return "", fmt.Errorf("%w: the author is not a member of the workspace", p2p.ErrIgnore)
	}
	return author, nil
}
