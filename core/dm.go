package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

func dmConv(id peer.ID) string { return chat.DMConv(id.String()).String() }

// isRoomRef: "#name" names a room wherever a conversation is asked for.
func isRoomRef(ref string) bool { return strings.HasPrefix(strings.TrimSpace(ref), "#") }

func newMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Service) toMessage(m storage.Message, names map[string]string) chat.Message {
	out := chat.Message{
		ID: m.ID, Conversation: m.Conv, From: m.Author, Text: m.Text, Kind: m.Kind,
		Time: m.SentAt, State: string(m.State), Seq: m.Seq,
		Outgoing: m.Author == s.node.ID().String(), TransferID: transferIDOf(m),
	}
	if out.Outgoing {
		out.FromName = s.currentProfile().Name
	} else if names != nil {
		out.FromName = names[m.Author]
	}
	return out
}

// Send commits a direct message to history and to the outbox, then
// delivers it as soon as the colleague is reachable. It returns once the
// message is durable, not when it is delivered.
func (s *Service) Send(ctx context.Context, ref, text string) (chat.Message, error) {
	if isRoomRef(ref) {
		return s.SendRoom(ctx, ref, text)
	}
	if err := chat.CheckText(text); err != nil {
		return chat.Message{}, chat.UserErrorf("%v", err)
	}
	to, err := s.Resolve(ctx, ref)
	if err != nil {
		return chat.Message{}, err
	}
	if to == s.node.ID() {
		return chat.Message{}, chat.UserErrorf("that is you; send to a colleague")
	}
	return s.queueDM(ctx, to, text, "", "")
}

// queueDM commits a DM (plain text, or a kind with its Meta) to history
// and the outbox, then starts delivery. It returns once the message is
// durable, not when it is delivered.
func (s *Service) queueDM(ctx context.Context, to peer.ID, text, kind, meta string) (chat.Message, error) {
	row := storage.Message{
		ID: newMessageID(), Conv: dmConv(to), Author: s.node.ID().String(), Text: text,
		SentAt: time.UnixMilli(time.Now().UnixMilli()), State: storage.StateSent, Kind: kind, Meta: meta,
	}
	if row.Kind == "" {
		row.Kind = storage.KindText
	}
	sig, err := s.signDM(row, to)
	if err != nil {
		return chat.Message{}, fmt.Errorf("sign message: %w", err)
	}
	row.Sig = sig
	m, err := s.store.InsertOutgoing(ctx, row, to.String())
	if err != nil {
		return chat.Message{}, fmt.Errorf("save message: %w", err)
	}
	msg := s.toMessage(m, nil)
	s.bus.publish(chat.MessageSent{Message: msg})
	s.out.kick(to)
	if !s.node.IsConnected(to) {
		s.dial.reconnect(ctx, to)
	}
	return msg, nil
}

// receiveDM commits a colleague's message; it is acknowledged only after
// this returns nil. A message seen before is acknowledged again but stored
// and announced once.
func (s *Service) receiveDM(ctx context.Context, from peer.ID, m p2p.DM) error {
	if m.Kind == p2p.DMKindFileStatus {
		// A control message: applied, not shown. Applying twice is harmless.
		s.fileStatusReceived(ctx, from, m.FileStatus)
		return nil
	}
	if err := s.checkDMSignature(from, m); err != nil {
		// The connection proved who sent it, so the message is theirs and
		// is kept; but not a signature that proves nothing (a newer
		// Hallway's kind this one reads as text, or a faulty sender).
		s.log.Warn("a message's signature does not hold; kept as unsigned", "peer", from, "err", err)
		m.Sig = nil
	}
	row := storage.Message{
		ID: m.ID, Conv: dmConv(from), Author: from.String(), Text: m.Text,
		SentAt: time.UnixMilli(m.SentAt), State: storage.StateReceived, Sig: string(m.Sig),
	}
	switch m.Kind {
	case p2p.DMKindInvite:
		row.Kind, row.Meta = p2p.DMKindInvite, recipientInviteMeta(m.Invite)
	case p2p.DMKindFile:
		meta, _ := json.Marshal(m.File)
		row.Kind, row.Meta = p2p.DMKindFile, string(meta)
	}
	stored, inserted, err := s.store.InsertIncoming(ctx, row)
	if err != nil {
		return fmt.Errorf("store message from %s: %w", from.ShortString(), err)
	}
	if inserted && m.Kind == p2p.DMKindInvite {
		s.acceptInvite(ctx, from, m.Invite)
	}
	if inserted && m.Kind == p2p.DMKindFile {
		s.spawn(func(ctx context.Context) { s.offerReceived(ctx, from, dmConv(from), m.File) })
	}
	if inserted {
		c := s.colleague(ctx, from)
		s.bus.publish(chat.MessageReceived{Message: s.toMessage(stored, map[string]string{c.PeerID: c.Name})})
	}
	return nil
}

// History returns up to limit messages of the conversation with a
// colleague, oldest first, ending before the message with local sequence
// number before (0: the newest).
func (s *Service) History(ctx context.Context, ref string, before int64, limit int) ([]chat.Message, error) {
	if isRoomRef(ref) {
		return s.RoomHistory(ctx, ref, nil, limit)
	}
	id, err := s.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.store.History(ctx, dmConv(id), before, limit)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	names := map[string]string{id.String(): s.colleague(ctx, id).Name}
	out := make([]chat.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.toMessage(r, names))
	}
	return out, nil
}
