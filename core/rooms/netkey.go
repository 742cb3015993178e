package rooms

import (
	"context"
	"encoding/hex"
	"fmt"

	"hallway/chat"
	hcrypto "hallway/crypto"
)

// Rotating the network key (crypto/netkey.go): an admin moves #general to
// a new epoch, whose key goes to the remaining members only (as after a
// revocation), and signs the policy version that names it. Each node runs
// on the key derived from it once it holds both.

// RotateNetworkKey moves the workspace to a new network key (admins only,
// in a workspace that admits members by admins), returning the #general
// epoch it derives from.
func (m *Manager) RotateNetworkKey(ctx context.Context) (uint64, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return 0, err
	}
	if !j.roster().canManage(m.deps.Net.ID().String()) {
		return 0, chat.UserErrorf("only a workspace admin can rotate the network key")
	}
	if !m.generalRekeys() {
		return 0, chat.UserErrorf("the network key is rotated only in a workspace that admits members by admins " +
			"(hallway policy set members.admission admins): otherwise whoever holds the workspace key may come back")
	}
	g := m.general()
	if g == nil {
		return 0, chat.UserErrorf("this node follows no #general to rotate the network key with")
	}
	epoch, key, err := m.rekey(ctx, g.id, nil)
	if err != nil {
		return 0, err
	}
	sig, err := m.cfg.Identity.Sign(hcrypto.RotationMessage(j.id, epoch, key.Commitment()))
	if err != nil {
		return 0, fmt.Errorf("sign the rotation: %w", err)
	}
	doc := m.WorkspacePolicy().WithNetworkKey(epoch, key.Commitment(), m.deps.Net.ID().String(), sig)
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyPolicy, Payload: doc.Marshal()})
	if err != nil {
		return 0, err
	}
	return epoch, accepted(j, e)
}

// NetworkKey is the network key the workspace policy names: ok is false
// when it names none (the workspace key is the network key) or when the
// #general key it derives from is not here yet.
func (m *Manager) NetworkKey() (hcrypto.NetworkKey, bool) {
	doc := m.WorkspacePolicy()
	g := m.general()
	if doc.NetworkEpoch == 0 || g == nil {
		return hcrypto.NetworkKey{}, false
	}
	for _, key := range g.keysOf(doc.NetworkEpoch) {
		if c := key.Commitment(); hex.EncodeToString(c[:]) == doc.NetworkCommit {
			return hcrypto.NetworkKeyFrom(key, doc.NetworkEpoch), true
		}
	}
	return hcrypto.NetworkKey{}, false
}

// NetworkRotated reports whether the workspace policy names a network key
// of its own, held here or not.
func (m *Manager) NetworkRotated() bool { return m.WorkspacePolicy().NetworkEpoch > 0 }
