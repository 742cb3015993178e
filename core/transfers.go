package core

import (
	"context"
	"time"

	"hallway/chat"
	"hallway/core/transfer"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// FilesConfig is the file-transfer policy of a node.
type FilesConfig = transfer.Config

// SendFile offers a file or folder to a colleague or a room. The content is
// hashed now; receivers pull it from this node (or, in a room, from any
// member who has it) once they accept. It is served for expire (0: in a
// room for the share time of the settings, to a colleague until the offer
// is withdrawn), and only as long as it matches what was hashed.
func (s *Service) SendFile(ctx context.Context, ref, path string, expire time.Duration) (chat.Transfer, error) {
	if err := s.refuseBlocked(ctx, ref); err != nil {
		return chat.Transfer{}, err
	}
	return s.transfers.SendFile(ctx, ref, path, expire)
}

// UnshareTransfer stops serving a transfer's content at once: an offer of
// ours, or a room file we downloaded and pass on.
func (s *Service) UnshareTransfer(ctx context.Context, id string) error {
	return s.transfers.Unshare(ctx, id)
}

// AcceptTransfer starts (or resumes) downloading an offer into dir
// (default: the downloads folder). The manifest is fetched and checked
// against the offer's hash, and the policy and free space are checked,
// before a single byte is written.
func (s *Service) AcceptTransfer(ctx context.Context, id, dir string) (chat.Transfer, error) {
	return s.transfers.Accept(ctx, id, dir)
}

// DeclineTransfer refuses an offer; the sender is told.
func (s *Service) DeclineTransfer(ctx context.Context, id string) error {
	return s.transfers.Decline(ctx, id)
}

// CancelTransfer withdraws an offer of ours (or stops a download).
func (s *Service) CancelTransfer(ctx context.Context, id string) error {
	return s.transfers.Cancel(ctx, id)
}

// Transfers lists transfers, newest first.
func (s *Service) Transfers(ctx context.Context) ([]chat.Transfer, error) {
	return s.transfers.List(ctx)
}

// offerReceived records a colleague's file offer made in conv.
func (s *Service) offerReceived(ctx context.Context, from peer.ID, conv string, o *p2p.FileOffer) {
	s.transfers.OfferReceived(ctx, from, conv, o)
}

// fileStatusReceived applies a colleague's answer to a file offer.
func (s *Service) fileStatusReceived(ctx context.Context, from peer.ID, st *p2p.FileStatus) {
	s.transfers.StatusReceived(ctx, from, st)
}

// roomFileOffered records a file offered in a room as an offer to us.
func (s *Service) roomFileOffered(e *storage.RoomEntry) { s.transfers.RoomFileOffered(e) }
