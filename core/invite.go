package core

import (
	"context"
	"encoding/json"
	"fmt"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// InviteToRoom hands a colleague a room through the end-to-end encrypted DM
// channel, so its key never travels anywhere else. Like any DM it waits in
// the outbox while they are away; they are a member as soon as it arrives.
func (s *Service) InviteToRoom(ctx context.Context, roomRef, peerRef string) (chat.Message, error) {
	st, err := s.resolveRoom(roomRef)
	if err != nil {
		return chat.Message{}, err
	}
	if st.general {
		return chat.Message{}, chat.UserErrorf("everyone in the workspace is in #general already")
	}
	to, err := s.Resolve(ctx, peerRef)
	if err != nil {
		return chat.Message{}, err
	}
	if to == s.node.ID() {
		return chat.Message{}, chat.UserErrorf("you are in #%s already", st.name)
	}
	meta, err := json.Marshal(p2p.RoomInvite{Room: st.id, Name: st.name, Key: st.key[:]})
	if err != nil {
		return chat.Message{}, err
	}
	return s.queueDM(ctx, to, fmt.Sprintf("invited you to #%s", st.name), p2p.DMKindInvite, string(meta))
}

// acceptInvite joins the room a colleague invited us to. The invitation
// stays in the conversation either way; a bad or conflicting one is only
// logged, so the sender's outbox never retries it forever.
func (s *Service) acceptInvite(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) {
	if inv == nil || len(inv.Key) != 32 {
		return
	}
	var key [32]byte
	copy(key[:], inv.Key)
	if err := s.joinRoom(ctx, storage.Room{ID: inv.Room, Name: inv.Name, Key: key}); err != nil {
		s.log.Warn("room invitation not accepted", "from", from, "room", inv.Room, "err", err)
	}
}
