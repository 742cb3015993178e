package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// SendFile offers a file or folder to a colleague or a room. The content is
// hashed now; receivers pull it from this node (or, in a room, from any
// member who has it) once they accept. It is served for expire (0: in a
// room for the share time of the settings, to a colleague until the offer
// is withdrawn), and only as long as it matches what was hashed.
func (s *Service) SendFile(ctx context.Context, ref, path string, expire time.Duration) (chat.Transfer, error) {
	if s.cfg.Policy.Disabled {
		return chat.Transfer{}, chat.UserErrorf("file transfer is turned off on this computer")
	}
	if s.ws != nil && s.ws.WorkspacePolicy().Files.Disabled {
		return chat.Transfer{}, chat.UserErrorf("the workspace policy turns file transfer off (hallway policy show)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return chat.Transfer{}, chat.UserErrorf("bad path %q: %v", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return chat.Transfer{}, chat.UserErrorf("cannot send %s: %v", path, errors.Unwrap(err))
	}
	// What is served later is what the path meant now: a link the user
	// picked is resolved once, and never again.
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return chat.Transfer{}, chat.UserErrorf("cannot send %s: %v", path, errors.Unwrap(err))
	}
	var room string
	var to peer.ID
	if isRoomRef(ref) {
		if room, err = s.rooms.RoomID(ref); err != nil {
			return chat.Transfer{}, err
		}
	} else {
		if to, err = s.peers.Resolve(ctx, ref); err != nil {
			return chat.Transfer{}, err
		}
		if to == s.net.ID() {
			return chat.Transfer{}, chat.UserErrorf("that is you; send to a colleague")
		}
	}
	expires, err := s.expiryFor(room, expire)
	if err != nil {
		return chat.Transfer{}, err
	}
	m, skipped, err := files.BuildManifest(ctx, abs, nil)
	if err != nil {
		return chat.Transfer{}, chat.UserErrorf("cannot read %s: %v", path, err)
	}
	if len(skipped) > 0 {
		s.log.Info("not sent: not regular files", "skipped", strings.Join(skipped, ", "))
	}
	if err := s.sendable(m); err != nil {
		return chat.Transfer{}, err
	}
	offer := p2p.FileOffer{ID: chat.NewMessageID(), Name: m.Name, Size: m.TotalSize(), Files: len(m.Entries), Folder: m.Folder, Hash: m.Hash()}
	if !expires.IsZero() {
		offer.Expires = expires.UnixMilli()
	}
	rec := storage.Transfer{
		ID: offer.ID, Direction: storage.TransferOut, Name: m.Name, Folder: m.Folder, Size: offer.Size,
		Files: offer.Files, ManifestHash: offer.Hash, Manifest: m.Marshal(), SourcePath: abs, State: storage.TransferOffered,
		ExpiresAt: expires,
	}
	meta, _ := json.Marshal(offer)
	if room != "" {
		rec.Peer, rec.Conv = s.net.ID().String(), chat.RoomConv(room).String()
		if _, err := s.store.InsertTransfer(ctx, rec); err != nil {
			return chat.Transfer{}, fmt.Errorf("save transfer: %w", err)
		}
		if s.rooms.LiveOnly(room) {
			s.server.present(rec.ID, room)
		}
		if err := s.post.PostFile(ctx, room, string(meta)); err != nil {
			return chat.Transfer{}, err
		}
	} else {
		rec.Peer, rec.Conv = to.String(), chat.DMConv(to.String()).String()
		if _, err := s.store.InsertTransfer(ctx, rec); err != nil {
			return chat.Transfer{}, fmt.Errorf("save transfer: %w", err)
		}
		if err := s.post.QueueDM(ctx, to, fmt.Sprintf("sent %s (%s)", m.Name, files.HumanBytes(offer.Size)), p2p.DMKindFile, string(meta)); err != nil {
			return chat.Transfer{}, err
		}
	}
	s.publish(ctx, rec.ID)
	t, err := s.store.Transfer(ctx, rec.ID)
	if err != nil {
		return chat.Transfer{}, err
	}
	return s.toTransfer(ctx, t), nil
}

// OfferReceived records a colleague's offer made in conversation conv and
// applies the policy that needs no manifest: refusals are sent back at
// once, auto-accept starts.
func (s *Service) OfferReceived(ctx context.Context, from peer.ID, conv string, o *p2p.FileOffer) {
	if p2p.CheckFileOffer(o) != nil {
		return
	}
	rec := storage.Transfer{
		ID: o.ID, Direction: storage.TransferIn, Peer: from.String(), Conv: conv, Name: files.SafeName(o.Name),
		Folder: o.Folder, Size: o.Size, Files: o.Files, ManifestHash: o.Hash, State: storage.TransferOffered,
	}
	if o.Expires > 0 {
		rec.ExpiresAt = time.UnixMilli(o.Expires)
	}
	inserted, err := s.store.InsertTransfer(ctx, rec)
	if err != nil || !inserted {
		return
	}
	s.publish(ctx, o.ID)
	pol := s.filePolicy()
	switch {
	case pol.Disabled:
		s.declineWith(ctx, o.ID, "file transfer is turned off on this computer")
	case pol.MaxSize > 0 && o.Size > pol.MaxSize:
		s.declineWith(ctx, o.ID, fmt.Sprintf("%s is more than the %s limit", files.HumanBytes(o.Size), files.HumanBytes(pol.MaxSize)))
	case s.autoAcceptMax() > 0 && o.Size <= s.autoAcceptMax():
		if _, err := s.Accept(ctx, o.ID, ""); err != nil {
			s.log.Info("auto-accept failed", "transfer", o.ID, "err", err)
		}
	}
}

// RoomFileOffered records a file offered in a room as an offer to us; the
// offer is handled on a goroutine of the service.
func (s *Service) RoomFileOffered(e *storage.RoomEntry) {
	o, err := p2p.DecodeFileOffer([]byte(e.Message.Text))
	if err != nil {
		s.log.Debug("room file offer refused", "room", e.Room, "err", err)
		return
	}
	author, err := peer.Decode(e.Author)
	if err != nil {
		return
	}
	s.spawn.Go(func(ctx context.Context) { s.OfferReceived(ctx, author, chat.RoomConv(e.Room).String(), &o) })
}

// isRoomRef: "#name" (or "room:<id>") names a room wherever a
// conversation is asked for.
func isRoomRef(ref string) bool { return chat.IsRoomRef(ref) }
