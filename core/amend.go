package core

import (
	"context"
	"fmt"
	"slices"

	"hallway/chat"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Replies, edits, deletes and reactions (chat/amend.go): sending them, and
// folding the ones history holds into the messages they name.

// Reply answers the message with id in its conversation.
func (s *Service) Reply(ctx context.Context, id, text string) (chat.Message, error) {
	if err := chat.CheckText(text); err != nil {
		return chat.Message{}, chat.UserErrorf("%v", err)
	}
	target, err := s.amendTarget(ctx, id, chat.KindReply)
	if err != nil {
		return chat.Message{}, err
	}
	return s.sendRef(ctx, target, chat.KindReply, text)
}

// Edit replaces the text of one of our own messages on every member; the
// earlier versions stay on record.
func (s *Service) Edit(ctx context.Context, id, text string) (chat.Message, error) {
	if err := chat.CheckText(text); err != nil {
		return chat.Message{}, chat.UserErrorf("%v", err)
	}
	target, err := s.amendTarget(ctx, id, chat.KindEdit)
	if err != nil {
		return chat.Message{}, err
	}
	return s.sendRef(ctx, target, chat.KindEdit, text)
}

// Delete takes back one of our own messages on every member: a stub
// remains in its place.
func (s *Service) Delete(ctx context.Context, id string) (chat.Message, error) {
	target, err := s.amendTarget(ctx, id, chat.KindDelete)
	if err != nil {
		return chat.Message{}, err
	}
	return s.sendRef(ctx, target, chat.KindDelete, "")
}

// React toggles our reaction emoji on the message with id: on if it was
// off, off if it was on. The message returned is the reaction's (kind
// react or unreact).
func (s *Service) React(ctx context.Context, id, emoji string) (chat.Message, error) {
	if err := chat.CheckEmoji(emoji); err != nil {
		return chat.Message{}, chat.UserErrorf("%v", err)
	}
	target, err := s.amendTarget(ctx, id, chat.KindReact)
	if err != nil {
		return chat.Message{}, err
	}
	kind := chat.KindReact
	for _, r := range target.Reactions {
		if r.Emoji == emoji && r.Mine {
			kind = chat.KindUnreact
		}
	}
	m, err := s.sendRef(ctx, target, kind, emoji)
	if err == nil && kind == chat.KindReact {
		// The picker offers it first next time; losing that is no failure.
		s.updatePrefs(ctx, func(p *chat.Prefs) { p.RecentEmoji = p.WithRecentEmoji(emoji) })
	}
	return m, err
}

// amendTarget finds the message with id that an amendment of kind k may
// name, folded, and refuses what k may not do to it.
func (s *Service) amendTarget(ctx context.Context, id string, k chat.Kind) (chat.Message, error) {
	rows, err := s.store.MessagesWithID(ctx, id)
	if err != nil {
		return chat.Message{}, fmt.Errorf("find message: %w", err)
	}
	rows = slices.DeleteFunc(rows, func(m storage.Message) bool {
		mk := chat.Kind(m.Kind)
		return mk != chat.KindText && mk != chat.KindReply && mk != chat.KindFile
	})
	switch len(rows) {
	case 0:
		return chat.Message{}, chat.NewUserError(fmt.Sprintf("no message %q here (ids are in history --json)", id), chat.ErrUnknownMessage)
	case 1:
	default:
		return chat.Message{}, chat.UserErrorf("%d messages have id %q; this cannot be answered by id", len(rows), id)
	}
	row := rows[0]
	msgs := []chat.Message{s.messageOf(ctx, row)}
	if err := s.fold(ctx, row.Conv, msgs); err != nil {
		return chat.Message{}, err
	}
	target := msgs[0]
	own := row.Author == s.node.ID().String()
	moderator := false
	if room, ok := chat.RoomOf(row.Conv); ok {
		moderator = s.rooms.Moderates(room, s.node.ID().String())
	}
	switch {
	case k == chat.KindEdit && !own:
		return chat.Message{}, chat.UserErrorf("only its author can edit a message")
	case k == chat.KindDelete && !own && !moderator:
		return chat.Message{}, chat.UserErrorf("only its author, or the room's owner or an admin, can delete a message")
	case k == chat.KindEdit && chat.Kind(row.Kind) == chat.KindFile:
		return chat.Message{}, chat.UserErrorf("a file offer cannot be edited; delete it and send it again")
	case target.Deleted && k != chat.KindDelete:
		return chat.Message{}, chat.UserErrorf("that message was deleted")
	case target.Deleted:
		return chat.Message{}, chat.UserErrorf("that message is deleted already")
	}
	return target, nil
}

// sendRef sends, in target's conversation, a message of kind k about it.
func (s *Service) sendRef(ctx context.Context, target chat.Message, k chat.Kind, text string) (chat.Message, error) {
	c, id, err := splitConv(target.Conversation)
	if err != nil {
		return chat.Message{}, err
	}
	ref := chat.MessageRef{ID: target.ID, From: target.From}
	if k == chat.KindReply || k == chat.KindEdit {
		text = s.withMentions(ctx, target.Conversation, text)
	}
	if c.IsRoom() {
		return s.rooms.PostRef(ctx, id, k, ref, text)
	}
	to, err := peer.Decode(id)
	if err != nil {
		return chat.Message{}, fmt.Errorf("conversation %s: %w", target.Conversation, err)
	}
	return s.dm.QueueRef(ctx, to, k, ref, text)
}

// messageOf turns a stored row of any conversation into the API form.
func (s *Service) messageOf(ctx context.Context, row storage.Message) chat.Message {
	if c, err := chat.ParseConv(row.Conv); err == nil && c.IsRoom() {
		return s.rooms.Message(ctx, row)
	}
	who := map[string]string{}
	if pid, err := peer.Decode(row.Author); err == nil && pid != s.node.ID() {
		who[row.Author] = s.colleague(ctx, pid).Name
	}
	return s.toMessage(row, who)
}

// Amend sends, about the message with id, a reply or an edit (text), a
// delete, or a reaction toggle (text is the emoji): the control API's one
// door to the four.
func (s *Service) Amend(ctx context.Context, kind chat.Kind, id, text string) (chat.Message, error) {
	switch kind {
	case chat.KindReply:
		return s.Reply(ctx, id, text)
	case chat.KindEdit:
		return s.Edit(ctx, id, text)
	case chat.KindDelete:
		return s.Delete(ctx, id)
	case chat.KindReact:
		return s.React(ctx, id, text)
	}
	return chat.Message{}, chat.UserErrorf("%q is not reply, edit, delete or react", kind)
}
