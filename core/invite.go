package core

import (
	"context"
	"encoding/json"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// InviteToRoom hands a colleague a room through the end-to-end encrypted DM
// channel, so its key never travels anywhere else.
func (s *Service) InviteToRoom(ctx context.Context, roomRef, peerRef string) (chat.Message, error) {
	return s.rooms.Invite(ctx, roomRef, peerRef)
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

// acceptInvite joins the room a colleague invited us to; a bad or
// conflicting invitation is only logged.
func (s *Service) acceptInvite(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) {
	s.rooms.AcceptInvite(ctx, from, inv)
}
