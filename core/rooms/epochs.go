package rooms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A room's key epochs (docs/ROOMS.md): epoch 0 is the key the room was
// made with; a re-key makes the next epoch's key and hands it to each
// remaining member over the end-to-end DM outbox. Posts are sealed under
// the newest epoch; an envelope opens with its own epoch's key.

// maxEpochAhead bounds how far past the newest epoch held a key handed
// over may be: a member that missed a few re-keys gets them all, in any
// order, but nobody can push the room to the end of the epoch numbers.
const maxEpochAhead = 64

// keySenderSync bounds the sync with a key's sender whose join we have
// not seen yet.
const keySenderSync = 5 * time.Second

// epochStore keeps the keys of a room's later epochs.
type epochStore interface {
	AddRoomEpochKey(ctx context.Context, k storage.EpochKey) (bool, error)
	RoomEpochKeys(ctx context.Context, room string) ([]storage.EpochKey, error)
}

// loadEpochs reads j's later epoch keys and who re-keys left out.
func (m *Manager) loadEpochs(ctx context.Context, j *Joined) error {
	keys, err := m.deps.Store.RoomEpochKeys(ctx, j.id)
	if err != nil {
		return err
	}
	for _, k := range keys {
		j.addKey(k.Epoch, hcrypto.RoomKey(k.Key))
		j.markRemoved(decodeIDs(k.Removed))
	}
	return nil
}

// followTopics follows the topics j.wanted names and leaves the others;
// posts go to the topic of the key that seals.
func (m *Manager) followTopics(j *Joined) error {
	want := j.wanted()
	epoch, key := j.current()
	j.mu.Lock()
	have := j.topics
	j.mu.Unlock()
	next := map[string]followed{}
	for name, tk := range want {
		if f, ok := have[name]; ok {
			next[name] = f
			continue
		}
		t, err := m.followTopic(j, name, tk)
		if err != nil {
			for n, f := range next {
				if _, old := have[n]; !old {
					f.topic.Leave()
				}
			}
			return err
		}
		next[name] = followed{epoch: tk.epoch, topic: t}
	}
	for name, f := range have {
		if _, keep := want[name]; !keep {
			f.topic.Leave()
		}
	}
	j.mu.Lock()
	j.topics, j.topic = next, next[key.EpochTopic(j.id, epoch)].topic
	j.mu.Unlock()
	return nil
}

// Rekey moves a room to a new key epoch: a fresh key for the epoch after
// the newest, kept, handed to each member but those in without (and us)
// over the DM outbox, which holds it for those offline, and sealing every
// post from now on. A member left out reads nothing posted after it.
func (m *Manager) Rekey(ctx context.Context, room string, without []peer.ID) error {
	_, _, err := m.rekey(ctx, room, without)
	return err
}

// rekey is Rekey, returning the new epoch and its key.
func (m *Manager) rekey(ctx context.Context, room string, without []peer.ID) (uint64, hcrypto.RoomKey, error) {
	j := m.joined.Get(room)
	if j == nil {
		return 0, hcrypto.RoomKey{}, chat.NewUserError(fmt.Sprintf("you are in no room with id %q", room), chat.ErrUnknownRoom)
	}
	var members []storage.Member
	if j.general {
		if !m.generalRekeys() || !m.IsWorkspaceAdmin(m.deps.Net.ID()) {
			return 0, hcrypto.RoomKey{}, chat.UserErrorf("#general is the whole workspace's; only its admins change its key, when it admits members by admins")
		}
		for _, p := range m.workspaceMembers() {
			members = append(members, storage.Member{Peer: p})
		}
	} else {
		var err error
		if members, err = m.members(ctx, j); err != nil {
			return 0, hcrypto.RoomKey{}, err
		}
	}
	key, err := hcrypto.NewRoomKey()
	if err != nil {
		return 0, hcrypto.RoomKey{}, err
	}
	epoch, _ := j.current()
	epoch++
	self := m.deps.Net.ID()
	removed := encodeIDs(without)
	if _, err := m.deps.Store.AddRoomEpochKey(ctx, storage.EpochKey{Room: j.id, Epoch: epoch, Commit: key.Commitment(),
		Key: key, Sender: self.String(), Removed: removed}); err != nil {
		return 0, hcrypto.RoomKey{}, fmt.Errorf("keep the new room key: %w", err)
	}
	j.markRemoved(without)
	j.addKey(epoch, key)
	if err := m.followTopics(j); err != nil {
		return 0, hcrypto.RoomKey{}, err
	}
	meta, err := json.Marshal(p2p.RoomKey{Room: j.id, Epoch: epoch, Key: key[:], Removed: removed})
	if err != nil {
		return 0, hcrypto.RoomKey{}, err
	}
	var tos []peer.ID
	for _, mem := range members {
		id, err := peer.Decode(mem.Peer)
		if err != nil || id == self || slices.Contains(without, id) || (j.roster() == nil && j.isRemoved(id)) {
			continue // left out now or by an earlier re-key
		}
		tos = append(tos, id)
	}
	err = m.deps.QueueDMs(ctx, tos, fmt.Sprintf("new key for #%s", j.name), p2p.DMKindRoomKey, string(meta))
	m.log.Info("room re-keyed", "room", j.id, "epoch", epoch, "without", len(without))
	m.announce(ctx, j.id)
	if err != nil {
		return epoch, key, fmt.Errorf("hand the new key over: %w", err)
	}
	return epoch, key, nil
}

