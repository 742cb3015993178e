package core

import (
	"context"
	"fmt"

	"hallway/chat"
	"hallway/storage"
)

// fold folds into msgs, messages of the conversation conv, the amendments
// history holds for them, and gives each reply the quote of the message
// it answers. The outcome depends only on what is stored, never on the
// order it arrived in: each author's amendments apply in that author's
// order (a room's sequence numbers; a DM's arrival, which is its sending
// order), an edit counts only from the message's own author, a delete
// from its author or a room's owner or admin, a delete is final, and a
// reaction is on or off as its author last said.
func (s *Service) fold(ctx context.Context, conv string, msgs []chat.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	byRef := make(map[chat.MessageRef]*chat.Message, len(msgs))
	ids := make([]string, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		byRef[chat.MessageRef{ID: m.ID, From: m.From}] = m
		ids = append(ids, m.ID)
	}
	// The messages replies answer that are not on this page.
	var quoted []chat.Message
	for _, m := range msgs {
		if chat.Kind(m.Kind) != chat.KindReply || m.Ref == nil || byRef[*m.Ref] != nil {
			continue
		}
		row, ok, err := s.store.MessageByID(ctx, m.Ref.From, m.Ref.ID)
		if err != nil {
			return fmt.Errorf("quoted message: %w", err)
		}
		if ok && row.Conv == conv {
			quoted = append(quoted, s.messageOf(ctx, row))
			ids = append(ids, row.ID)
		}
	}
	for i := range quoted {
		byRef[chat.MessageRef{ID: quoted[i].ID, From: quoted[i].From}] = &quoted[i]
	}
	rows, err := s.store.Amendments(ctx, conv, ids)
	if err != nil {
		return fmt.Errorf("fold amendments: %w", err)
	}
	name := s.nameOf(ctx)
	moderates := func(string) bool { return false }
	if room, ok := chat.RoomOf(conv); ok {
		moderates = func(p string) bool { return s.rooms.Moderates(room, p) }
	}
	applyAmendments(byRef, rows, s.node.ID().String(), name, moderates)
	for i := range msgs {
		m := &msgs[i]
		if chat.Kind(m.Kind) != chat.KindReply || m.Ref == nil {
			continue
		}
		q := &chat.Quote{MessageRef: *m.Ref, Missing: true}
		if t := byRef[*m.Ref]; t != nil {
			q.Missing, q.FromName, q.Deleted = false, t.FromName, t.Deleted
			if !t.Deleted {
				q.Text = chat.FirstLine(chat.RenderMentions(t.Text, name))
			}
		}
		m.ReplyTo = q
	}
	return nil
}

// reactionKey is one author's reaction with one emoji to one message.
type reactionKey struct {
	target chat.MessageRef
	author string
	emoji  string
}

// applyAmendments applies rows, in each author's order, to the messages
// of byRef. self is our peer id; name names an author by their key;
// moderates tells who may delete others' messages (a room's owner and
// admins).
func applyAmendments(byRef map[chat.MessageRef]*chat.Message, rows []storage.Message, self string, name func(string) string,
	moderates func(string) bool) {
	on := map[reactionKey]bool{}
	var order []reactionKey
	for _, a := range rows {
		ref := chat.MessageRef{ID: a.RefID, From: a.RefAuthor}
		t := byRef[ref]
		if t == nil {
			continue
		}
		switch chat.Kind(a.Kind) {
		case chat.KindEdit:
			if a.Author != a.RefAuthor || t.Deleted {
				continue
			}
			prev := t.Time
			if t.Edited {
				prev = t.EditedAt
			}
			t.Versions = append(t.Versions, chat.Version{Text: t.Text, Time: prev})
			t.Text, t.Edited, t.EditedAt = a.Text, true, a.SentAt
		case chat.KindDelete:
			if a.Author == a.RefAuthor || moderates(a.Author) {
				t.Deleted = true
			}
		case chat.KindReact, chat.KindUnreact:
			k := reactionKey{ref, a.Author, a.Text}
			if _, seen := on[k]; !seen {
				order = append(order, k)
			}
			on[k] = chat.Kind(a.Kind) == chat.KindReact
		}
	}
	for _, k := range order {
		t := byRef[k.target]
		if !on[k] || t.Deleted {
			continue
		}
		i := 0
		for i < len(t.Reactions) && t.Reactions[i].Emoji != k.emoji {
			i++
		}
		if i == len(t.Reactions) {
			t.Reactions = append(t.Reactions, chat.Reaction{Emoji: k.emoji})
		}
		r := &t.Reactions[i]
		r.Count++
		r.By = append(r.By, k.author)
		r.Names = append(r.Names, name(k.author))
		r.Mine = r.Mine || k.author == self
	}
	for _, t := range byRef {
		if t.Deleted {
			t.Text, t.Versions, t.Reactions, t.Edited = "", nil, nil, false
		}
	}
}

// nameOf names an author by their key: ours, else the one their key is
// known by, else their peer id.
func (s *Service) nameOf(ctx context.Context) func(string) string {
	self := s.node.ID().String()
	return func(id string) string {
		if id == self {
			return s.currentProfile().Name
		}
		if a := s.authors.Author(ctx, id, ""); a.Name != "" {
			return a.Name
		}
		return id
	}
}
