package core

import (
	"context"
	"slices"
	"testing"

	"hallway/chat"
)

// "@Name" becomes a mention of the key called so in the conversation;
// search finds your mentions, by key, whatever you are called now.
func TestMentionsAreByKey(t *testing.T) {
	ctx := context.Background()
	ann, bob, cat, room := trio(t)
	bobID, catID := bob.ID().String(), cat.ID().String()
	m, err := ann.SendRoom(ctx, room, "@bob and @Cat: review @Annabel's draft")
	if err != nil {
		t.Fatal(err)
	}
	if want := "<@" + bobID + "> and <@" + catID + ">: review @Annabel's draft"; m.Text != want {
		t.Fatalf("text %q, want %q", m.Text, want)
	}
	if !slices.Equal(m.Mentions, []string{bobID, catID}) {
		t.Errorf("mentions %v", m.Mentions)
	}
	bob.waitFor("the mention", func() bool { _, ok := byID(bob.roomMsgs(room), m.ID); return ok })
	if err := bob.SetName(ctx, "Robert"); err != nil {
		t.Fatal(err)
	}
	hits, err := bob.Search(ctx, chat.SearchQuery{Mentions: true})
	if err != nil || len(hits) != 1 || hits[0].ID != m.ID {
		t.Fatalf("Bob's mentions: %+v, %v", hits, err)
	}
	if want := "@Robert and @Cat: review @Annabel's draft"; hits[0].Text != want {
		t.Errorf("hit text %q, want %q", hits[0].Text, want)
	}
	if hits, _ := ann.Search(ctx, chat.SearchQuery{Mentions: true}); len(hits) != 0 {
		t.Errorf("Ann, not mentioned, finds %d", len(hits))
	}
	// A DM mentions the colleague too; a token of another key, typed as
	// is, mentions that key, not Bob's.
	other := "22" + bobID[2:]
	dm, err := ann.Send(ctx, "Robert", "@Robert ping; <@"+other+">")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dm.Mentions, []string{bobID, other}) {
		t.Errorf("DM mentions %v", dm.Mentions)
	}
	bob.waitFor("the DM", func() bool { _, ok := byID(bob.history("Ann"), dm.ID); return ok })
	if hits, err := bob.Search(ctx, chat.SearchQuery{Mentions: true}); len(hits) != 2 {
		t.Errorf("Bob's mentions: %+v %v, want the room's and the DM", hits, err)
	}
	if hits, _ := cat.Search(ctx, chat.SearchQuery{Mentions: true, Text: "draft"}); len(hits) != 1 {
		t.Errorf("Cat's mentions of a draft: %d hits", len(hits))
	}
}
