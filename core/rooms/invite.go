package rooms

import (
	"context"
	"encoding/json"
	"fmt"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// InviteCode is a code a colleague types to join the room.
func (m *Manager) InviteCode(ref string) (string, error) {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return "", err
	}
	return hcrypto.RoomInviteCode(j.id, j.name, j.key), nil
}

// JoinCode joins a room from an invite code.
func (m *Manager) JoinCode(ctx context.Context, code string) (chat.Room, error) {
	id, name, key, err := hcrypto.ParseRoomInviteCode(code)
	if err != nil {
		return chat.Room{}, chat.UserErrorf("that room code does not work: %v", err)
	}
	if err := m.join(ctx, storage.Room{ID: id, Name: name, Key: key}); err != nil {
		return chat.Room{}, err
	}
	return m.summary(ctx, m.joined.Get(id))
}

// Invite hands a colleague a room through the end-to-end encrypted DM
// channel, so its key never travels anywhere else. Like any DM it waits in
// the outbox while they are away; they are a member as soon as it arrives.
func (m *Manager) Invite(ctx context.Context, roomRef, peerRef string) (chat.Message, error) {
	j, err := m.joined.Resolve(roomRef)
	if err != nil {
		return chat.Message{}, err
	}
	if j.general {
		return chat.Message{}, chat.UserErrorf("everyone in the workspace is in #general already")
	}
	to, err := m.deps.ResolvePeer(ctx, peerRef)
	if err != nil {
		return chat.Message{}, err
	}
	if to == m.deps.Net.ID() {
		return chat.Message{}, chat.UserErrorf("you are in #%s already", j.name)
	}
	meta, err := json.Marshal(p2p.RoomInvite{Room: j.id, Name: j.name, Key: j.key[:]})
	if err != nil {
		return chat.Message{}, err
	}
	return m.deps.QueueDM(ctx, to, fmt.Sprintf("invited you to #%s", j.name), p2p.DMKindInvite, string(meta))
}

// AcceptInvite joins the room a colleague invited us to. The invitation
// stays in the conversation either way; a bad or conflicting one is only
// logged, so the sender's outbox never retries it forever.
func (m *Manager) AcceptInvite(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) {
	if inv == nil || len(inv.Key) != 32 {
		return
	}
	var key [32]byte
	copy(key[:], inv.Key)
	if err := m.join(ctx, storage.Room{ID: inv.Room, Name: inv.Name, Key: key}); err != nil {
		m.log.Warn("room invitation not accepted", "from", from, "room", inv.Room, "err", err)
	}
}
