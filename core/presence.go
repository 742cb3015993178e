package core

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Workspace kinds.
const (
	WorkspaceOpen    = "open"
	WorkspacePrivate = "private"
)

const (
	settingName       = "name"
	settingStatus     = "status"
	settingStatusText = "status_text"
	settingVersion    = "profile_version"
	settingListenPort = "listen_port"
)

func (s *Service) loadProfile(ctx context.Context) error {
	get := func(k, def string) (string, error) {
		v, ok, err := s.store.Setting(ctx, k)
		if err != nil || !ok {
			return def, err
		}
		return v, nil
	}
	var p p2p.Profile
	var err error
	if p.Name, err = get(settingName, defaultName()); err != nil {
		return fmt.Errorf("load profile: %w", err)
	}
	if s.cfg.Name != "" {
		p.Name = s.cfg.Name
	}
	if p.Status, err = get(settingStatus, chat.StatusAvailable); err != nil {
		return fmt.Errorf("load profile: %w", err)
	}
	if p.StatusText, err = get(settingStatusText, ""); err != nil {
		return fmt.Errorf("load profile: %w", err)
	}
	v, err := get(settingVersion, "0")
	if err != nil {
		return fmt.Errorf("load profile: %w", err)
	}
	p.Version, _ = strconv.ParseInt(v, 10, 64)
	if err := chat.CheckProfileFields(p.Name, p.Status, p.StatusText); err != nil {
		return chat.UserErrorf("the display name %q cannot be used: %v", p.Name, err)
	}
	return s.saveProfile(ctx, p)
}

// saveProfile persists p with a fresh version, then makes it current.
func (s *Service) saveProfile(ctx context.Context, p p2p.Profile) error {
	p.Version = max(p.Version+1, time.Now().UnixMilli())
	for k, v := range map[string]string{
		settingName: p.Name, settingStatus: p.Status, settingStatusText: p.StatusText,
		settingVersion: strconv.FormatInt(p.Version, 10),
	} {
		if err := s.store.SetSetting(ctx, k, v); err != nil {
			return fmt.Errorf("save profile: %w", err)
		}
	}
	s.profileMu.Lock()
	s.profile = p
	s.profileMu.Unlock()
	return nil
}

func (s *Service) currentProfile() p2p.Profile {
	s.profileMu.Lock()
	defer s.profileMu.Unlock()
	return s.profile
}

// Self describes this node.
func (s *Service) Self(ctx context.Context) (chat.Self, error) {
	p := s.currentProfile()
	me := chat.Self{
		PeerID:      s.node.ID().String(),
		Name:        p.Name,
		Fingerprint: hcrypto.Fingerprint(s.key.GetPublic()),
		Status:      p.Status,
		StatusText:  p.StatusText,
		Workspace:   WorkspaceOpen,
		DataDir:     s.cfg.DataDir,
	}
	me.WorkspaceTag = s.workspaceTag()
	if s.ws != nil {
		me.Workspace = WorkspacePrivate
	}
	for _, a := range s.node.Addrs() {
		me.Addrs = append(me.Addrs, a.String())
	}
	me.OtherWorkspaces = s.otherWorkspaces()
	return me, nil
}

func (s *Service) workspaceTag() string {
	if s.ws == nil {
		return hcrypto.OpenWorkspaceTag
	}
	return s.ws.Tag()
}

// SetStatus changes presence and tells every online colleague at once.
func (s *Service) SetStatus(ctx context.Context, status, text string) error {
	p := s.currentProfile()
	p.Status, p.StatusText = status, text
	return s.changeProfile(ctx, p)
}

// SetName changes the display name and tells every online colleague.
func (s *Service) SetName(ctx context.Context, name string) error {
	p := s.currentProfile()
	p.Name = name
	return s.changeProfile(ctx, p)
}

func (s *Service) changeProfile(ctx context.Context, p p2p.Profile) error {
	if err := chat.CheckProfileFields(p.Name, p.Status, p.StatusText); err != nil {
		return chat.UserErrorf("%v", err)
	}
	if err := s.saveProfile(ctx, p); err != nil {
		return err
	}
	me, _ := s.Self(ctx)
	s.bus.publish(chat.ProfileChanged{Self: me})
	s.pushProfileToAll(ctx)
	return nil
}

// pushProfileToAll tells every connected colleague our profile, in
// parallel, and returns when all have it or failed.
func (s *Service) pushProfileToAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, id := range s.node.ConnectedPeers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.pushProfile(ctx, id)
		}()
	}
	wg.Wait()
}

func (s *Service) pushProfile(ctx context.Context, id peer.ID) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	p := s.currentProfile()
	p.Known = s.knownPeersFor(id)
	if err := s.node.PushProfile(ctx, id, p); err != nil {
		s.log.Debug("profile push failed", "peer", id, "err", err)
	}
}

// knownPeersFor lists connected colleagues and their addresses for id, so
// that peers on another subnet, unreachable by mDNS, find each other.
func (s *Service) knownPeersFor(id peer.ID) []p2p.KnownPeer {
	var known []p2p.KnownPeer
	for _, other := range s.node.ConnectedPeers() {
		if other == id || len(known) == 64 {
			continue
		}
		var addrs []string
		for _, a := range s.node.PeerAddrs(other) {
			if len(addrs) < 8 {
				addrs = append(addrs, a.String())
			}
		}
		if len(addrs) > 0 {
			known = append(known, p2p.KnownPeer{ID: other.String(), Addrs: addrs})
		}
	}
	return known
}

// acceptProfile records a colleague's profile unless a newer one was seen.
func (s *Service) acceptProfile(ctx context.Context, from peer.ID, p p2p.Profile) (bool, error) {
	s.seenMu.Lock()
	if p.Version <= s.seenVersion[from] {
		s.seenMu.Unlock()
		return false, nil
	}
	s.seenVersion[from] = p.Version
	s.seenMu.Unlock()
	rec := storage.Peer{
		ID:         from.String(),
		PubKey:     s.node.PubKey(from),
		Name:       p.Name,
		Status:     p.Status,
		StatusText: p.StatusText,
		LastSeen:   time.Now(),
	}
	for _, a := range s.node.PeerAddrs(from) {
		rec.Addrs = append(rec.Addrs, a.String())
	}
	if err := s.store.UpsertPeer(ctx, rec); err != nil {
		return false, fmt.Errorf("record colleague %s: %w", from.ShortString(), err)
	}
	return true, nil
}
