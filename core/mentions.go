package core

import (
	"context"
	"strings"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

// withMentions turns the "@Name" a user typed in a message to the
// conversation conv ("dm:…" or "room:…") into mentions of the members
// called so (chat.EncodeMentions), by their keys.
func (s *Service) withMentions(ctx context.Context, conv, text string) string {
	if !strings.Contains(text, "@") {
		return text // most messages: no member list to read
	}
	members := s.mentionable(ctx, conv)
	return chat.EncodeMentions(text, members)
}

// mentionable is who a message in conv may mention, by peer id: a
// room's members, or both sides of a DM; each by the name their key is
// known by here.
func (s *Service) mentionable(ctx context.Context, conv string) map[string]string {
	self := s.node.ID()
	out := map[string]string{self.String(): s.currentProfile().Name}
	c, err := chat.ParseConv(conv)
	if err != nil {
		return out
	}
	if c.IsRoom() {
		ms, err := s.rooms.Members(ctx, chat.RoomIDRefPrefix+c.ID())
		if err != nil {
			return out
		}
		for _, m := range ms {
			if !m.You {
				out[m.PeerID] = m.Name
			}
		}
		return out
	}
	if pid, err := peer.Decode(c.ID()); err == nil {
		out[pid.String()] = s.colleague(ctx, pid).Name
	}
	return out
}
