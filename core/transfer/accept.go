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
// against the offer (its hash, and the name, size, file count and kind
// the offer showed), and the policy and free space are checked, before a
// single byte is written.
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
	if !t.ExpiresAt.IsZero() && !s.now().Before(t.ExpiresAt) {
		return chat.Transfer{}, chat.UserErrorf("%s is no longer shared: %v", t.Name, expiredRefusal(t.ExpiresAt))
	}
	if dir == "" {
		dir = t.DestDir
	}
	if dir == "" {
		dir = s.cfg.Downloads
	}
	m, err := s.manifestFor(ctx, &t)
	if errors.Is(err, errNotAsOffered) {
		s.setState(ctx, id, storage.TransferFailed, err.Error())
		s.reportStatus(ctx, t, storage.TransferFailed, err.Error())
		return chat.Transfer{}, chat.UserErrorf("not accepted: %v", err)
	}
	if err != nil {
		return chat.Transfer{}, err
	}
	free, err := s.freeSpace(dir)
	if err != nil {
		return chat.Transfer{}, err
	}
	// Checking the space and taking it is one step: the space a download
	// will still write is held until it ends.
	s.acceptMu.Lock()
	defer s.acceptMu.Unlock()
	if t.BytesDone == 0 {
		held, n := s.held(ctx, id, dir)
		pol := s.filePolicy()
		if perr := pol.Check(m, free-min(free, held)); perr != nil {
			if n > 0 && errors.Is(perr, files.ErrNoSpace) && pol.Check(m, free) == nil {
				return chat.Transfer{}, chat.UserErrorf("not accepted now: %s is free, but %s of it is held for %d download(s) under way; accept it again once they end",
					files.HumanBytes(int64(min(free, 1<<62))), files.HumanBytes(int64(min(held, 1<<62))), n)
			}
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

// freeSpace is what may still be written into the downloads folder dir.
func freeSpace(dir string) (uint64, error) {
	dl, err := files.OpenDownloads(dir)
	if err != nil {
		return 0, chat.UserErrorf("cannot use downloads folder %s: %v", dir, err)
	}
	defer dl.Close()
	free, err := dl.FreeSpace()
	if err != nil {
		return 0, fmt.Errorf("free space: %w", err)
	}
	return free, nil
}

// held is the space the other downloads under way (or paused) into the
// volume of dir will still write, and how many they are.
func (s *Service) held(ctx context.Context, id, dir string) (held uint64, n int) {
	ts, err := s.store.UnfinishedDownloads(ctx)
	if err != nil {
		return 0, 0
	}
	vol, volOK := files.Volume(dir)
	for _, t := range ts {
		if t.ID == id || t.DestDir == "" {
			continue
		}
		if v, ok := files.Volume(t.DestDir); volOK && ok && v != vol {
			continue
		}
		done := t.BytesDone
		if d, _, ok := s.progress.get(t.ID); ok {
			done = max(done, d)
		}
		if left := t.Size - done; left > 0 {
			held += uint64(left)
		}
		n++
	}
	return held, n
}

// errNotAsOffered: the content is not what its offer said it is.
var errNotAsOffered = errors.New("the content is not what was offered")

// manifestFor returns the transfer's manifest, fetching it from a source
// and checking it against the offer the first time.
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
		// The hash is the one the offer named, so every source has this
		// manifest: one that contradicts the offer is its sender's doing.
		if err := asOffered(m, *t); err != nil {
			return nil, err
		}
		t.Manifest = raw
		return m, nil
	}
	if lastErr == nil {
		lastErr = errors.New("nobody who has it is online")
	}
	return nil, chat.UserErrorf("cannot get %s now: %v", t.Name, lastErr)
}

// asOffered checks a manifest against what its offer showed the user and
// the policy judged: the name, total size, number of files and whether
// it is a folder. Auto-accept and the size limit looked at the offer.
func asOffered(m *files.Manifest, t storage.Transfer) error {
	count := len(m.Entries)
	switch {
	case files.SafeName(m.Name) != t.Name:
		return fmt.Errorf("%w: it is named %q, offered as %q", errNotAsOffered, files.SafeName(m.Name), t.Name)
	case m.TotalSize() != t.Size:
		return fmt.Errorf("%w: it holds %s, offered as %s", errNotAsOffered, files.HumanBytes(m.TotalSize()), files.HumanBytes(t.Size))
	case m.Folder != t.Folder:
		kind := map[bool]string{true: "a folder", false: "a file"}
		return fmt.Errorf("%w: it is %s, offered as %s", errNotAsOffered, kind[m.Folder], kind[t.Folder])
	case count != t.Files:
		return fmt.Errorf("%w: it has %d files, offered as %d", errNotAsOffered, count, t.Files)
	}
	return nil
}
