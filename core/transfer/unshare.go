package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Unshare stops serving a transfer's content at once, to everyone, even
// in the middle of a download: an offer of ours (the colleague it was
// offered to is told) or a room file we downloaded and pass on.
func (s *Service) Unshare(ctx context.Context, id string) error {
	t, err := s.store.Transfer(ctx, id)
	if errors.Is(err, storage.ErrNoTransfer) {
		return chat.UserErrorf("no transfer %s (see hallway file list)", id)
	} else if err != nil {
		return err
	}
	if share, _, _ := s.shareOf(t); share == "" {
		return chat.UserErrorf("%s is not shared from this computer", t.Name)
	}
	if t.ShareState == storage.ShareUnshared {
		return nil
	}
	s.server.guard(id).stop(refusal(unsharedNote))
	state, note := storage.ShareUnshared, "you stopped sharing it"
	if err := s.store.UpdateTransfer(ctx, id, storage.TransferUpdate{ShareState: &state, ShareNote: &note}); err != nil {
		return fmt.Errorf("unshare: %w", err)
	}
	if pending(t) {
		s.withdrawOffer(ctx, t, storage.TransferCancelled, "the sender stopped sharing it")
	}
	s.publish(ctx, id)
	return nil
}

// markChanged records that t's content changed on disk after the offer
// (name is what changed), so the user sees why it is no longer served.
func (s *Service) markChanged(ctx context.Context, id, name string, why error) {
	t, err := s.store.Transfer(ctx, id)
	if err != nil || t.ShareState != storage.ShareServed {
		return
	}
	state, note := storage.ShareChanged, name+" changed on disk after it was offered; it is no longer shared"
	switch {
	case errors.Is(why, fs.ErrNotExist):
		note = name + " was moved or deleted after it was offered; it is no longer shared"
	case errors.Is(why, files.ErrPlanted):
		note = name + " was replaced by a link or something else after it was offered; it is no longer shared"
	}
	u := storage.TransferUpdate{ShareState: &state, ShareNote: &note}
	if t.Direction == storage.TransferOut {
		u.Error = &note
	}
	if err := s.store.UpdateTransfer(ctx, id, u); err != nil {
		s.log.Warn("record changed share", "transfer", id, "err", err)
		return
	}
	if pending(t) {
		s.withdrawOffer(ctx, t, storage.TransferFailed, "the file changed after it was offered")
	}
	s.publish(ctx, id)
}

// pending: an offer of ours to one colleague that they have not finished
// receiving.
func pending(t storage.Transfer) bool {
	if t.Direction != storage.TransferOut || !chat.IsDMConv(t.Conv) {
		return false
	}
	switch t.State {
	case storage.TransferOffered, storage.TransferActive, storage.TransferPaused, storage.TransferFailed:
		return true
	}
	return false
}

// withdrawOffer ends a pending offer to a colleague in state and tells
// them why: for them it is cancelled.
func (s *Service) withdrawOffer(ctx context.Context, t storage.Transfer, st, reason string) {
	if err := s.store.UpdateTransfer(ctx, t.ID, storage.TransferUpdate{State: &st}); err != nil {
		s.log.Warn("withdraw offer", "transfer", t.ID, "err", err)
	}
	to, err := peer.Decode(t.Peer)
	if err != nil {
		return
	}
	meta, _ := json.Marshal(p2p.FileStatus{ID: t.ID, State: storage.TransferCancelled, Reason: reason})
	if err := s.post.QueueDM(ctx, to, "cancelled "+t.Name+": "+reason, p2p.DMKindFileStatus, string(meta)); err != nil {
		s.log.Warn("report transfer status", "err", err)
	}
}
