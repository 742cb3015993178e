package records

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"hallway/archive"
	"hallway/chat"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// snippetWidth is about how many characters a snippet shows.
const snippetWidth = 160

// Search finds messages in every conversation, DMs and rooms alike, that
// contain all the words of q.Text (or "quoted phrases"), each anywhere in
// a word, ignoring case and accents; best matches first, weighing
// relevance and age. See archive.ParseQuery for the query syntax and
// storage.Store.Search for what words shorter than three characters reach.
func (k *Keeper) Search(ctx context.Context, q chat.SearchQuery) ([]chat.SearchHit, error) {
	terms := archive.ParseQuery(q.Text)
	var self string
	if q.Mentions {
		id, err := peer.IDFromPrivateKey(k.deps.Key)
		if err != nil {
			return nil, fmt.Errorf("search: own id: %w", err)
		}
		self = id.String()
		terms = append(terms, chat.MentionToken(self))
	}
	if len(terms) == 0 {
		return nil, chat.UserErrorf("type something to search for")
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return nil, chat.UserErrorf("the end of the period comes before its start")
	}
	if q.Limit < 0 {
		return nil, chat.UserErrorf("the number of results must be positive")
	}
	sq := storage.SearchQuery{Terms: terms, Since: q.Since, Until: q.Until, FilesOnly: q.HasFile,
		Limit: min(q.Limit, storage.MaxSearchLimit)}
	if strings.TrimSpace(q.From) != "" {
		id, err := k.resolveAuthor(ctx, q.From)
		if err != nil {
			return nil, err
		}
		sq.Author = id.String()
	}
	if strings.TrimSpace(q.In) != "" {
		c, err := k.resolveConversation(ctx, q.In)
		if err != nil {
			return nil, err
		}
		sq.Conv = c.conv
	}
	rows, err := k.deps.Store.Search(ctx, sq)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	names, err := k.conversationNames(ctx)
	if err != nil {
		return nil, err
	}
	hits := make([]chat.SearchHit, 0, len(rows))
	name := func(id string) string {
		if n := names.author(ctx, storage.Message{Author: id}).Name; n != "" {
			return n
		}
		return id
	}
	for _, r := range rows {
		if q.Mentions && !slices.Contains(chat.Mentions(r.Message.Text), self) {
			continue // the index ignores case; a mention is exact
		}
		c := names.of(r.Message.Conv)
		text := r.Message.Text
		if c.room && r.Message.Kind == storage.KindFile {
			text = r.Body // the offer's file name, not its JSON
		}
		hit := chat.SearchHit{
			ID: r.Message.ID, Conversation: c.ref, ConversationID: c.id, ConversationName: c.name, Room: c.room,
			From: r.Message.Author, Time: r.Message.SentAt,
			Text:    chat.RenderMentions(text, name),
			Snippet: chat.RenderMentions(archive.Snippet(r.Body, terms, snippetWidth), name),
		}
		hit.SetAuthor(names.author(ctx, r.Message))
		hits = append(hits, hit)
	}
	return hits, nil
}

// resolveAuthor is People.Resolve, where "me" and one's own name mean
// oneself.
func (k *Keeper) resolveAuthor(ctx context.Context, ref string) (peer.ID, error) {
	ref = strings.TrimSpace(ref)
	if strings.EqualFold(ref, "me") {
		return k.self, nil
	}
	id, err := k.deps.People.Resolve(ctx, ref)
	if errors.Is(err, chat.ErrUnknownPeer) && strings.EqualFold(ref, k.deps.People.SelfName()) {
		return k.self, nil
	}
	return id, err
}

// conversation is a DM or a room as the archive names it.
type conversation struct {
	conv string // a chat.ConvID's text
	id   string // peer id or room id
	ref  string // peer id, or "#name"
	name string // colleague's or room's name
	room bool
}

func roomConversation(r storage.Room) conversation {
	return conversation{conv: chat.RoomConv(r.ID).String(), id: r.ID, ref: "#" + r.Name, name: r.Name, room: true}
}

// resolveConversation finds the conversation a user means: "#name", a
// room id bare or as "room:<id>" (rooms left long ago too, as their
// history stays), else a
// colleague as People.Resolve finds them.
func (k *Keeper) resolveConversation(ctx context.Context, ref string) (conversation, error) {
	ref = strings.TrimSpace(ref)
	rooms, err := k.deps.Store.Rooms(ctx, true)
	if err != nil {
		return conversation{}, fmt.Errorf("read rooms: %w", err)
	}
	roomID, byID := strings.CutPrefix(ref, chat.RoomIDRefPrefix)
	for _, r := range rooms {
		if r.ID == roomID {
			return roomConversation(r), nil
		}
	}
	if byID {
		return conversation{}, chat.NewUserError(fmt.Sprintf("no room with id %q in your history", roomID), chat.ErrUnknownRoom)
	}
	if strings.HasPrefix(ref, "#") {
		if id, err := k.deps.Rooms.JoinedRoom(ref); err == nil {
			r, _, err := k.deps.Store.Room(ctx, id)
			if err != nil {
				return conversation{}, err
			}
			return roomConversation(r), nil
		}
		var hits []storage.Room
		for _, r := range rooms {
			if strings.EqualFold(r.Name, strings.TrimPrefix(ref, "#")) {
				hits = append(hits, r)
			}
		}
		switch len(hits) {
		case 1:
			return roomConversation(hits[0]), nil
		case 0:
			return conversation{}, chat.NewUserError(fmt.Sprintf("no room called %q in your history", ref), chat.ErrUnknownRoom)
		}
		return conversation{}, chat.NewUserError(fmt.Sprintf("%d rooms are called %q; use the room id", len(hits), ref), chat.ErrAmbiguousRoom)
	}
	id, err := k.deps.People.Resolve(ctx, ref)
	if err != nil {
		return conversation{}, err
	}
	return conversation{conv: chat.DMConv(id.String()).String(), id: id.String(), ref: id.String(), name: k.deps.People.Name(ctx, id)}, nil
}
