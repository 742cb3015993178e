package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// StatusReceived applies a colleague's answer to one of our offers, or
// the withdrawal of one of theirs.
func (s *Service) StatusReceived(ctx context.Context, from peer.ID, st *p2p.FileStatus) {
	t, err := s.store.Transfer(ctx, st.ID)
	if err != nil || t.Peer != from.String() {
		return
	}
	if t.Direction == storage.TransferIn {
		// The sender withdrew its offer.
		if st.State == storage.TransferCancelled && t.State != storage.TransferDone {
			s.dls.stop(t.ID)
			s.removePartial(ctx, t)
			why := "the sender cancelled it"
			if r := shortReason(st.Reason); r != "" {
				why += ": " + r
			}
			s.setState(ctx, t.ID, storage.TransferCancelled, why)
		}
		return
	}
	switch st.State {
	case storage.TransferDone:
		s.store.SaveProgress(ctx, st.ID, t.Size, nil)
		s.setState(ctx, st.ID, st.State, "")
	case storage.TransferDeclined, storage.TransferFailed:
		s.setState(ctx, st.ID, st.State, st.Reason)
	}
}

// Decline refuses an offer; the sender is told.
func (s *Service) Decline(ctx context.Context, id string) error {
	t, err := s.incoming(ctx, id)
	if err != nil {
		return err
	}
	if t.State == storage.TransferDone {
		return chat.UserErrorf("%s is already here", t.Name)
	}
	s.dls.stop(id)
	return s.declineWith(ctx, id, "declined")
}

// declineWith refuses an offer for reason and tells its sender.
func (s *Service) declineWith(ctx context.Context, id, reason string) error {
	t, err := s.store.Transfer(ctx, id)
	if err != nil {
		return err
	}
	if err := s.setState(ctx, id, storage.TransferDeclined, reason); err != nil {
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
	if err := s.post.QueueDM(ctx, to, text, p2p.DMKindFileStatus, string(meta)); err != nil {
		s.log.Warn("report transfer status", "err", err)
	}
}

// Cancel withdraws an offer of ours (or stops a download).
func (s *Service) Cancel(ctx context.Context, id string) error {
	t, err := s.store.Transfer(ctx, id)
	if errors.Is(err, storage.ErrNoTransfer) {
		return chat.UserErrorf("no transfer %s (see hallway transfers)", id)
	} else if err != nil {
		return err
	}
	if t.State == storage.TransferDone {
		return chat.UserErrorf("%s is complete; nothing to cancel", t.Name)
	}
	s.dls.stop(id)
	// The attempt under way records how it ended (paused, failed) as it
	// stops: wait for that, so it cannot overwrite the cancellation.
	s.dls.wait(id)
	s.server.guard(id).stop(refusal(unsharedNote))
	if err := s.setState(ctx, id, storage.TransferCancelled, "cancelled"); err != nil {
		return err
	}
	switch {
	case t.Direction == storage.TransferIn:
		s.removePartial(ctx, t)
	case chat.IsDMConv(t.Conv):
		// Tell the colleague, so their Hallway stops asking for it.
		if to, err := peer.Decode(t.Peer); err == nil {
			meta, _ := json.Marshal(p2p.FileStatus{ID: t.ID, State: storage.TransferCancelled})
			if err := s.post.QueueDM(ctx, to, "cancelled "+t.Name, p2p.DMKindFileStatus, string(meta)); err != nil {
				s.log.Warn("report transfer status", "err", err)
			}
		}
	}
	return nil
}

// removePartial deletes what an unfinished download had written.
func (s *Service) removePartial(ctx context.Context, t storage.Transfer) {
	s.dls.wait(t.ID)
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
	dl, err := files.OpenDownloads(t.DestDir)
	if err != nil {
		return
	}
	defer dl.Close()
	if m.Folder {
		dl.RemoveAll(partial)
	} else {
		dl.Remove(partial)
	}
}

// incoming is the offer to us with that id.
func (s *Service) incoming(ctx context.Context, id string) (storage.Transfer, error) {
	t, err := s.store.Transfer(ctx, id)
	if errors.Is(err, storage.ErrNoTransfer) || err == nil && t.Direction != storage.TransferIn {
		return t, chat.UserErrorf("no incoming transfer %s (see hallway transfers)", id)
	}
	return t, err
}

// shortReason is a colleague's reason cut to a line a user reads.
func shortReason(r string) string {
	const max = 200
	if len(r) <= max {
		return r
	}
	for i := max; i > 0; i-- {
		if utf8.RuneStart(r[i]) {
			return r[:i] + "…"
		}
	}
	return ""
}