// RoomKeyReceived takes an epoch key a colleague handed over; one that
// breaks a rule is only logged (see acceptKey).
func (m *Manager) RoomKeyReceived(ctx context.Context, from peer.ID, k *p2p.RoomKey) {
	if err := m.acceptKey(ctx, from, k); err != nil {
		m.log.Warn("room key refused", "from", from, "err", err)
	}
}

// acceptKey keeps a key for an epoch of a room when it comes from a
// current member (or, for a room not joined yet, from the colleague whose
// invitation is pending), that no re-key left out, for an epoch past
// those held (at most maxEpochAhead past) or one held with no key yet.
// A key held is never replaced; a second key for the newest epoch (a
// concurrent re-key) is kept beside the first, and whichever's commitment
// sorts first seals.
func (m *Manager) acceptKey(ctx context.Context, from peer.ID, k *p2p.RoomKey) error {
	if k == nil || len(k.Key) != 32 || k.Epoch == 0 || k.Epoch > hcrypto.MaxEpoch {
		return fmt.Errorf("malformed room key")
	}
	if from == m.deps.Net.ID() {
		return fmt.Errorf("a key from ourselves")
	}
	key := hcrypto.RoomKey(k.Key)
	j := m.joined.Get(k.Room)
	if j == nil {
		return m.keepInvitedKey(ctx, from, k, key)
	}
	if j.general {
		if err := m.checkGeneralKey(from); err != nil {
			if errors.Is(err, errNotAdminYet) {
				m.held.hold(from, k) // the log may show it an admin later
			}
			return err
		}
		return m.takeKey(ctx, j, from, k, key)
	}
	if j.isRemoved(from) && j.roster() == nil {
		return fmt.Errorf("%s was left out of the room by a re-key", from.ShortString())
	}
	ok, err := m.isMember(ctx, j, from)
	// Its join, or the leave or removal the key rests on, may not have
	// reached us yet: ask its sender for the room's history (the key's DM
	// came from it, so it is online), then the other members, as the
	// sender may have left since with what we lack.
	for round := range 2 {
		if err != nil || (ok && m.allCut(ctx, j, k.Removed)) {
			break
		}
		ask := []peer.ID{from}
		if round == 1 {
			ask = slices.DeleteFunc(j.Peers(), func(p peer.ID) bool { return p == from })
		}
		m.pullFrom(ctx, j, ask)
		// What a pull found may have been stored a moment before by
		// gossip, whose replay of the log has not run yet: replay now.
		if err := m.relog(ctx, j); err != nil {
			return fmt.Errorf("room membership: %w", err)
		}
		ok, err = m.isMember(ctx, j, from)
	}
	if err != nil {
		return err
	}
	if !ok {
		m.held.hold(from, k)
		return fmt.Errorf("%s is not a member of the room (the key is held until the log shows it)", from.ShortString())
	}
	if !m.allCut(ctx, j, k.Removed) {
		// A member may not shut out whom it likes: only someone whose
		// removal or leave the membership log accepted. The log may
		// show it once the key of an earlier epoch is here.
		m.held.hold(from, k)
		return fmt.Errorf("%s left out a member the room's log still counts (the key is held until the log shows otherwise)", from.ShortString())
	}
	return m.takeKey(ctx, j, from, k, key)
}

