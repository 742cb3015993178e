package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// generalName is the display name of every workspace's default room.
const generalName = "general"

// roomState is a room this node is a member of.
type roomState struct {
	id      string
	name    string
	key     hcrypto.RoomKey
	general bool
	topic   *p2p.RoomTopic
}

// roomSet holds the joined rooms.
type roomSet struct {
	mu    sync.Mutex
	byID  map[string]*roomState
	order []string
}

func (rs *roomSet) get(id string) *roomState {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.byID[id]
}

func (rs *roomSet) all() []*roomState {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]*roomState, 0, len(rs.byID))
	for _, r := range rs.byID {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *roomState) int { return strings.Compare(a.id, b.id) })
	return out
}

func roomConv(id string) string { return chat.RoomConv(id).String() }

// openRooms subscribes to every joined room and makes sure #general is one.
func (s *Service) openRooms(ctx context.Context) error {
	s.node.SetSyncServer((*handler)(s))
	rooms, err := s.store.Rooms(ctx, false)
	if err != nil {
		return fmt.Errorf("read rooms: %w", err)
	}
	for _, r := range rooms {
		if err := s.subscribe(r); err != nil {
			return err
		}
	}
	gid, gkey := hcrypto.GeneralRoom(s.ws)
	if s.rooms.get(gid) == nil {
		return s.joinRoom(ctx, storage.Room{ID: gid, Name: generalName, Key: gkey, General: true})
	}
	return nil
}

// subscribe starts following a joined room's gossip.
func (s *Service) subscribe(r storage.Room) error {
	st := &roomState{id: r.ID, name: r.Name, key: hcrypto.RoomKey(r.Key), general: r.General}
	t, err := s.node.JoinRoom(r.ID, func(author peer.ID, data []byte) (any, error) {
		env, err := hcrypto.UnmarshalEnvelope(data)
		if err != nil {
			return nil, err
		}
		return s.entryFromEnvelope(st, env, data, &author)
	}, func(from peer.ID, v any) {
		if e, ok := v.(*storage.RoomEntry); ok {
			s.writer.enqueue(e, from)
		}
	})
	if err != nil {
		return fmt.Errorf("room %s: %w", r.Name, err)
	}
	st.topic = t
	s.rooms.mu.Lock()
	s.rooms.byID[r.ID] = st
	s.rooms.mu.Unlock()
	return nil
}

// joinRoom records a room as joined, follows it, says so to its members
// and fetches its history from whoever is online.
func (s *Service) joinRoom(ctx context.Context, r storage.Room) error {
	if existing := s.rooms.get(r.ID); existing != nil {
		if existing.key != hcrypto.RoomKey(r.Key) {
			return chat.UserErrorf("you are already in a room with id %s but another key; the invitation is not valid", r.ID)
		}
		return nil
	}
	if old, ok, err := s.store.Room(ctx, r.ID); err != nil {
		return err
	} else if ok && old.Key != r.Key {
		return chat.UserErrorf("room %s was known with another key; the invitation is not valid", r.ID)
	}
	now := time.Now()
	r.JoinedAt = now
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	if err := s.store.UpsertRoom(ctx, r); err != nil {
		return fmt.Errorf("save room: %w", err)
	}
	if err := s.subscribe(r); err != nil {
		return err
	}
	st := s.rooms.get(r.ID)
	if _, err := s.post(ctx, st, hcrypto.RoomBody{Kind: hcrypto.BodyJoin}); err != nil {
		return err
	}
	s.syncer.syncRoomWithAll(st.id)
	s.publishRoomChanged(ctx, st.id)
	return nil
}

// CreateRoom makes a new room with a fresh key; the creator is its first
// member.
func (s *Service) CreateRoom(ctx context.Context, name string) (chat.Room, error) {
	name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "#"))
	if err := chat.CheckRoomName(name); err != nil {
		return chat.Room{}, chat.UserErrorf("%v", err)
	}
	id, err := hcrypto.NewRoomID()
	if err != nil {
		return chat.Room{}, err
	}
	key, err := hcrypto.NewRoomKey()
	if err != nil {
		return chat.Room{}, err
	}
	if err := s.joinRoom(ctx, storage.Room{ID: id, Name: name, Key: key}); err != nil {
		return chat.Room{}, err
	}
	return s.room(ctx, s.rooms.get(id))
}

func (s *Service) room(ctx context.Context, st *roomState) (chat.Room, error) {
	members, err := s.store.RoomMembers(ctx, st.id)
	if err != nil {
		return chat.Room{}, fmt.Errorf("room members: %w", err)
	}
	unread, err := s.store.UnreadCount(ctx, st.id, s.node.ID().String())
	if err != nil {
		return chat.Room{}, fmt.Errorf("unread count: %w", err)
	}
	return chat.Room{ID: st.id, Name: st.name, General: st.general, Members: len(members), Unread: unread,
		OpenLAN: st.general && s.ws == nil}, nil
}

