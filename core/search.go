package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
func (s *Service) Search(ctx context.Context, q chat.SearchQuery) ([]chat.SearchHit, error) {
	terms := archive.ParseQuery(q.Text)
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
		id, err := s.resolveAuthor(ctx, q.From)
		if err != nil {
			return nil, err
		}
		sq.Author = id.String()
	}
	if strings.TrimSpace(q.In) != "" {
		c, err := s.resolveConversation(ctx, q.In)
		if err != nil {
			return nil, err
		}
		sq.Conv = c.conv
	}
	rows, err := s.store.Search(ctx, sq)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	names, err := s.conversationNames(ctx)
	if err != nil {
		return nil, err
	}
	hits := make([]chat.SearchHit, 0, len(rows))
	for _, r := range rows {
		c := names.of(r.Message.Conv)
		text := r.Message.Text
		if c.room && r.Message.Kind == storage.KindFile {
			text = r.Body // the offer's file name, not its JSON
		}
		hits = append(hits, chat.SearchHit{
			ID: r.Message.ID, Conversation: c.ref, ConversationID: c.id, ConversationName: c.name, Room: c.room,
			From: r.Message.Author, FromName: names.author(r.Message), Time: r.Message.SentAt,
			Text: text, Snippet: archive.Snippet(r.Body, terms, snippetWidth),
		})
	}
	return hits, nil
}

// resolveAuthor is Resolve, where "me" and one's own name mean oneself.
func (s *Service) resolveAuthor(ctx context.Context, ref string) (peer.ID, error) {
	ref = strings.TrimSpace(ref)
	if strings.EqualFold(ref, "me") {
		return s.node.ID(), nil
	}
	id, err := s.Resolve(ctx, ref)
	if errors.Is(err, chat.ErrUnknownPeer) && strings.EqualFold(ref, s.currentProfile().Name) {
		return s.node.ID(), nil
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

// resolveConversation finds the conversation a user means: "#name" or a
// room id (rooms left long ago too, as their history stays), else a
// colleague as Resolve finds them.
func (s *Service) resolveConversation(ctx context.Context, ref string) (conversation, error) {
	ref = strings.TrimSpace(ref)
	rooms, err := s.store.Rooms(ctx, true)
	if err != nil {
		return conversation{}, fmt.Errorf("read rooms: %w", err)
	}
	roomConv := func(r storage.Room) conversation {
		return conversation{conv: roomConv(r.ID), id: r.ID, ref: "#" + r.Name, name: r.Name, room: true}
	}
	for _, r := range rooms {
		if r.ID == ref {
			return roomConv(r), nil
		}
	}
	if isRoomRef(ref) {
		if id, err := s.rooms.Joined().ResolveID(ref); err == nil {
			r, _, err := s.store.Room(ctx, id)
			if err != nil {
				return conversation{}, err
			}
			return roomConv(r), nil
		}
		var hits []storage.Room
		for _, r := range rooms {
			if strings.EqualFold(r.Name, strings.TrimPrefix(ref, "#")) {
				hits = append(hits, r)
			}
		}
		switch len(hits) {
		case 1:
			return roomConv(hits[0]), nil
		case 0:
			return conversation{}, chat.NewUserError(fmt.Sprintf("no room called %q in your history", ref), chat.ErrUnknownRoom)
		}
		return conversation{}, chat.NewUserError(fmt.Sprintf("%d rooms are called %q; use the room id", len(hits), ref), chat.ErrAmbiguousRoom)
	}
	id, err := s.Resolve(ctx, ref)
	if err != nil {
		return conversation{}, err
	}
	return conversation{conv: dmConv(id), id: id.String(), ref: id.String(), name: s.colleague(ctx, id).Name}, nil
}

// nameBook names conversations and authors for results.
type nameBook struct {
	self     string
	selfName string
	peers    map[string]string // peer id → display name
	rooms    map[string]string // room id → name
}

func (s *Service) conversationNames(ctx context.Context) (*nameBook, error) {
	nb := &nameBook{self: s.node.ID().String(), selfName: s.currentProfile().Name,
		peers: map[string]string{}, rooms: map[string]string{}}
	peers, err := s.store.Peers(ctx)
	if err != nil {
		return nil, fmt.Errorf("read colleagues: %w", err)
	}
	for _, p := range peers {
		nb.peers[p.ID] = p.Name
	}
	rooms, err := s.store.Rooms(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("read rooms: %w", err)
	}
	for _, r := range rooms {
		nb.rooms[r.ID] = r.Name
	}
	return nb, nil
}

func (nb *nameBook) of(conv string) conversation {
	if id, ok := chat.RoomOf(conv); ok {
		return conversation{conv: conv, id: id, ref: "#" + nb.rooms[id], name: nb.rooms[id], room: true}
	}
	id, _ := chat.PeerOf(conv)
	return conversation{conv: conv, id: id, ref: id, name: nb.peers[id]}
}

// author names the writer of m: in rooms as they signed it, in DMs as the
// colleague last called themselves.
func (nb *nameBook) author(m storage.Message) string {
	if chat.IsRoomConv(m.Conv) {
		var meta roomMeta
		if json.Unmarshal([]byte(m.Meta), &meta) == nil && meta.Name != "" {
			return meta.Name
		}
	}
	if m.Author == nb.self {
		return nb.selfName
	}
	return nb.peers[m.Author]
}
