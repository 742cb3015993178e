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

// dmFrame is the wire form of a queued DM.
func dmFrame(m storage.Message) p2p.DM {
	d := p2p.DM{ID: m.ID, Text: m.Text, SentAt: m.SentAt.UnixMilli(), Sig: []byte(m.Sig)}
	if m.Sig == "" {
		d.Sig = nil
	}
	switch m.Kind {
	case p2p.DMKindInvite:
		var inv p2p.RoomInvite
		if json.Unmarshal([]byte(m.Meta), &inv) == nil {
			d.Kind, d.Invite = p2p.DMKindInvite, &inv
		}
	case p2p.DMKindFile:
		var o p2p.FileOffer
		if json.Unmarshal([]byte(m.Meta), &o) == nil {
			d.Kind, d.File = p2p.DMKindFile, &o
		}
	case p2p.DMKindFileStatus:
		var st p2p.FileStatus
		if json.Unmarshal([]byte(m.Meta), &st) == nil {
			d.Kind, d.FileStatus = p2p.DMKindFileStatus, &st
		}
	}
	return d
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
