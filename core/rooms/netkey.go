package rooms

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/policy"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
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
	doc, key, ok := m.rotatedKey()
	if !ok {
		return hcrypto.NetworkKey{}, false
	}
	return hcrypto.NetworkKeyFrom(key, doc.NetworkEpoch), true
}

// rotatedKey is the workspace policy in force and the #general key its
// rotation names, found by its commitment; ok is false with no rotation
// or while that key is not here.
func (m *Manager) rotatedKey() (policy.Document, hcrypto.RoomKey, bool) {
	doc := m.WorkspacePolicy()
	g := m.general()
	if doc.NetworkEpoch == 0 || g == nil {
		return doc, hcrypto.RoomKey{}, false
	}
	for _, key := range g.keysOf(doc.NetworkEpoch) {
		if c := key.Commitment(); hex.EncodeToString(c[:]) == doc.NetworkCommit {
			return doc, key, true
		}
	}
	return doc, hcrypto.RoomKey{}, false
}

// NetworkHandover is what a member who was away is handed on an older
// network key: the #general key the policy's network key derives from,
// with the rotating admin's signature; ok is false with no rotation or
// while that key is not here.
func (m *Manager) NetworkHandover() (p2p.NetKeyHandover, bool) {
	j, err := m.workspaceRoom()
	doc, key, ok := m.rotatedKey()
	if err != nil || !ok {
		return p2p.NetKeyHandover{}, false
	}
	return p2p.NetKeyHandover{Room: j.id, Epoch: doc.NetworkEpoch, Key: bytes.Clone(key[:]),
		By: doc.NetworkBy, Sig: bytes.Clone(doc.NetworkSig)}, true
}

// TakeHandedNetworkKey checks a handover against our own log (a workspace
// admin of ours signed the rotation of our workspace to that key) and
// keeps its #general key, returning the network key it derives.
func (m *Manager) TakeHandedNetworkKey(ctx context.Context, from peer.ID, h p2p.NetKeyHandover) (hcrypto.NetworkKey, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return hcrypto.NetworkKey{}, err
	}
	g := m.general()
	switch {
	case h.Room != j.id:
		return hcrypto.NetworkKey{}, fmt.Errorf("a network key of another workspace")
	case g == nil:
		return hcrypto.NetworkKey{}, fmt.Errorf("no #general to keep its key in")
	}
	by, err := peer.Decode(h.By)
	if err != nil || !m.IsWorkspaceAdmin(by) {
		return hcrypto.NetworkKey{}, fmt.Errorf("the rotation is signed by %s, not an admin of the workspace as far as we know", h.By)
	}
	pub, err := by.ExtractPublicKey()
	if err != nil {
		return hcrypto.NetworkKey{}, fmt.Errorf("the rotating admin's key: %w", err)
	}
	key := hcrypto.RoomKey(h.Key)
	if ok, err := pub.Verify(hcrypto.RotationMessage(h.Room, h.Epoch, key.Commitment()), h.Sig); err != nil || !ok {
		return hcrypto.NetworkKey{}, fmt.Errorf("the rotation's signature does not hold")
	}
	if _, err := m.deps.Store.AddRoomEpochKey(ctx, storage.EpochKey{Room: g.id, Epoch: h.Epoch, Commit: key.Commitment(),
		Key: key, Sender: from.String()}); err != nil {
		return hcrypto.NetworkKey{}, err
	}
	if g.addKey(h.Epoch, key) {
		if err := m.followTopics(g); err != nil {
			return hcrypto.NetworkKey{}, err
		}
	}
	m.log.Info("network key handed over", "epoch", h.Epoch, "from", from, "signed by", by)
	return hcrypto.NetworkKeyFrom(key, h.Epoch), nil
}
