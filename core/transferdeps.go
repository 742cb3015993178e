package core

import (
	"context"

	"hallway/core/transfer"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// newTransfers builds the transfer feature over this service's parts.
func (s *Service) newTransfers() *transfer.Service {
	return transfer.New(s.cfg.Files, transfer.Deps{
		Store: s.store,
		Net:   (*transferNet)(s),
		Bus:   transfer.PublishFunc(s.bus.publish),
		Spawn: transfer.SpawnFunc(s.spawn),
		Peers: (*transferPeers)(s),
		Rooms: (*transferRooms)(s),
		Post:  (*transferPoster)(s),
		// The workspace policy in force, read at each decision.
		Workspace: s.rooms,
		Log:       s.log,
	})
}

// transferNet is the network host as transfers use it. It reads s.node
// on every call: transfers exist before the host starts, so that a
// colleague connecting at once finds them ready.
type transferNet Service

var _ transfer.Net = (*transferNet)(nil)

func (n *transferNet) ID() peer.ID                 { return n.node.ID() }
func (n *transferNet) IsConnected(id peer.ID) bool { return n.node.IsConnected(id) }
func (n *transferNet) Via(id peer.ID) string       { return n.node.Via(id) }

func (n *transferNet) DialDirect(ctx context.Context, id peer.ID) error {
	return n.node.DialDirect(ctx, id)
}

func (n *transferNet) FetchManifest(ctx context.Context, from peer.ID, req p2p.FileRequest) ([]byte, error) {
	return n.node.FetchManifest(ctx, from, req)
}

func (n *transferNet) HasFile(ctx context.Context, from peer.ID, req p2p.FileRequest) error {
	return n.node.HasFile(ctx, from, req)
}

func (n *transferNet) OpenBulk(ctx context.Context, from peer.ID, req p2p.FileRequest) (*p2p.BulkLane, error) {
	return n.node.OpenBulk(ctx, from, req)
}

func (n *transferNet) FetchChunks(ctx context.Context, from peer.ID, req p2p.FileRequest, each func(int, []byte) error) error {
	return n.node.FetchChunks(ctx, from, req, each)
}

// transferPeers resolves and names colleagues for transfers.
type transferPeers Service

func (p *transferPeers) Resolve(ctx context.Context, ref string) (peer.ID, error) {
	return (*Service)(p).Resolve(ctx, ref)
}

func (p *transferPeers) PeerName(ctx context.Context, id peer.ID) string {
	return (*Service)(p).colleague(ctx, id).Name
}

// transferRooms is room membership as transfers need it.
type transferRooms Service

func (r *transferRooms) RoomID(ref string) (string, error) { return r.rooms.Joined().ResolveID(ref) }

func (r *transferRooms) Proof(room, label string, requester, responder peer.ID) ([]byte, bool) {
	return r.rooms.Joined().Proof(room, label, requester, responder)
}

func (r *transferRooms) CheckProof(room, label string, requester, responder peer.ID, proof []byte) bool {
	return r.rooms.Joined().CheckProof(room, label, requester, responder, proof)
}

func (r *transferRooms) RoomPeers(room string) ([]peer.ID, bool) { return r.rooms.Joined().Peers(room) }

// LiveOnly: #general of an open workspace, which any computer on the
// network can derive and join.
func (r *transferRooms) LiveOnly(room string) bool {
	j := r.rooms.Joined().Get(room)
	return r.ws == nil && j != nil && j.General()
}

// transferPoster carries transfer messages into DMs and rooms.
type transferPoster Service

func (p *transferPoster) QueueDM(ctx context.Context, to peer.ID, text, kind, meta string) error {
	_, err := (*Service)(p).queueDM(ctx, to, text, kind, meta)
	return err
}

func (p *transferPoster) PostFile(ctx context.Context, room, offer string) error {
	return p.rooms.PostFile(ctx, room, offer)
}
