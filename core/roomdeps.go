package core

import (
	"context"

	"hallway/core/rooms"
	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// newRooms builds the rooms feature over this node's parts. lastClock is
// the newest room clock value in history.
func (s *Service) newRooms(lastClock uint64) *rooms.Manager {
	cfg := rooms.Config{Identity: s.key, Workspace: s.ws, WorkspaceRoom: s.wsRoom, LastClock: lastClock, Logger: s.log, Now: s.cfg.now}
	return rooms.New(cfg, rooms.Deps{
		Store:         s.store,
		Net:           (*roomNet)(s),
		Publisher:     rooms.PublishFunc(s.bus.publish),
		Spawner:       rooms.SpawnFunc(s.spawn),
		PolicyChanged: s.policyChanged,
		GeneralKey:    func() { s.spawn(func(context.Context) { s.checkNetworkKey() }) },
		NetworkKey: func() *hcrypto.NetworkKey {
			if k := s.networkKey(); k.Epoch > 0 {
				return &k
			}
			return nil
		},
		Revoked:     s.revoked,
		Admitted:    s.admitted,
		Closing:     s.ctx.Done(),
		SelfName:    func() string { return s.currentProfile().Name },
		Self:        s.Self,
		Colleague:   s.colleague,
		ResolvePeer: s.Resolve,
		QueueDM:     s.queueDM,
		QueueDMs: func(ctx context.Context, tos []peer.ID, text, kind, meta string) error {
			_, err := s.dm.QueueAll(ctx, tos, text, kind, meta)
			return err
		},
		FileOffered: s.roomFileOffered,
		TransferID:  transferIDOf,
		Blocks:      s.blocks,
		Author:      s.authors.Author,
		ReadReceipts: func() bool {
			p, err := s.Prefs(s.ctx)
			return err == nil && !p.NoReadReceipts
		},
	})
}

// roomNet is the network as the rooms feature sees it. It reads the node
// at each call: the node starts after the features are built, and its
// first callbacks already reach them.
type roomNet Service

var _ rooms.Net = (*roomNet)(nil)

func (n *roomNet) ID() peer.ID { return n.node.ID() }

func (n *roomNet) ConnectedPeers() []peer.ID { return n.node.ConnectedPeers() }

func (n *roomNet) Sync(ctx context.Context, to peer.ID, build func(challenge []byte) p2p.SyncRequest, each func(raw []byte) error) error {
	return n.node.Sync(ctx, to, build, each)
}

func (n *roomNet) MarkProven(id peer.ID, topic string) { n.node.MarkProven(id, topic) }

func (n *roomNet) JoinRoom(room, topic string, key p2p.TopicKey, validate p2p.RoomValidator, receive p2p.RoomReceiver) (rooms.Topic, error) {
	t, err := n.node.JoinRoom(room, topic, key, validate, receive)
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (n *roomNet) Redeem(ctx context.Context, to peer.ID, req p2p.RedeemRequest) (p2p.RedeemReply, error) {
	return n.node.Redeem(ctx, to, req)
}

func (n *roomNet) Enter(ctx context.Context, to peer.ID, req p2p.EnterRequest, join func(p2p.EnterReply) ([]byte, error)) (p2p.EnterStatus, string, error) {
	return n.node.Enter(ctx, to, req, join)
}
