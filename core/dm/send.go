package dm

import (
	"context"
	"fmt"
	"time"

	"hallway/chat"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Send commits a direct message to history and to the outbox, then
// delivers it as soon as the colleague is reachable. It returns once the
// message is durable, not when it is delivered.
func (s *Service) Send(ctx context.Context, ref, text string) (chat.Message, error) {
	if err := chat.CheckText(text); err != nil {
		return chat.Message{}, chat.UserErrorf("%v", err)
	}
	to, err := s.deps.Colleagues.Resolve(ctx, ref)
	if err != nil {
		return chat.Message{}, err
	}
	if to == s.deps.Net.ID() {
		return chat.Message{}, chat.UserErrorf("that is you; send to a colleague")
	}
	return s.Queue(ctx, to, text, "", "")
}

// Queue commits a DM (plain text, or a kind with its Meta) to history
// and the outbox, then starts delivery. It returns once the message is
// durable, not when it is delivered.
func (s *Service) Queue(ctx context.Context, to peer.ID, text, kind, meta string) (chat.Message, error) {
	if s.deps.Blocks.IsBlocked(to) {
		return chat.Message{}, ErrBlocked
	}
	row := storage.Message{
		ID: newMessageID(), Conv: conv(to), Author: s.deps.Net.ID().String(), Text: text,
		SentAt: time.UnixMilli(time.Now().UnixMilli()), State: storage.StateSent, Kind: kind, Meta: meta,
	}
	if row.Kind == "" {
		row.Kind = storage.KindText
	}
	sig, err := Sign(s.deps.Key, row, to)
	if err != nil {
		return chat.Message{}, fmt.Errorf("sign message: %w", err)
	}
	row.Sig = sig
	m, err := s.deps.Store.InsertOutgoing(ctx, row, to.String())
	if err != nil {
		return chat.Message{}, fmt.Errorf("save message: %w", err)
	}
	msg := s.deps.Messages.ToMessage(m, nil)
	s.deps.Publisher.Publish(chat.MessageSent{Message: msg})
	s.out.kick(to)
	if !s.deps.Net.IsConnected(to) {
		s.deps.Dialer.Reconnect(ctx, to)
	}
	return msg, nil
}

// History returns up to limit messages of the conversation with a
// colleague, oldest first, ending before the message with local sequence
// number before (0: the newest).
func (s *Service) History(ctx context.Context, ref string, before int64, limit int) ([]chat.Message, error) {
	id, err := s.deps.Colleagues.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.deps.Store.History(ctx, conv(id), before, limit)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	names := map[string]string{id.String(): s.deps.Colleagues.Name(ctx, id)}
	out := make([]chat.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.deps.Messages.ToMessage(r, names))
	}
	return out, nil
}
