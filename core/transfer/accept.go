package transfer

import (
	"context"
	"errors"
	"fmt"

	"hallway/chat"
	"hallway/files"
	"hallway/storage"
)

// Accept starts (or resumes) downloading an offer into dir
// (default: the downloads folder). The manifest is fetched and checked
// against the offer's hash, and the policy and free space are checked,
// before a single byte is written.
func (s *Service) Accept(ctx context.Context, id, dir string) (chat.Transfer, error) {
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
		dir = s.cfg.Downloads
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
		if perr := s.cfg.Policy.Check(m, free); perr != nil {
			s.declineWith(ctx, id, perr.Error())
			return chat.Transfer{}, chat.UserErrorf("not accepted: %s", perr.Error())
		}
	}
	active := storage.TransferActive
	empty := ""
	if err := s.store.UpdateTransfer(ctx, id, storage.TransferUpdate{State: &active, Error: &empty, DestDir: &dir, Manifest: t.Manifest}); err != nil {
		return chat.Transfer{}, err
	}
	s.dls.start(id)
	s.publish(ctx, id)
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
	for _, src := range s.sources(ctx, *t) {
		raw, err := s.net.FetchManifest(ctx, src, s.request(*t, src))
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