// takeKey keeps a key whose sender may hand it over, for an epoch past
// those held (at most maxEpochAhead past) or one held with no key yet.
func (m *Manager) takeKey(ctx context.Context, j *Joined, from peer.ID, k *p2p.RoomKey, key hcrypto.RoomKey) error {
	newest, _ := j.current()
	switch {
	case k.Epoch > newest+maxEpochAhead:
		return fmt.Errorf("epoch %d is too far past %d", k.Epoch, newest)
	case k.Epoch < newest && j.holds(k.Epoch):
		return fmt.Errorf("epoch %d is held already", k.Epoch)
	}
	removed := decodeIDs(k.Removed)
	if slices.Contains(removed, m.deps.Net.ID()) {
		return fmt.Errorf("a key whose re-key left us out")
	}
	added, err := m.deps.Store.AddRoomEpochKey(ctx, storage.EpochKey{Room: j.id, Epoch: k.Epoch, Commit: key.Commitment(),
		Key: key, Sender: from.String(), Removed: k.Removed})
	if err != nil {
		return err
	}
	if !added {
		return nil // held already, or the epoch has its keys
	}
	j.markRemoved(removed)
	j.addKey(k.Epoch, key)
	if err := m.followTopics(j); err != nil {
		return err
	}
	m.log.Info("room key accepted", "room", j.id, "epoch", k.Epoch, "from", from)
	if j.general && m.deps.GeneralKey != nil {
		m.deps.GeneralKey()
	}
	m.announce(ctx, j.id)
	// Fetch what was posted under it before the key arrived, from the
	// member that handed it over (online: its message just came); periodic
	// sync covers the rest. Asking every member at once, from every member
	// at once, made a re-key of a big room a storm of syncs.
	m.syncer.Request(from, []string{j.id})
	m.retryHeld(ctx, j.id)
	return nil
}

// keepInvitedKey keeps a key for a room not joined yet when the colleague
// whose invitation to it is pending sent it: the invitation's room key is
// epoch 0, these are the epochs since.
func (m *Manager) keepInvitedKey(ctx context.Context, from peer.ID, k *p2p.RoomKey, key hcrypto.RoomKey) error {
	if _, ok, err := m.deps.Store.RoomInvite(ctx, inviteID(k.Room, from)); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("a key for room %s, which we are not in nor invited to by the sender", k.Room)
	}
	if k.Epoch > maxEpochAhead*4 {
		return fmt.Errorf("epoch %d is too far", k.Epoch)
	}
	_, err := m.deps.Store.AddRoomEpochKey(ctx, storage.EpochKey{Room: k.Room, Epoch: k.Epoch, Commit: key.Commitment(),
		Key: key, Sender: from.String(), Removed: k.Removed})
	return err
}

// isMember reports whether id is a member of room as its log says.
func (m *Manager) isMember(ctx context.Context, j *Joined, id peer.ID) (bool, error) {
	members, err := m.members(ctx, j)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(members, func(mem storage.Member) bool { return mem.Peer == id.String() }), nil
}

// allCut reports whether none of removed is a member by the room's log:
// a re-key leaves out only those whose removal or leave it accepted.
// Rooms without a log (before roles) trust any member's re-key.
func (m *Manager) allCut(ctx context.Context, j *Joined, removed []string) bool {
	if j.roster() == nil {
		return true
	}
	for _, p := range removed {
		if _, in := j.roster().role(p); in {
			return false
		}
	}
	return true
}

func encodeIDs(ids []peer.ID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}

func decodeIDs(ss []string) []peer.ID {
	var out []peer.ID
	for _, s := range ss {
		if id, err := peer.Decode(s); err == nil {
			out = append(out, id)
		}
	}
	return out
}
