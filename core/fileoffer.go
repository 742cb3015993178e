package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

func decodePeer(s string) (peer.ID, error) { return peer.Decode(s) }

// SendFile offers a file or folder to a colleague or a room. The content is
// hashed now; receivers pull it from this node (or, in a room, from any
// member who has it) once they accept.
func (s *Service) SendFile(ctx context.Context, ref, path string) (chat.Transfer, error) {
	if s.cfg.Files.Policy.Disabled {
		return chat.Transfer{}, chat.UserErrorf("file transfer is turned off on this computer")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return chat.Transfer{}, chat.UserErrorf("bad path %q: %v", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return chat.Transfer{}, chat.UserErrorf("cannot send %s: %v", path, errors.Unwrap(err))
	}
	var room string
	var to peer.ID
	if isRoomRef(ref) {
		if room, err = s.rooms.Joined().ResolveID(ref); err != nil {
			return chat.Transfer{}, err
		}
	} else {
		if to, err = s.Resolve(ctx, ref); err != nil {
			return chat.Transfer{}, err
		}
		if to == s.node.ID() {
			return chat.Transfer{}, chat.UserErrorf("that is you; send to a colleague")
		}
	}
	m, skipped, err := files.BuildManifest(ctx, abs, nil)
	if err != nil {
		return chat.Transfer{}, chat.UserErrorf("cannot read %s: %v", path, err)
	}
	if len(skipped) > 0 {
		s.log.Info("not sent: not regular files", "skipped", strings.Join(skipped, ", "))
	}
	offer := p2p.FileOffer{ID: newMessageID(), Name: m.Name, Size: m.TotalSize(), Files: len(m.Entries), Folder: m.Folder, Hash: m.Hash()}
	rec := storage.Transfer{
		ID: offer.ID, Direction: storage.TransferOut, Name: m.Name, Folder: m.Folder, Size: offer.Size,
		Files: offer.Files, ManifestHash: offer.Hash, Manifest: m.Marshal(), SourcePath: abs, State: storage.TransferOffered,
	}
	meta, _ := json.Marshal(offer)
	if room != "" {
		rec.Peer, rec.Conv = s.node.ID().String(), roomConv(room)
		if _, err := s.store.InsertTransfer(ctx, rec); err != nil {
			return chat.Transfer{}, fmt.Errorf("save transfer: %w", err)
		}
		if err := s.rooms.PostFile(ctx, room, string(meta)); err != nil {
			return chat.Transfer{}, err
		}
	} else {
		rec.Peer, rec.Conv = to.String(), dmConv(to)
		if _, err := s.store.InsertTransfer(ctx, rec); err != nil {
			return chat.Transfer{}, fmt.Errorf("save transfer: %w", err)
		}
		if _, err := s.queueDM(ctx, to, fmt.Sprintf("sent %s (%s)", m.Name, files.HumanBytes(offer.Size)), p2p.DMKindFile, string(meta)); err != nil {
			return chat.Transfer{}, err
		}
	}
	s.publishTransfer(ctx, rec.ID)
	t, err := s.store.Transfer(ctx, rec.ID)
	if err != nil {
		return chat.Transfer{}, err
	}
	return s.toTransfer(ctx, t), nil
}

// offerReceived records a colleague's offer and applies the policy that
// needs no manifest: refusals are sent back at once, auto-accept starts.
func (s *Service) offerReceived(ctx context.Context, from peer.ID, conv string, o *p2p.FileOffer) {
	if p2p.CheckFileOffer(o) != nil {
		return
	}
	rec := storage.Transfer{
		ID: o.ID, Direction: storage.TransferIn, Peer: from.String(), Conv: conv, Name: files.SafeName(o.Name),
		Folder: o.Folder, Size: o.Size, Files: max(o.Files, 1), ManifestHash: o.Hash, State: storage.TransferOffered,
	}
	inserted, err := s.store.InsertTransfer(ctx, rec)
	if err != nil || !inserted {
		return
	}
	s.publishTransfer(ctx, o.ID)
	pol := s.cfg.Files.Policy
	switch {
	case pol.Disabled:
		s.declineWith(ctx, o.ID, "file transfer is turned off on this computer")
	case pol.MaxSize > 0 && o.Size > pol.MaxSize:
		s.declineWith(ctx, o.ID, fmt.Sprintf("%s is more than the %s limit", files.HumanBytes(o.Size), files.HumanBytes(pol.MaxSize)))
	case s.cfg.Files.AutoAcceptMax > 0 && o.Size <= s.cfg.Files.AutoAcceptMax:
		if _, err := s.AcceptTransfer(ctx, o.ID, ""); err != nil {
			s.log.Info("auto-accept failed", "transfer", o.ID, "err", err)
		}
	}
}

// fileStatusReceived applies the receiver's answer to one of our offers.
func (s *Service) fileStatusReceived(ctx context.Context, from peer.ID, st *p2p.FileStatus) {
	t, err := s.store.Transfer(ctx, st.ID)
	if err != nil || t.Peer != from.String() {
		return
	}
	if t.Direction == storage.TransferIn {
		// The sender withdrew its offer.
		if st.State == storage.TransferCancelled && t.State != storage.TransferDone {
			s.stopDownload(t.ID)
			s.removePartial(ctx, t)
			s.setTransferState(ctx, t.ID, storage.TransferCancelled, "the sender cancelled it")
		}
		return
	}
	switch st.State {
	case storage.TransferDone:
		s.store.SaveProgress(ctx, st.ID, t.Size, nil)
		s.setTransferState(ctx, st.ID, st.State, "")
	case storage.TransferDeclined, storage.TransferFailed:
		s.setTransferState(ctx, st.ID, st.State, st.Reason)
	}
}

// DeclineTransfer refuses an offer; the sender is told.
func (s *Service) DeclineTransfer(ctx context.Context, id string) error {
	t, err := s.incoming(ctx, id)
	if err != nil {
		return err
	}
	if t.State == storage.TransferDone {
		return chat.UserErrorf("%s is already here", t.Name)
	}
	s.stopDownload(id)
	return s.declineWith(ctx, id, "declined")
}

func (s *Service) declineWith(ctx context.Context, id, reason string) error {
	t, err := s.store.Transfer(ctx, id)
	if err != nil {
		return err
	}
	if err := s.setTransferState(ctx, id, storage.TransferDeclined, reason); err != nil {
		return err
	}
	s.reportStatus(ctx, t, storage.TransferDeclined, reason)
	return nil
}

// reportStatus tells the sender of a DM offer what became of it.
func (s *Service) reportStatus(ctx context.Context, t storage.Transfer, state, reason string) {
	if !chat.IsDMConv(t.Conv) {
		return
	}
	to, err := peer.Decode(t.Peer)
	if err != nil {
		return
	}
	meta, _ := json.Marshal(p2p.FileStatus{ID: t.ID, State: state, Reason: reason})
	text := fmt.Sprintf("%s %s", state, t.Name)
	if reason != "" && reason != state {
		text += ": " + reason
	}
	if _, err := s.queueDM(ctx, to, text, p2p.DMKindFileStatus, string(meta)); err != nil {
		s.log.Warn("report transfer status", "err", err)
	}
}

// CancelTransfer withdraws an offer of ours (or stops a download).
func (s *Service) CancelTransfer(ctx context.Context, id string) error {
	t, err := s.store.Transfer(ctx, id)
	if errors.Is(err, storage.ErrNoTransfer) {
		return chat.UserErrorf("no transfer %s (see hallway transfers)", id)
	} else if err != nil {
		return err
	}
	if t.State == storage.TransferDone {
		return chat.UserErrorf("%s is complete; nothing to cancel", t.Name)
	}
	s.stopDownload(id)
	if err := s.setTransferState(ctx, id, storage.TransferCancelled, "cancelled"); err != nil {
		return err
	}
	switch {
	case t.Direction == storage.TransferIn:
		s.removePartial(ctx, t)
	case chat.IsDMConv(t.Conv):
		// Tell the colleague, so their Hallway stops asking for it.
		if to, err := peer.Decode(t.Peer); err == nil {
			meta, _ := json.Marshal(p2p.FileStatus{ID: t.ID, State: storage.TransferCancelled})
			s.queueDM(ctx, to, "cancelled "+t.Name, p2p.DMKindFileStatus, string(meta))
		}
	}
	return nil
}

// removePartial deletes what an unfinished download had written.
func (s *Service) removePartial(ctx context.Context, t storage.Transfer) {
	s.waitDownload(t.ID)
	if t.DestDir == "" || len(t.Manifest) == 0 {
		return
	}
	m, err := files.UnmarshalManifest(t.Manifest)
	if err != nil {
		return
	}
	partial, err := files.PartialName(files.SafeName(m.Name), t.ID)
	if err != nil {
		return
	}
	if m.Folder {
		os.RemoveAll(filepath.Join(t.DestDir, partial))
		return
	}
	if dl, err := files.OpenDownloads(t.DestDir); err == nil {
		dl.Remove(partial)
		dl.Close()
	}
}

func (s *Service) incoming(ctx context.Context, id string) (storage.Transfer, error) {
	t, err := s.store.Transfer(ctx, id)
	if errors.Is(err, storage.ErrNoTransfer) || err == nil && t.Direction != storage.TransferIn {
		return t, chat.UserErrorf("no incoming transfer %s (see hallway transfers)", id)
	}
	return t, err
}

// roomFileOffered records a file offered in a room as an offer to us.
func (s *Service) roomFileOffered(e *storage.RoomEntry) {
	o, err := p2p.DecodeFileOffer([]byte(e.Message.Text))
	if err != nil {
		s.log.Debug("room file offer refused", "room", e.Room, "err", err)
		return
	}
	author, err := peer.Decode(e.Author)
	if err != nil {
		return
	}
	s.spawn(func(ctx context.Context) { s.offerReceived(ctx, author, roomConv(e.Room), &o) })
}
