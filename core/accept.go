package core

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// AcceptTransfer starts (or resumes) downloading an offer into dir
// (default: the downloads folder). The manifest is fetched and checked
// against the offer's hash, and the policy and free space are checked,
// before a single byte is written.
func (s *Service) AcceptTransfer(ctx context.Context, id, dir string) (chat.Transfer, error) {
	t, err := s.incoming(ctx, id)
	if err != nil {
		return chat.Transfer{}, err
	}
	switch t.State {
	case storage.TransferOffered, storage.TransferPaused, storage.TransferFailed, storage.TransferActive:
	default:
		return chat.Transfer{}, chat.UserErrorf("%s is %s", t.Name, t.State)
	}
	if dir == "" {
		dir = t.DestDir
	}
	if dir == "" {
		dir = s.cfg.Files.Downloads
	}
	m, err := s.manifestFor(ctx, &t)
	if err != nil {
		return chat.Transfer{}, err
	}
	dl, err := files.OpenDownloads(dir)
	if err != nil {
		return chat.Transfer{}, chat.UserErrorf("cannot use downloads folder %s: %v", dir, err)
	}
	free, err := dl.FreeSpace()
	dl.Close()
	if err != nil {
		return chat.Transfer{}, fmt.Errorf("free space: %w", err)
	}
	if t.BytesDone == 0 {
		if perr := s.cfg.Files.Policy.Check(m, free); perr != nil {
			s.declineWith(ctx, id, perr.Error())
			return chat.Transfer{}, chat.UserErrorf("not accepted: %s", perr.Error())
		}
	}
	active := storage.TransferActive
	empty := ""
	if err := s.store.UpdateTransfer(ctx, id, storage.TransferUpdate{State: &active, Error: &empty, DestDir: &dir, Manifest: t.Manifest}); err != nil {
		return chat.Transfer{}, err
	}
	s.startDownload(id)
	s.publishTransfer(ctx, id)
	t, err = s.store.Transfer(ctx, id)
	return s.toTransfer(ctx, t), err
}

// manifestFor returns the transfer's manifest, fetching it from a source
// and checking it against the offered hash the first time.
func (s *Service) manifestFor(ctx context.Context, t *storage.Transfer) (*files.Manifest, error) {
	if len(t.Manifest) > 0 {
		return files.UnmarshalManifest(t.Manifest)
	}
	var lastErr error
	for _, src := range s.fileSources(ctx, *t) {
		raw, err := s.node.FetchManifest(ctx, src, s.fileRequest(*t, src))
		if err != nil {
			lastErr = err
			continue
		}
		m, err := files.UnmarshalManifest(raw)
		if err != nil || m.Hash() != t.ManifestHash {
			lastErr = errors.New("the manifest does not match the offer")
			continue
		}
		t.Manifest = raw
		return m, nil
	}
	if lastErr == nil {
		lastErr = errors.New("nobody who has it is online")
	}
	return nil, chat.UserErrorf("cannot get %s now: %v", t.Name, lastErr)
}

// fileRequest is the request for a transfer's content sent to peer to;
// room files carry proof of the room key.
func (s *Service) fileRequest(t storage.Transfer, to peer.ID) p2p.FileRequest {
	req := p2p.FileRequest{Hash: t.ManifestHash}
	if room, ok := chat.RoomOf(t.Conv); ok {
		if proof, ok := s.rooms.Joined().Proof(room, fileProofLabel(t.ManifestHash), s.node.ID(), to); ok {
			req.Room, req.Proof = room, proof
		}
	}
	return req
}

func fileProofLabel(hash string) string { return "file/" + hash }

// fileSources lists connected peers to fetch a transfer from: the sender
// of a DM offer; for a room file, the uploader and every online member
// that says it has the content, in random order so that many downloaders
// spread the load instead of all asking the uploader.
func (s *Service) fileSources(ctx context.Context, t storage.Transfer) []peer.ID {
	uploader, err := peer.Decode(t.Peer)
	if err != nil {
		return nil
	}
	room, isRoom := chat.RoomOf(t.Conv)
	if !isRoom {
		if s.node.IsConnected(uploader) {
			return []peer.ID{uploader}
		}
		return nil
	}
	members, ok := s.rooms.Joined().Peers(room)
	if !ok {
		return nil
	}
	var out []peer.ID
	for _, p := range members {
		if p == uploader {
			out = append(out, p)
			continue
		}
		if s.node.HasFile(ctx, p, s.fileRequest(t, p)) == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 && s.node.IsConnected(uploader) {
		out = append(out, uploader)
	}
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
