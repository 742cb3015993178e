package rooms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Limits of what rooms a node takes part in and what waits for consent.
const (
	// MaxRooms is the most rooms a node is in at once, #general included.
	MaxRooms = 500
	// MaxPendingInvites is the most invitations waiting for the user.
	MaxPendingInvites = 100
	// MaxInvitesPerInviter is the most of them from one colleague; more
	// are dropped (and logged) until the user accepts or declines some.
	MaxInvitesPerInviter = 5
)

// inviteStore keeps the invitations waiting for the user's consent.
type inviteStore interface {
	PutRoomInvite(ctx context.Context, inv storage.RoomInvite, lim storage.InviteLimits) (replaced bool, err error)
	RoomInvites(ctx context.Context) ([]storage.RoomInvite, error)
	RoomInvite(ctx context.Context, id string) (storage.RoomInvite, bool, error)
	DeleteRoomInvite(ctx context.Context, id string) (bool, error)
	DeleteRoomInvitesFor(ctx context.Context, room string) ([]storage.RoomInvite, error)
}

// Invite hands a colleague a room through the end-to-end encrypted DM
// channel, so its key never travels anywhere else. Like any DM it waits in
// the outbox while they are away; they join when they accept it.
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
	if !j.roster().canManage(m.deps.Net.ID().String()) {
		return chat.Message{}, chat.UserErrorf("only the owner or an admin of #%s can invite colleagues", j.name)
	}
	if _, in := j.roster().role(to.String()); in {
		return chat.Message{}, chat.UserErrorf("%s is in #%s already", to.ShortString(), j.name)
	}
	add, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyAdd, Target: []byte(to)})
	if err != nil {
		return chat.Message{}, err
	}
	if err := accepted(j, add); err != nil {
		return chat.Message{}, err
	}
	meta, err := json.Marshal(p2p.RoomInvite{Room: j.id, Name: j.name, Key: j.key[:], Add: add.Op.Hash[:]})
	if err != nil {
		return chat.Message{}, err
	}
	msg, err := m.deps.QueueDM(ctx, to, fmt.Sprintf("invited you to #%s", j.name), p2p.DMKindInvite, string(meta))
	if err != nil {
		return msg, err
	}
	// The keys of the epochs since, right behind the invitation in the
	// outbox: its holder accepts them from the inviter (epochs.go).
	return msg, m.handKeys(ctx, j, to)
}

// InviteReceived keeps a colleague's invitation pending until the user
// accepts or declines it; nothing is joined here. The invitation stays in
// the conversation either way; a bad, conflicting or excess one is only
// logged, so the sender's outbox never retries it forever.
func (m *Manager) InviteReceived(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) {
	if err := m.keepInvite(ctx, from, inv); err != nil {
		m.log.Warn("room invitation dropped", "from", from, "err", err)
	}
}

func (m *Manager) keepInvite(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) error {
	if inv == nil || len(inv.Key) != 32 {
		return errors.New("no room key")
	}
	if err := m.admitted(ctx, from, inv); !errors.Is(err, errNotAdmission) {
		return err
	}
	if err := chat.CheckInvitedRoomID(inv.Room); err != nil {
		return err
	}
	if err := chat.CheckRoomName(inv.Name); err != nil {
		return err
	}
	var key [32]byte
	copy(key[:], inv.Key)
	if j := m.joined.Get(inv.Room); j != nil {
		if j.key != hcrypto.RoomKey(key) {
			return fmt.Errorf("room %s is joined under another key", inv.Room)
		}
		if _, cut := j.roster().cutoff(m.deps.Net.ID().String()); !cut {
			return nil // a member already: nothing to ask
		}
		// Removed, or gone, and invited back: that waits for consent too.
	}
	if old, ok, err := m.deps.Store.Room(ctx, inv.Room); err != nil {
		return err
	} else if ok && old.Key != key {
		return fmt.Errorf("room %s was known under another key", inv.Room)
	}
	rec := storage.RoomInvite{ID: inviteID(inv.Room, from), Room: inv.Room, Inviter: from.String(), Name: inv.Name, Key: key, AddOp: inv.Add}
	lim := storage.InviteLimits{Total: MaxPendingInvites, PerInviter: MaxInvitesPerInviter}
	if _, err := m.deps.Store.PutRoomInvite(ctx, rec, lim); err != nil {
		return err
	}
	if stored, ok, err := m.deps.Store.RoomInvite(ctx, rec.ID); err == nil && ok {
		rec = stored
	}
	m.deps.Publisher.Publish(chat.InvitationChanged{Invitation: m.invitation(ctx, rec, chat.InvitationPending)})
	return nil
}

