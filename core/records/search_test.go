package records

import (
	"context"
	"errors"
	"testing"
	"time"

	"hallway/chat"
	"hallway/storage"
)

func TestSearchNamesConversationsAndAuthors(t *testing.T) {
	w := newWorld(t)
	at := time.Unix(1_700_000_000, 0)
	dm := chat.DMConv(w.bob.String()).String()
	room := chat.RoomConv("r1").String()
	w.store.hits = []storage.SearchHit{
		{Message: storage.Message{ID: "d1", Conv: dm, Author: w.bob.String(), Text: "the budget is due", SentAt: at}, Body: "the budget is due"},
		{Message: storage.Message{ID: "d2", Conv: dm, Author: w.self.String(), Text: "budget sent", SentAt: at}, Body: "budget sent"},
		{Message: storage.Message{ID: "r1m", Conv: room, Author: "someone", Text: "budget slides", Meta: `{"name":"Cleo"}`}, Body: "budget slides"},
		{Message: storage.Message{ID: "r1f", Conv: room, Author: w.bob.String(), Kind: storage.KindFile, Text: `{"name":"budget.xlsx"}`, Meta: "{}"}, Body: "budget.xlsx"},
	}
	hits, err := w.k.Search(t.Context(), chat.SearchQuery{Text: "budget", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ conv, name, from, text string }{
		{w.bob.String(), "Bob", "Bob", "the budget is due"},
		{w.bob.String(), "Bob", "Ann", "budget sent"},
		{"#project", "project", "Cleo", "budget slides"},
		{"#project", "project", "Bob", "budget.xlsx"}, // a file offer shows its name, not its JSON
	}
	if len(hits) != len(want) {
		t.Fatalf("%d hits: %+v", len(hits), hits)
	}
	for i, h := range hits {
		if h.Conversation != want[i].conv || h.ConversationName != want[i].name || h.FromName != want[i].from || h.Text != want[i].text {
			t.Errorf("hit %d: %+v, want %+v", i, h, want[i])
		}
		if h.Snippet == "" {
			t.Errorf("hit %d has no snippet", i)
		}
	}
	if !hits[2].Room || hits[0].Room || hits[2].ConversationID != "r1" {
		t.Errorf("rooms marked wrongly: %+v", hits)
	}
	if q := w.store.query; q.Limit != 5 || len(q.Terms) != 1 || q.Author != "" || q.Conv != "" {
		t.Errorf("store asked %+v", q)
	}
}

func TestSearchNarrowsByAuthorAndConversation(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		name   string
		q      chat.SearchQuery
		author string
		conv   string
	}{
		{"me", chat.SearchQuery{Text: "x", From: "me"}, w.self.String(), ""},
		{"own name", chat.SearchQuery{Text: "x", From: "ann"}, w.self.String(), ""},
		{"a colleague", chat.SearchQuery{Text: "x", From: "Bob", In: "bob"}, w.bob.String(), chat.DMConv(w.bob.String()).String()},
		{"a joined room", chat.SearchQuery{Text: "x", In: "#project"}, "", chat.RoomConv("r1").String()},
		{"a room left long ago", chat.SearchQuery{Text: "x", In: "#Lunch"}, "", chat.RoomConv("r2").String()},
		{"a room id", chat.SearchQuery{Text: "x", In: "r2"}, "", chat.RoomConv("r2").String()},
	} {
		if _, err := w.k.Search(t.Context(), c.q); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if q := w.store.query; q.Author != c.author || q.Conv != c.conv {
			t.Errorf("%s: store asked author %q conv %q, want %q %q", c.name, q.Author, q.Conv, c.author, c.conv)
		}
	}
}

func TestSearchRefuses(t *testing.T) {
	w := newWorld(t)
	w.store.rooms = append(w.store.rooms, storage.Room{ID: "r3", Name: "lunch"})
	now := time.Now()
	for _, c := range []struct {
		name string
		q    chat.SearchQuery
		is   error // the condition, when one is named
	}{
		{"nothing to search for", chat.SearchQuery{Text: "  "}, nil},
		{"a period ending before it starts", chat.SearchQuery{Text: "x", Since: now, Until: now.Add(-time.Hour)}, nil},
		{"a negative limit", chat.SearchQuery{Text: "x", Limit: -1}, nil},
		{"an unknown room", chat.SearchQuery{Text: "x", In: "#nowhere"}, chat.ErrUnknownRoom},
		{"two rooms of one name", chat.SearchQuery{Text: "x", In: "#lunch"}, chat.ErrAmbiguousRoom},
		{"an unknown colleague", chat.SearchQuery{Text: "x", From: "Dora"}, chat.ErrUnknownPeer},
	} {
		_, err := w.k.Search(t.Context(), c.q)
		var ue *chat.UserError
		if !errors.As(err, &ue) {
			t.Errorf("%s: %v, want a user error", c.name, err)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: %v, want %v", c.name, err, c.is)
		}
	}
}

func TestSearchReportsTheStoresFailure(t *testing.T) {
	w := newWorld(t)
	broken := errors.New("disk on fire")
	w.store.searchErr = broken
	_, err := w.k.Search(context.Background(), chat.SearchQuery{Text: "x"})
	if !errors.Is(err, broken) {
		t.Fatalf("got %v", err)
	}
	var ue *chat.UserError
	if errors.As(err, &ue) {
		t.Error("a storage failure is not the user's")
	}
}
