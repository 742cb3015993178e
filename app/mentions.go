package app

import (
	"context"
	"slices"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Compose completes "@na" from the names of the conversation's members;
// the core turns "@Name" into a mention of that member's key when the
// message is sent.

// maxCompletions is how many names the completion offers at once.
const maxCompletions = 6

// completeMention returns, for a text being typed, where the "@" of its
// last word starts and the names among names that word begins (ignoring
// case), sorted; at is -1 when the text does not end in a mention.
func completeMention(text string, names []string) (at int, matches []string) {
	at = strings.LastIndexByte(text, '@')
	if at < 0 || (at > 0 && !strings.ContainsAny(text[at-1:at], " \n\t(")) {
		return -1, nil
	}
	frag := strings.ToLower(text[at+1:])
	if frag == "" || len(frag) > chat.MaxNameRunes || strings.ContainsAny(frag, "\n@") {
		return -1, nil
	}
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), frag) && !strings.EqualFold(n, text[at+1:]) {
			matches = append(matches, n)
		}
	}
	slices.Sort(matches)
	return at, matches[:min(len(matches), maxCompletions)]
}

// mentionNames are the names "@" completes in conv: a room's members
// (read when the room opens), or the colleague of a DM.
func (u *UI) mentionNames(conv string) []string {
	if id, ok := chat.PeerOf(conv); ok {
		return []string{u.nameOf(id)}
	}
	var out []string
	for _, m := range u.roomNames[conv] {
		if m != u.self.Name {
			out = append(out, m)
		}
	}
	return out
}

// loadMentionNames reads the members of the room conv for completion.
func (u *UI) loadMentionNames(conv string) {
	room, ok := chat.RoomOf(conv)
	if !ok || u.core == nil {
		return
	}
	u.async(func(ctx context.Context) func() {
		ms, err := u.core.RoomMembers(ctx, room)
		return func() {
			if err != nil {
				return // no completion; sending still works
			}
			var names []string
			for _, m := range ms {
				if m.Name != "" {
					names = append(names, m.Name)
				}
			}
			u.roomNames[conv] = names
		}
	})
}

// offerCompletion shows the names that complete the mention being typed
// under the compose box, or hides them.
func (c *compose) offerCompletion(text string) {
	if c.completion != nil {
		c.completion.Hide()
		c.completion = nil
	}
	at, matches := completeMention(text, c.u.mentionNames(c.u.current))
	if at < 0 || len(matches) == 0 {
		return
	}
	var items []*fyne.MenuItem
	for _, name := range matches {
		items = append(items, fyne.NewMenuItem("@"+name, func() {
			c.entry.SetText(text[:at] + "@" + name + " ")
			c.entry.CursorColumn = len([]rune(c.entry.Text))
			c.focus()
		}))
	}
	cv := c.u.win.Canvas()
	c.offered = fyne.NewMenu("", items...)
	c.completion = widget.NewPopUpMenu(c.offered, cv)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.entry)
	c.completion.ShowAtPosition(pos.SubtractXY(0, c.completion.MinSize().Height))
}