// Rooms lists the rooms this node is in, #general first.
func (s *Service) Rooms(ctx context.Context) ([]chat.Room, error) {
	var out []chat.Room
	for _, st := range s.rooms.all() {
		r, err := s.room(ctx, st)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b chat.Room) int {
		if a.General != b.General {
			if a.General {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// resolveRoom finds a joined room by "#name", "name" or id.
func (s *Service) resolveRoom(ref string) (*roomState, error) {
	ref = strings.TrimSpace(ref)
	if st := s.rooms.get(strings.TrimPrefix(ref, "#")); st != nil {
		return st, nil
	}
	name := strings.TrimPrefix(ref, "#")
	var hits []*roomState
	var names []string
	for _, st := range s.rooms.all() {
		names = append(names, "#"+st.name)
		if strings.EqualFold(st.name, name) || strings.HasPrefix(st.id, ref) && len(ref) >= 6 {
			hits = append(hits, st)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return nil, chat.NewUserError(fmt.Sprintf("you are in no room called %q; your rooms: %s", ref, strings.Join(names, ", ")), chat.ErrUnknownRoom)
	}
	var cands []string
	for _, st := range hits {
		cands = append(cands, fmt.Sprintf("#%s (%s)", st.name, st.id))
	}
	return nil, chat.NewUserError(fmt.Sprintf("%d rooms match %q; use the id: %s", len(hits), ref, strings.Join(cands, ", ")), chat.ErrAmbiguousRoom)
}

// RoomMembers lists a room's members with their presence.
func (s *Service) RoomMembers(ctx context.Context, ref string) ([]chat.RoomMember, error) {
	st, err := s.resolveRoom(ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.RoomMembers(ctx, st.id)
	if err != nil {
		return nil, fmt.Errorf("room members: %w", err)
	}
	self := s.node.ID().String()
	var out []chat.RoomMember
	for _, m := range rows {
		if m.Peer == self {
			me, _ := s.Self(ctx)
			out = append(out, chat.RoomMember{You: true, Colleague: chat.Colleague{PeerID: self, Name: me.Name,
				Fingerprint: me.Fingerprint, Online: true, Status: me.Status, StatusText: me.StatusText}})
			continue
		}
		id, err := peer.Decode(m.Peer)
		if err != nil {
			continue
		}
		c := s.colleague(ctx, id)
		if c.Name == "" {
			c.Name = m.Name
		}
		out = append(out, chat.RoomMember{Colleague: c})
	}
	return out, nil
}

// LeaveRoom tells the members, stops following the room and keeps its
// history.
func (s *Service) LeaveRoom(ctx context.Context, ref string) error {
	st, err := s.resolveRoom(ref)
	if err != nil {
		return err
	}
	if st.general {
		return chat.UserErrorf("everyone in the workspace is in #general; it cannot be left")
	}
	if _, err := s.post(ctx, st, hcrypto.RoomBody{Kind: hcrypto.BodyLeave}); err != nil {
		return err
	}
	if err := s.store.LeaveRoom(ctx, st.id); err != nil {
		return fmt.Errorf("leave room: %w", err)
	}
	s.rooms.mu.Lock()
	delete(s.rooms.byID, st.id)
	s.rooms.mu.Unlock()
	st.topic.Leave()
	s.bus.publish(chat.RoomChanged{Room: chat.Room{ID: st.id, Name: st.name}, Left: true})
	return nil
}

// RoomInviteCode is a code a colleague types to join the room.
func (s *Service) RoomInviteCode(_ context.Context, ref string) (string, error) {
	st, err := s.resolveRoom(ref)
	if err != nil {
		return "", err
	}
	return hcrypto.RoomInviteCode(st.id, st.name, st.key), nil
}

// JoinRoomCode joins a room from an invite code.
func (s *Service) JoinRoomCode(ctx context.Context, code string) (chat.Room, error) {
	id, name, key, err := hcrypto.ParseRoomInviteCode(code)
	if err != nil {
		return chat.Room{}, chat.UserErrorf("that room code does not work: %v", err)
	}
	if err := s.joinRoom(ctx, storage.Room{ID: id, Name: name, Key: key}); err != nil {
		return chat.Room{}, err
	}
	return s.room(ctx, s.rooms.get(id))
}

func (s *Service) publishRoomChanged(ctx context.Context, id string) {
	if st := s.rooms.get(id); st != nil {
		if r, err := s.room(ctx, st); err == nil {
			s.bus.publish(chat.RoomChanged{Room: r})
		}
	}
}
