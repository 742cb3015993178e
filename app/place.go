package app

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Finding one's place: a "New messages" line over the first message that
// was unread when the conversation opened (msgitem.go), buttons to jump
// there or to the latest, and a draft per conversation that survives a
// restart.

// jumpBar offers the jumps while a conversation has its unread line.
type jumpBar struct {
	u      *UI
	obj    *fyne.Container
	first  *widget.Button
	latest *widget.Button
}

func newJumpBar(u *UI) *jumpBar {
	j := &jumpBar{u: u}
	j.first = widget.NewButtonWithIcon("First unread", theme.MoveUpIcon(), j.toFirst)
	j.latest = widget.NewButtonWithIcon("Latest", theme.MoveDownIcon(), func() { u.conv.list.ScrollToBottom() })
	j.first.Importance, j.latest.Importance = widget.LowImportance, widget.LowImportance
	j.obj = container.NewHBox(layout.NewSpacer(), j.first, j.latest)
	j.obj.Hide()
	return j
}

// refresh shows the bar while the open conversation has an unread line.
func (j *jumpBar) refresh() {
	c := j.u.conv
	if c.firstUnread == "" {
		j.obj.Hide()
		return
	}
	j.first.SetText(fmt.Sprintf("First unread (%d)", c.unreadN))
	j.obj.Show()
}

func (j *jumpBar) toFirst() {
	c := j.u.conv
	if i := c.index(c.firstUnread); i >= 0 {
		c.pinned = true
		c.list.ScrollTo(i)
	}
}

// jumpTo shows the message with id of the open conversation, reading
// older pages when it is not loaded.
func (u *UI) jumpTo(id string) {
	c := u.conv
	if i := c.index(id); i >= 0 {
		c.pinned = true
		c.list.ScrollTo(i)
		c.list.Select(i)
		return
	}
	u.openAt(u.current, id)
}

// draftSaveDelay is how long typing pauses before a draft is saved.
const draftSaveDelay = time.Second

// draftChanged remembers what the entry holds for conv, and saves it once
// typing pauses.
func (u *UI) draftChanged(conv, text string) {
	if conv == "" || u.drafts[conv] == text {
		return
	}
	u.drafts[conv] = text
	if u.dirty[conv] {
		return // a save is on its way; it takes the text then
	}
	u.dirty[conv] = true
	realClock{}.AfterFunc(draftSaveDelay, func() { onUI(func() { u.flushDraft(conv) }) })
}

// flushDraft saves conv's draft now if it changed.
func (u *UI) flushDraft(conv string) {
	if !u.dirty[conv] || u.core == nil {
		return
	}
	delete(u.dirty, conv)
	text := u.drafts[conv]
	u.async(func(ctx context.Context) func() {
		err := u.core.SetDraft(ctx, conv, text)
		return func() { u.showError(err) }
	})
}
