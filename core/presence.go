package core

import (
	"context"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Workspace kinds.
const (
	WorkspaceOpen    = "open"
	WorkspacePrivate = "private"
)

const settingListenPort = "listen_port"

func (s *Service) currentProfile() p2p.Profile { return s.presence.Current() }

// Self describes this node.
func (s *Service) Self(ctx context.Context) (chat.Self, error) { return s.presence.Self(ctx) }

func (s *Service) workspace() string {
	if s.ws == nil {
		return WorkspaceOpen
	}
	return WorkspacePrivate
}

func (s *Service) workspaceTag() string {
	if s.ws == nil {
		return hcrypto.OpenWorkspaceTag
	}
	return s.ws.Tag()
}

// SetStatus changes presence and tells every online colleague at once.
func (s *Service) SetStatus(ctx context.Context, status, text string) error {
	return s.presence.SetStatus(ctx, status, text)
}

// SetName changes the display name and tells every online colleague.
func (s *Service) SetName(ctx context.Context, name string) error {
	return s.presence.SetName(ctx, name)
}

func (s *Service) pushProfile(ctx context.Context, id peer.ID) { s.presence.Push(ctx, id) }
