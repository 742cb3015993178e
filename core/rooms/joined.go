package rooms

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Joined is a room this node is a member of. Other features never see its
// keys: they ask for proofs made with them.
type Joined struct {
	id      string
	name    string
	key     hcrypto.RoomKey // epoch 0's key, the room's own
	general bool
	// liveOnly: the open LAN workspace's #general, whose id and key are
	// public. Its history is neither asked for nor served: a laptop that
	// joins a strange network shares nothing said before it got there.
	liveOnly bool
	// workspace: the workspace room (workspace.go), never listed.
	workspace bool
	// log is the replay of the room's membership log (memberlog.go);
	// relogMu serialises replays, so an older one never lands last.
	log     atomic.Pointer[roster]
	relogMu sync.Mutex

	mu sync.Mutex // guards the fields below
	// epochs holds every key of every later epoch, sorted by commitment
	// (the first seals; see ROOMS.md).
	epochs map[uint64][]epochKey
	// removed are peers a re-key left out: their keys are refused.
	removed map[peer.ID]bool
	// topics are the gossip topics followed, by epoch topic name; topic
	// is the one posts go to.
	topics map[string]followed
	topic  Topic
}

type epochKey struct {
	key    hcrypto.RoomKey
	commit [32]byte
}

type followed struct {
	epoch uint64
	topic Topic
}

// roster is the room's membership as its log last replayed; nil before.
func (j *Joined) roster() *roster { return j.log.Load() }

// ID is the room's id.
func (j *Joined) ID() string { return j.id }

// Name is the room's display name, without '#'.
func (j *Joined) Name() string { return j.name }

// General reports whether this is the workspace's #general.
func (j *Joined) General() bool { return j.general }

// LiveOnly reports whether the room is live only: the open LAN
// workspace's #general, whose history and files no peer is given.
func (j *Joined) LiveOnly() bool { return j.liveOnly }

// Peers lists the members whose gossip reaches us now.
func (j *Joined) Peers() []peer.ID {
	j.mu.Lock()
	t := j.topic
	j.mu.Unlock()
	if t == nil {
		return nil
	}
	return t.Peers()
}

// listed keeps the peers the room's membership log lists as members.
func (j *Joined) listed(peers []peer.ID) []peer.ID {
	r := j.roster()
	var out []peer.ID
	for _, p := range peers {
		if _, ok := r.role(p.String()); ok {
			out = append(out, p)
		}
	}
	return out
}

// Publish gossips an envelope as it is. Posts go through Manager.Post,
// which seals, signs and commits them first.
func (j *Joined) Publish(ctx context.Context, raw []byte) error {
	j.mu.Lock()
	t := j.topic
	j.mu.Unlock()
	if t == nil {
		return errors.New("the room's topic is not followed")
	}
	return t.Publish(ctx, raw)
}

// Proof shows responder that requester holds the room key, for what
// label names (a file's content).
func (j *Joined) Proof(label string, requester, responder peer.ID) [32]byte {
	return j.key.SyncProof(label, []byte(requester), []byte(responder))
}

// CheckProof verifies a proof made with Proof.
func (j *Joined) CheckProof(label string, requester, responder peer.ID, proof []byte) bool {
	return j.key.CheckSyncProof(label, []byte(requester), []byte(responder), proof)
}

// Epoch is the room's newest key epoch, the one posts are sealed under.
func (j *Joined) Epoch() uint64 {
	e, _ := j.current()
	return e
}

// current is the newest epoch and the key that seals in it.
func (j *Joined) current() (uint64, hcrypto.RoomKey) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.currentLocked()
}

func (j *Joined) currentLocked() (uint64, hcrypto.RoomKey) {
	var newest uint64
	for e := range j.epochs {
		newest = max(newest, e)
	}
	if newest == 0 {
		return 0, j.key
	}
	return newest, j.epochs[newest][0].key
}

// keysOf lists the keys held for an epoch: one, or a few after a
// concurrent re-key.
func (j *Joined) keysOf(epoch uint64) []hcrypto.RoomKey {
	if epoch == 0 {
		return []hcrypto.RoomKey{j.key}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []hcrypto.RoomKey
	for _, k := range j.epochs[epoch] {
		out = append(out, k.key)
	}
	return out
}

// holds reports whether a key for epoch is held.
func (j *Joined) holds(epoch uint64) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return epoch == 0 || len(j.epochs[epoch]) > 0
}

// addKey keeps a key of an epoch; false if it was held already.
func (j *Joined) addKey(epoch uint64, key hcrypto.RoomKey) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.epochs == nil {
		j.epochs = map[uint64][]epochKey{}
	}
	c := key.Commitment()
	for _, k := range j.epochs[epoch] {
		if k.commit == c {
			return false
		}
	}
	j.epochs[epoch] = append(j.epochs[epoch], epochKey{key: key, commit: c})
	slices.SortFunc(j.epochs[epoch], func(a, b epochKey) int { return bytes.Compare(a.commit[:], b.commit[:]) })
	return true
}

// allKeys lists every key held with its epoch, newest epochs first, at
// most limit.
func (j *Joined) allKeys(limit int) []struct {
	epoch uint64
	key   hcrypto.RoomKey
} {
	j.mu.Lock()
	defer j.mu.Unlock()
	type ek = struct {
		epoch uint64
		key   hcrypto.RoomKey
	}
	var out []ek
	for e, ks := range j.epochs {
		for _, k := range ks {
			out = append(out, ek{e, k.key})
		}
	}
	slices.SortFunc(out, func(a, b ek) int { return -cmpU64(a.epoch, b.epoch) })
	out = append(out, ek{0, j.key})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// openReceipt opens a receipt under whichever epoch's key sealed it (a
// receipt names no epoch; members seal under their newest).
func (j *Joined) openReceipt(s *hcrypto.SealedReceipt) (hcrypto.Receipt, error) {
	var err error
	for _, k := range j.allKeys(maxReceiptKeys) {
		var r hcrypto.Receipt
		if r, err = s.Open(k.key); err == nil {
			return r, nil
		}
	}
	return hcrypto.Receipt{}, err
}

// maxReceiptKeys bounds the keys a receipt is tried under.
const maxReceiptKeys = 16

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wanted is the topics to follow: those of every key of the newest epoch
// and of the one before, for the messages still under way when the room
// moved on (older epochs' late messages come through sync).
func (j *Joined) wanted() map[string]topicKey {
	j.mu.Lock()
	defer j.mu.Unlock()
	newest, _ := j.currentLocked()
	out := map[string]topicKey{}
	for _, e := range []uint64{newest, newest - 1} {
		if e > newest { // newest was 0
			continue
		}
		if e == 0 {
			out[j.key.EpochTopic(j.id, 0)] = topicKey{room: j.id, epoch: 0, key: j.key}
			continue
		}
		for _, k := range j.epochs[e] {
			out[k.key.EpochTopic(j.id, e)] = topicKey{room: j.id, epoch: e, key: k.key}
		}
	}
	return out
}

// isRemoved reports whether a re-key left id out.
func (j *Joined) isRemoved(id peer.ID) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.removed[id]
}

func (j *Joined) markRemoved(ids []peer.ID) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.removed == nil {
		j.removed = map[peer.ID]bool{}
	}
	for _, id := range ids {
		j.removed[id] = true
	}
}

// leaveAll stops following every topic.
func (j *Joined) leaveAll() {
	j.mu.Lock()
	ts := j.topics
	j.topics, j.topic = nil, nil
	j.mu.Unlock()
	for _, f := range ts {
		f.topic.Leave()
	}
}
