package core

import (
	"context"
	"time"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Read receipts of direct messages: when the window shows a colleague's
// messages (MarkRead), their Hallway is told how far; when they tell us,
// our messages to them are marked read. A user who turns read receipts
// off neither sends them nor sees the colleagues' (both sides then see
// "delivered" only).

// readSentKey is the setting holding the newest message of a DM whose
// read receipt went out.
func readSentKey(conv string) string { return "dmread." + conv }

// sendReadReceipt tells the colleague of conv that their messages up to
// the newest are read, once per newest message.
func (s *Service) sendReadReceipt(ctx context.Context, pid peer.ID, conv string) error {
	if p, err := s.Prefs(ctx); err != nil || p.NoReadReceipts {
		return err
	}
	newest, err := s.store.NewestFrom(ctx, conv, pid.String())
	if err != nil || newest == "" {
		return err
	}
	if last, _, _ := s.store.Setting(ctx, readSentKey(conv)); last == newest {
		return nil
	}
	if s.blocks.IsBlocked(pid) {
		return nil
	}
	if _, err := s.dm.QueueRef(ctx, pid, chat.KindRead, chat.MessageRef{ID: newest, From: pid.String()}, ""); err != nil {
		return err
	}
	return s.store.SetSetting(ctx, readSentKey(conv), newest)
}

// ReadReceived marks our DMs to from read up to upTo. The time is the
// reader's clock, never later than ours.
func (w *dmWiring) ReadReceived(ctx context.Context, from peer.ID, upTo string, at time.Time) {
	s := w.svc()
	conv := dmConv(from)
	if now := time.Now(); at.After(now) {
		at = now
	}
	ok, err := s.store.MarkReadUpTo(ctx, conv, s.node.ID().String(), upTo, at)
	if err != nil {
		s.log.Warn("a read receipt could not be stored", "peer", from, "err", err)
		return
	}
	if p, err := s.Prefs(ctx); !ok || err != nil || p.NoReadReceipts {
		return
	}
	s.bus.publish(chat.MessagesRead{Read: chat.ReadMark{Conversation: conv, UpTo: upTo, At: at}})
}

// hideReadMarks clears what colleagues read of msgs when the user shares
// no read receipts.
func (s *Service) hideReadMarks(ctx context.Context, msgs []chat.Message) {
	if p, err := s.Prefs(ctx); err == nil && !p.NoReadReceipts {
		return
	}
	for i := range msgs {
		msgs[i].ReadAt = time.Time{}
	}
}
