package core

import (
	"context"
	"encoding/json"
	"fmt"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Conversations by id, as Message.Conversation names them: "dm:<peer id>"
// or "room:<room id>". The window works with these ids, never with names,
// which may change or collide.

// isRoomRef: "#name" (or "room:<id>") names a room wherever a
// conversation is asked for.
func isRoomRef(ref string) bool { return chat.IsRoomRef(ref) }

// Send posts text to a room ("#name") or sends it to a colleague as a
// direct message. It returns once the message is durable, not when it is
// delivered.
func (s *Service) Send(ctx context.Context, ref, text string) (chat.Message, error) {
	if isRoomRef(ref) {
		return s.SendRoom(ctx, ref, text)
	}
	if pid, err := s.Resolve(ctx, ref); err == nil {
		text = s.withMentions(ctx, dmConv(pid), text)
	}
	return s.dm.Send(ctx, ref, text)
}

// History returns up to limit messages of a room ("#name"), or of the
// conversation with a colleague, oldest first, ending before the message
// with local sequence number before (0: the newest).
func (s *Service) History(ctx context.Context, ref string, before int64, limit int) ([]chat.Message, error) {
	if isRoomRef(ref) {
		return s.RoomHistory(ctx, ref, nil, limit)
	}
	return s.folded(ctx)(s.dm.History(ctx, ref, before, limit))
}

// folded returns a function that folds their amendments into the
// messages of one conversation it is given with an error, as history
// readers return them.
func (s *Service) folded(ctx context.Context) func([]chat.Message, error) ([]chat.Message, error) {
	return func(msgs []chat.Message, err error) ([]chat.Message, error) {
		if err != nil || len(msgs) == 0 {
			return msgs, err
		}
		if err := s.fold(ctx, msgs[0].Conversation, msgs); err != nil {
			return nil, err
		}
		s.hideReadMarks(ctx, msgs)
		return msgs, nil
	}
}

// splitConv reads a conversation id given by a user and returns it with
// its peer or room id.
func splitConv(conv string) (c chat.ConvID, id string, err error) {
	c, err = chat.ParseConv(conv)
	if err != nil {
		return chat.ConvID{}, "", chat.UserErrorf("%q is not a conversation (dm:PEER or room:ID)", conv)
	}
	return c, c.ID(), nil
}

// Page returns up to limit messages of a conversation, oldest first, ending
// before the message before (nil: the newest). Unlike History it marks
// nothing read.
func (s *Service) Page(ctx context.Context, conv string, before *chat.Message, limit int) ([]chat.Message, error) {
	c, id, err := splitConv(conv)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	if c.IsRoom() {
		if s.rooms.Joined().Get(id) == nil {
			if _, ok, _ := s.store.Room(ctx, id); !ok {
				return nil, chat.NewUserError("unknown room", chat.ErrUnknownRoom)
			}
		}
		var cur *storage.Cursor
		if before != nil {
			cur = &storage.Cursor{HLC: before.HLC, Author: before.From, Seq: before.AuthorSeq}
		}
		rows, err := s.store.RoomHistory(ctx, id, cur, limit)
		if err != nil {
			return nil, fmt.Errorf("read room history: %w", err)
		}
		out := make([]chat.Message, 0, len(rows))
		for _, r := range rows {
			out = append(out, s.rooms.Message(ctx, r))
		}
		if err := s.rooms.FillReceipts(ctx, id, out); err != nil {
			return nil, err
		}
		return s.folded(ctx)(out, nil)
	}
	pid, err := peer.Decode(id)
	if err != nil {
		return nil, chat.UserErrorf("bad peer id in %q", conv)
	}
	var seq int64
	if before != nil {
		seq = before.Seq
	}
	rows, err := s.store.History(ctx, conv, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	names := map[string]string{id: s.colleague(ctx, pid).Name}
	out := make([]chat.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.toMessage(r, names))
	}
	return s.folded(ctx)(out, nil)
}

// SendTo posts text to a conversation.
func (s *Service) SendTo(ctx context.Context, conv, text string) (chat.Message, error) {
	c, id, err := splitConv(conv)
	if err != nil {
		return chat.Message{}, err
	}
	if c.IsRoom() {
		return s.SendRoom(ctx, chat.RoomIDRefPrefix+id, text)
	}
	return s.Send(ctx, id, text)
}

// SendFileTo offers a file or folder in a conversation.
func (s *Service) SendFileTo(ctx context.Context, conv, path string) (chat.Transfer, error) {
	c, id, err := splitConv(conv)
	if err != nil {
		return chat.Transfer{}, err
	}
	if c.IsRoom() {
		return s.SendFile(ctx, chat.RoomIDRefPrefix+id, path, 0)
	}
	return s.SendFile(ctx, id, path, 0)
}

// MarkRead marks everything in a conversation read.
func (s *Service) MarkRead(ctx context.Context, conv string) error {
	c, id, err := splitConv(conv)
	if err != nil {
		return err
	}
	if c.IsRoom() {
		return s.rooms.MarkRead(ctx, id)
	}
	seq, err := s.store.LastSeq(ctx, conv)
	if err != nil || seq == 0 {
		return err
	}
	if err := s.store.MarkConvRead(ctx, conv, seq); err != nil {
		return err
	}
	pid, err := peer.Decode(id)
	if err != nil {
		return nil
	}
	if err := s.sendReadReceipt(ctx, pid, conv); err != nil {
		s.log.Warn("a read receipt could not be queued", "peer", pid, "err", err)
	}
	return nil
}

// Unread counts unread messages per conversation (those with none are
// left out).
func (s *Service) Unread(ctx context.Context) (map[string]int, error) {
	out, err := s.store.DMUnread(ctx)
	if err != nil {
		return nil, err
	}
	self := s.node.ID().String()
	for _, st := range s.rooms.Joined().All() {
		n, err := s.store.UnreadCount(ctx, st.ID(), self)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out[roomConv(st.ID())] = n
		}
	}
	return out, nil
}

// transferIDOf is the id of the transfer a file message offers: the
// offer travels in Meta (DMs) or in the text (rooms).
func transferIDOf(m storage.Message) string {
	if m.Kind != storage.KindFile {
		return ""
	}
	var o p2p.FileOffer
	raw := m.Meta
	if chat.IsRoomConv(m.Conv) {
		raw = m.Text
	}
	if json.Unmarshal([]byte(raw), &o) != nil {
		return ""
	}
	return o.ID
}