// inviteID names the invitation from one inviter to one room: a repeat
// keeps its id.
func inviteID(room string, from peer.ID) string {
	h := sha256.New()
	h.Write([]byte("hallway room invitation id\x00"))
	h.Write([]byte(room))
	h.Write([]byte{0})
	h.Write([]byte(from))
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// Invitations lists the invitations waiting for the user, oldest first.
func (m *Manager) Invitations(ctx context.Context) ([]chat.RoomInvitation, error) {
	rows, err := m.deps.Store.RoomInvites(ctx)
	if err != nil {
		return nil, fmt.Errorf("read invitations: %w", err)
	}
	out := make([]chat.RoomInvitation, 0, len(rows))
	for _, r := range rows {
		out = append(out, m.invitation(ctx, r, chat.InvitationPending))
	}
	return out, nil
}

// invitation is the API form of a stored invitation. The inviter is named
// as this node knows their key, never as the invitation says.
func (m *Manager) invitation(ctx context.Context, r storage.RoomInvite, state string) chat.RoomInvitation {
	var from chat.Colleague
	if id, err := peer.Decode(r.Inviter); err == nil {
		from = m.deps.Colleague(ctx, id)
	}
	return chat.RoomInvitation{ID: r.ID, Room: r.Room, Name: r.Name, JoinsAs: m.joined.localName(r.Name, r.Room),
		From: r.Inviter, FromName: from.Name, Time: r.At, State: state}
}

// pendingInvite finds a pending invitation by the id the user gave.
func (m *Manager) pendingInvite(ctx context.Context, id string) (storage.RoomInvite, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	inv, ok, err := m.deps.Store.RoomInvite(ctx, id)
	if err != nil {
		return storage.RoomInvite{}, err
	}
	if !ok {
		return storage.RoomInvite{}, chat.NewUserError(fmt.Sprintf("no invitation %q is waiting; hallway room invites lists them", id), ErrNoInvitation)
	}
	return inv, nil
}

// ErrNoInvitation: no pending invitation has the id given.
var ErrNoInvitation = errors.New("no such invitation")

// AcceptInvitation joins the room of a pending invitation, the way a room
// code joins one; every pending invitation to that room is then settled.
func (m *Manager) AcceptInvitation(ctx context.Context, id string) (chat.Room, error) {
	inv, err := m.pendingInvite(ctx, id)
	if err != nil {
		return chat.Room{}, err
	}
	var extra []hcrypto.OpHash
	if len(inv.AddOp) == len(hcrypto.OpHash{}) {
		extra = append(extra, hcrypto.OpHash(inv.AddOp))
	}
	join := &hcrypto.MemberOp{Kind: hcrypto.BodyJoin}
	if err := m.join(ctx, storage.Room{ID: inv.Room, Name: inv.Name, Key: inv.Key}, join, extra...); err != nil {
		return chat.Room{}, err
	}
	return m.summary(ctx, m.joined.Get(inv.Room))
}

// DeclineInvitation drops a pending invitation and its room key. The
// inviter is not told.
func (m *Manager) DeclineInvitation(ctx context.Context, id string) error {
	inv, err := m.pendingInvite(ctx, id)
	if err != nil {
		return err
	}
	if _, err := m.deps.Store.DeleteRoomInvite(ctx, inv.ID); err != nil {
		return fmt.Errorf("decline invitation: %w", err)
	}
	m.deps.Publisher.Publish(chat.InvitationChanged{Invitation: m.invitation(ctx, inv, chat.InvitationDeclined)})
	return nil
}

// settleInvites drops the pending invitations to a room just joined.
func (m *Manager) settleInvites(ctx context.Context, room string) {
	done, err := m.deps.Store.DeleteRoomInvitesFor(ctx, room)
	if err != nil {
		m.log.Warn("settle invitations", "room", room, "err", err)
		return
	}
	for _, inv := range done {
		m.deps.Publisher.Publish(chat.InvitationChanged{Invitation: m.invitation(ctx, inv, chat.InvitationAccepted)})
	}
}
