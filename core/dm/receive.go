package dm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Receive commits a colleague's message; it is acknowledged only after
// this returns nil. A message seen before is acknowledged again but stored
// and announced once. from is the authenticated sender of the stream.
func (s *Service) Receive(ctx context.Context, from peer.ID, m p2p.DM) error {
	if s.deps.Blocks.IsBlocked(from) {
		// The connection is refused from the moment of the block; this
		// covers a message already on its way then. Refused, not kept.
		return fmt.Errorf("message from %s: %w", from.ShortString(), errFromBlocked)
	}
	if err := checkAttachment(m); err != nil {
		return fmt.Errorf("message from %s: %w", from.ShortString(), err)
	}
	switch m.Kind {
	case p2p.DMKindFileStatus:
		// A control message: applied, not shown. Applying twice is harmless.
		s.deps.Transfers.FileStatusReceived(ctx, from, m.FileStatus)
		return nil
	case p2p.DMKindRoomKey:
		// Likewise: a key held already is not taken twice.
		s.deps.Invites.RoomKeyReceived(ctx, from, m.RoomKey)
		return nil
	case string(chat.KindRead):
		// A read receipt is about our own messages only.
		if m.Ref.From != s.deps.Net.ID().String() {
			return fmt.Errorf("%w: read receipt from %s for another's message", p2p.ErrBadFrame, from.ShortString())
		}
		if s.deps.Reads != nil {
			s.deps.Reads.ReadReceived(ctx, from, m.Ref.ID, time.UnixMilli(m.SentAt))
		}
		return nil
	}
	kind, _ := chat.KindFromDM(m.Kind)
	if (kind == chat.KindEdit || kind == chat.KindDelete) && m.Ref.From != from.String() {
		// Only a message's author may change it: refused, not kept.
		return fmt.Errorf("%w: %s from %s names a message of %s", p2p.ErrBadFrame, kind, from.ShortString(), m.Ref.From)
	}
	if err := s.checkSignature(from, m); err != nil {
		// The connection proved who sent it, so the message is theirs and
		// is kept; but not a signature that proves nothing (a newer
		// Hallway's kind this one reads as text, or a faulty sender).
		s.log.Warn("a message's signature does not hold; kept as unsigned", "peer", from, "err", err)
		m.Sig = nil
	}
	row := storage.Message{
		ID: m.ID, Conv: conv(from), Author: from.String(), Text: m.Text,
		SentAt: time.UnixMilli(m.SentAt), State: storage.StateReceived, Sig: string(m.Sig),
	}
	if kind.HasRef() {
		row.Kind, row.RefAuthor, row.RefID = string(kind), m.Ref.From, m.Ref.ID
	}
	switch m.Kind {
	case p2p.DMKindInvite:
		row.Kind, row.Meta = p2p.DMKindInvite, recipientInviteMeta(m.Invite)
	case p2p.DMKindFile:
		meta, _ := json.Marshal(m.File)
		row.Kind, row.Meta = p2p.DMKindFile, string(meta)
	}
	stored, inserted, err := s.deps.Store.InsertIncoming(ctx, row)
	if err != nil {
		return fmt.Errorf("store message from %s: %w", from.ShortString(), err)
	}
	if !inserted {
		return nil
	}
	switch m.Kind {
	case p2p.DMKindInvite:
		s.deps.Invites.InviteReceived(ctx, from, m.Invite)
	case p2p.DMKindFile:
		s.deps.Spawner.Go(func(ctx context.Context) { s.deps.Transfers.OfferReceived(ctx, from, conv(from), m.File) })
	}
	names := map[string]string{from.String(): s.deps.Colleagues.Name(ctx, from)}
	s.deps.Publisher.Publish(chat.MessageReceived{Message: s.deps.Messages.ToMessage(stored, names)})
	return nil
}

// errFromBlocked: the sender is blocked.
var errFromBlocked = errors.New("the sender is blocked")

// ErrBlocked: the user blocked the colleague they write to.
var ErrBlocked = chat.NewUserError("you blocked this colleague; unblock them to write to them", errors.New("recipient blocked"))

// checkAttachment refuses a frame whose kind promises an attachment it
// lacks. The network layer never hands such a frame over; this keeps the
// rest of Receive from trusting that.
func checkAttachment(m p2p.DM) error {
	var missing bool
	switch m.Kind {
	case p2p.DMKindInvite:
		missing = m.Invite == nil
	case p2p.DMKindFile:
		missing = m.File == nil
	case p2p.DMKindFileStatus:
		missing = m.FileStatus == nil
	case p2p.DMKindRoomKey:
		missing = m.RoomKey == nil
	default:
		k, _ := chat.KindFromDM(m.Kind)
		missing = k.HasRef() && m.Ref == nil
	}
	if missing {
		return fmt.Errorf("%w: dm %s of kind %s without its attachment", p2p.ErrBadFrame, m.ID, m.Kind)
	}
	return nil
}
