package app

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2/test"
)

// amend makes every few of msgs a reply, an edited message, one with
// reactions, a mention or a deleted one, as a busy conversation has.
func amend(msgs []chat.Message, self string) {
	for i := range msgs {
		m := &msgs[i]
		switch {
		case i%11 == 0:
			m.Deleted, m.Text = true, ""
		case i%7 == 0 && i > 0:
			m.Kind, m.Ref = "reply", &chat.MessageRef{ID: msgs[i-1].ID, From: msgs[i-1].From}
			m.ReplyTo = &chat.Quote{MessageRef: *m.Ref, FromName: msgs[i-1].FromName, Text: chat.FirstLine(msgs[i-1].Text)}
		case i%5 == 0:
			m.Edited, m.EditedAt = true, m.Time.Add(time.Minute)
			m.Versions = []chat.Version{{Text: "first " + m.Text, Time: m.Time}, {Text: "second " + m.Text, Time: m.Time}}
		case i%13 == 0:
			m.Text += " " + chat.MentionToken(self)
			m.Mentions = []string{self}
		}
		if i%3 == 0 && !m.Deleted {
			m.Reactions = []chat.Reaction{{Emoji: "👍", Count: 3, By: []string{"a", "b", "c"}}, {Emoji: "🎉", Count: 1, By: []string{self}, Mine: true}}
		}
	}
}

// renderConversation opens a conversation of n messages and returns the
// time to its first frame and to each frame of a scroll through it.
func renderConversation(t *testing.T, amended bool, n int) (first time.Duration, scroll []time.Duration) {
	f := office()
	conv := "dm:" + bobID
	f.addMessages(conv, bobID, "Bob", n)
	if amended {
		amend(f.msgs[conv], "12D3KooWAnnKey")
	}
	u := newTestUI(t, f)
	c := u.win.Canvas().(test.WindowlessCanvas)
	start := time.Now()
	u.open(conv)
	c.Capture()
	first = time.Since(start)
	// Scroll up through what was loaded, a screen at a time: older pages
	// come in as the top nears.
	for range 60 {
		start := time.Now()
		u.conv.list.ScrollToOffset(u.conv.list.GetScrollOffset() - 400)
		c.Capture()
		scroll = append(scroll, time.Since(start))
	}
	return first, scroll
}

func p(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// TestBenchRenderAmended: the cost of showing a 10,000-message
// conversation with replies, edits, reactions, mentions and deletes,
// next to the same conversation of plain messages in the same run (the
// test driver's software canvas: layout and painting, no GPU).
func TestBenchRenderAmended(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	const n = 10000
	var plainFirst, amendFirst []time.Duration
	var plainScroll, amendScroll []time.Duration
	for range 5 {
		f, s := renderConversation(t, false, n)
		plainFirst, plainScroll = append(plainFirst, f), append(plainScroll, s...)
		f, s = renderConversation(t, true, n)
		amendFirst, amendScroll = append(amendFirst, f), append(amendScroll, s...)
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Printf("BENCH window, %d-message conversation, first frame: plain p50 %s, with edits/reactions/replies p50 %s (%.2fx)\n",
		n, ms(p(plainFirst, .5)), ms(p(amendFirst, .5)), float64(p(amendFirst, .5))/float64(p(plainFirst, .5)))
	fmt.Printf("BENCH window, scrolling it a screen at a time: plain p50 %s p99 %s, amended p50 %s p99 %s (p99 %.2fx)\n",
		ms(p(plainScroll, .5)), ms(p(plainScroll, .99)), ms(p(amendScroll, .5)), ms(p(amendScroll, .99)),
		float64(p(amendScroll, .99))/float64(p(plainScroll, .99)))
}
