package core

import (
	"context"
	"slices"
	"testing"
	"time"

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

// A mute names its conversation by id whatever the user typed, runs out,
// and leaves the others alone; mentions unread are counted apart.
func TestMuteAndMentionsUnread(t *testing.T) {
	ctx := context.Background()
	ann, bob, _, room := trio(t)
	until := time.Now().Add(time.Hour)
	m, err := bob.Mute(ctx, room, chat.NotifyMentions, until)
	if err != nil || m.Conversation != chat.RoomConv(room).String() || m.Level != chat.NotifyMentions {
		t.Fatalf("mute room: %+v, %v", m, err)
	}
	if _, err := bob.Mute(ctx, "Ann", chat.NotifyNone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Mute(ctx, "Ann", "some", time.Time{}); err == nil {
		t.Error("a level some")
	}
	if _, err := bob.Mute(ctx, "#nowhere", chat.NotifyNone, time.Time{}); err == nil {
		t.Error("a mute of no room")
	}
	if _, err := bob.Mute(ctx, room, chat.NotifyNone, time.Now().Add(-time.Minute)); err == nil {
		t.Error("a mute that ended already")
	}
	p, _ := bob.Prefs(ctx)
	if len(p.Mutes) != 2 || p.MuteOf(dmConv(ann.ID())).Level != chat.NotifyNone || !p.MuteOf(chat.RoomConv(room).String()).Until.Equal(until) {
		t.Fatalf("mutes %+v", p.Mutes)
	}
	if _, err := bob.Mute(ctx, "Ann", chat.NotifyAll, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if p, _ := bob.Prefs(ctx); len(p.Mutes) != 1 {
		t.Fatalf("unmuted, mutes %+v", p.Mutes)
	}
	dnd := time.Now().Add(2 * time.Hour)
	if err := bob.DoNotDisturb(ctx, dnd); err != nil {
		t.Fatal(err)
	}
	if p, _ := bob.Prefs(ctx); !p.DoNotDisturbUntil.Equal(dnd.Truncate(time.Millisecond)) {
		t.Errorf("dnd until %v", p.DoNotDisturbUntil)
	}
	// Mentions unread: two of Ann's three posts mention Bob.
	var posts []chat.Message
	for _, text := range []string{"@Bob one", "plain", "@bob two"} {
		m, err := ann.SendRoom(ctx, room, text)
		if err != nil {
			t.Fatal(err)
		}
		posts = append(posts, m)
	}
	if _, err := ann.Send(ctx, "Bob", "@Bob in a DM"); err != nil {
		t.Fatal(err)
	}
	// Every post stored, not only the last: gossip may bring them in
	// another order, or the first by a later sync.
	bob.waitFor("the posts", func() bool {
		for _, m := range posts {
			if _, ok, _ := bob.store.MessageByID(ctx, ann.ID().String(), m.ID); !ok { // reading history would mark it read
				return false
			}
		}
		n, _ := bob.UnreadMentions(ctx)
		return n[dmConv(ann.ID())] == 1
	})
	n, err := bob.UnreadMentions(ctx)
	if err != nil || n[chat.RoomConv(room).String()] != 2 || len(n) != 2 {
		t.Errorf("unread mentions %v, %v", n, err)
	}
	if err := bob.MarkRead(ctx, chat.RoomConv(room).String()); err != nil {
		t.Fatal(err)
	}
	if n, _ := bob.UnreadMentions(ctx); n[chat.RoomConv(room).String()] != 0 {
		t.Errorf("after reading, %v", n)
	}
}
