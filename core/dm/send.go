package dm

import (
	"context"
	"errors"
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
	msgs, err := s.QueueAll(ctx, []peer.ID{to}, text, kind, meta)
	if err != nil {
		return chat.Message{}, err
	}
	return msgs[0], nil
}

// QueueAll commits one DM to each of tos (a blocked colleague left out,
// with ErrBlocked) to history and the outbox in one durable commit, then
// starts each delivery: a room's new key reaches every member without a
// commit per member.
func (s *Service) QueueAll(ctx context.Context, tos []peer.ID, text, kind, meta string) ([]chat.Message, error) {
	return s.queueAll(ctx, tos, storage.Message{Text: text, Kind: kind, Meta: meta})
}

// QueueRef commits a DM of kind k about the message ref names (a reply,
// an edit, a delete or a reaction) to history and the outbox, then starts
// delivery.
func (s *Service) QueueRef(ctx context.Context, to peer.ID, k chat.Kind, ref chat.MessageRef, text string) (chat.Message, error) {
	if !k.HasRef() {
		return chat.Message{}, fmt.Errorf("queue %s: names no message", k)
	}
	if s.deps.Blocks.IsBlocked(to) {
		return chat.Message{}, ErrBlocked
	}
	msgs, err := s.queueAll(ctx, []peer.ID{to}, storage.Message{Text: text, Kind: string(k), RefAuthor: ref.From, RefID: ref.ID})
	if err != nil {
		return chat.Message{}, err
	}
	return msgs[0], nil
}

// queueAll is QueueAll of a message like tmpl (its text, kind, meta and
// ref).
func (s *Service) queueAll(ctx context.Context, tos []peer.ID, tmpl storage.Message) ([]chat.Message, error) {
	text, kind, meta := tmpl.Text, tmpl.Kind, tmpl.Meta
	if kind == "" {
		kind = storage.KindText
	}
	var blocked []error
	var out []storage.Outgoing
	var sendTo []peer.ID
	for _, to := range tos {
		if s.deps.Blocks.IsBlocked(to) {
			blocked = append(blocked, fmt.Errorf("%s: %w", to.ShortString(), ErrBlocked))
			continue
		}
		row := storage.Message{
			ID: chat.NewMessageID(), Conv: conv(to), Author: s.deps.Net.ID().String(), Text: text,
			SentAt: time.UnixMilli(time.Now().UnixMilli()), State: storage.StateSent, Kind: kind, Meta: meta,
			RefAuthor: tmpl.RefAuthor, RefID: tmpl.RefID,
		}
		sig, err := Sign(s.deps.Key, row, to)
		if err != nil {
			return nil, fmt.Errorf("sign message: %w", err)
		}
		row.Sig = sig
		out = append(out, storage.Outgoing{Message: row, To: to.String()})
		sendTo = append(sendTo, to)
	}
	if len(out) == 0 {
		return nil, errors.Join(blocked...)
	}
	rows, err := s.deps.Store.InsertOutgoingMany(ctx, out)
	if err != nil {
		return nil, fmt.Errorf("save message: %w", err)
	}
	msgs := make([]chat.Message, len(rows))
	for i, m := range rows {
		msgs[i] = s.deps.Messages.ToMessage(m, nil)
		s.deps.Publisher.Publish(chat.MessageSent{Message: msgs[i]})
		s.out.kick(sendTo[i])
		if !s.deps.Net.IsConnected(sendTo[i]) {
			s.deps.Dialer.Reconnect(ctx, sendTo[i])
		}
	}
	return msgs, errors.Join(blocked...)
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
