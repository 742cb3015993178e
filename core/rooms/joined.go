package rooms

import (
	"context"
	"sync"
	"sync/atomic"

	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Joined is a room this node is a member of. Other features never see its
// key: they ask for proofs made with it.
type Joined struct {
	id      string
	name    string
	key     hcrypto.RoomKey
	general bool
	// liveOnly: the open LAN workspace's #general, whose id and key are
	// public. Its history is neither asked for nor served: a laptop that
	// joins a strange network shares nothing said before it got there.
	liveOnly bool
	topic    Topic
	// log is the replay of the room's membership log (memberlog.go);
	// relogMu serialises replays, so an older one never lands last.
	log     atomic.Pointer[roster]
	relogMu sync.Mutex
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
func (j *Joined) Peers() []peer.ID { return j.topic.Peers() }

// Publish gossips an envelope as it is. Posts go through Manager.Post,
// which seals, signs and commits them first.
func (j *Joined) Publish(ctx context.Context, raw []byte) error { return j.topic.Publish(ctx, raw) }

// Proof shows responder that requester holds the room key, for what
// label names (a room's sync, a file's content).
func (j *Joined) Proof(label string, requester, responder peer.ID) [32]byte {
	return j.key.SyncProof(label, []byte(requester), []byte(responder))
}

// CheckProof verifies a proof made with Proof.
func (j *Joined) CheckProof(label string, requester, responder peer.ID, proof []byte) bool {
	return j.key.CheckSyncProof(label, []byte(requester), []byte(responder), proof)
}
