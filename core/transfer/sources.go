package transfer

import (
	"context"
	"math/rand/v2"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// request is the request for a transfer's content sent to peer to;
// room files carry proof of the room key.
func (s *Service) request(t storage.Transfer, to peer.ID) p2p.FileRequest {
	req := p2p.FileRequest{Hash: t.ManifestHash}
	if room, ok := chat.RoomOf(t.Conv); ok {
		if proof, ok := s.rooms.Proof(room, fileProofLabel(t.ManifestHash), s.net.ID(), to); ok {
			req.Room, req.Proof = room, proof
		}
	}
	return req
}

func fileProofLabel(hash string) string { return "file/" + hash }

// sources lists connected peers to fetch a transfer from: the sender
// of a DM offer; for a room file, the uploader and every online member
// that says it has the content, in random order so that many downloaders
// spread the load instead of all asking the uploader.
func (s *Service) sources(ctx context.Context, t storage.Transfer) []peer.ID {
	uploader, err := peer.Decode(t.Peer)
	if err != nil {
		return nil
	}
	room, isRoom := chat.RoomOf(t.Conv)
	if !isRoom {
		if s.net.IsConnected(uploader) {
			return []peer.ID{uploader}
		}
		return nil
	}
	members, ok := s.rooms.RoomPeers(room)
	if !ok {
		return nil
	}
	var out []peer.ID
	for _, p := range members {
		if p == uploader {
			out = append(out, p)
			continue
		}
		if s.net.HasFile(ctx, p, s.request(t, p)) == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 && s.net.IsConnected(uploader) {
		out = append(out, uploader)
	}
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
