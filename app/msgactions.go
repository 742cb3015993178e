package app

import (
	"context"
	"fmt"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// What a user can do with one message: reply, react, and to their own
// edit or delete it; a right click on the message offers it.

// TappedSecondary opens the message's menu.
func (it *msgItem) TappedSecondary(pe *fyne.PointEvent) {
	if it.shown != nil {
		it.u.showMessageMenu(*it.shown, pe.AbsolutePosition)
	}
}

var _ fyne.SecondaryTappable = (*msgItem)(nil)
var _ desktop.Hoverable = (*msgItem)(nil)

// amendable reports whether m takes replies and reactions: a message of
// a colleague's or ours, not an announcement or a deleted one.
func amendable(m chat.Message) bool {
	k := chat.Kind(m.Kind)
	return (k == chat.KindText || k == chat.KindReply || k == chat.KindFile || m.Kind == "") && !m.Deleted
}

// messageActions are the menu items for m, for the user self.
func (u *UI) messageActions(m chat.Message) []*fyne.MenuItem {
	if !amendable(m) {
		return nil
	}
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Reply", func() { u.compose.startReply(m) }),
		fyne.NewMenuItem("React…", func() { u.showEmojiPicker(m) }),
	}
	own := m.Outgoing || m.From == u.self.PeerID
	if own && m.Kind != string(chat.KindFile) {
		items = append(items, fyne.NewMenuItem("Edit", func() { u.compose.startEdit(m) }))
	}
	if m.Edited {
		items = append(items, fyne.NewMenuItem("Earlier versions…", func() { u.showVersions(m) }))
	}
	if own {
		items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Delete for everyone…", func() { u.askDelete(m) }))
	}
	return items
}

func (u *UI) showMessageMenu(m chat.Message, at fyne.Position) {
	items := u.messageActions(m)
	if len(items) == 0 {
		return
	}
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), u.win.Canvas(), at)
}

// amend sends a reply, an edit, a delete or a reaction toggle.
func (u *UI) amend(kind chat.Kind, id, text string, then func(error)) {
	u.async(func(ctx context.Context) func() {
		_, err := u.core.Amend(ctx, kind, id, text)
		return func() {
			u.showError(err)
			if then != nil {
				then(err)
			}
		}
	})
}

func (u *UI) askDelete(m chat.Message) {
	dialog.ShowConfirm("Delete this message for everyone?",
		"It disappears from every member's conversation; a \"message deleted\" line stays in its place.\n"+
			"Where a legal hold covers the conversation, the archive keeps it.",
		func(ok bool) {
			if ok {
				u.amend(chat.KindDelete, m.ID, "", nil)
			}
		}, u.win)
}

// showVersions lists what an edited message said before, oldest first,
// and what it says now.
func (u *UI) showVersions(m chat.Message) {
	var b strings.Builder
	for _, v := range m.Versions {
		fmt.Fprintf(&b, "%s\n%s\n\n", v.Time.Local().Format("2 Jan 15:04"), chat.RenderMentions(v.Text, u.nameOf))
	}
	fmt.Fprintf(&b, "%s (now)\n%s", m.EditedAt.Local().Format("2 Jan 15:04"), chat.RenderMentions(m.Text, u.nameOf))
	text := widget.NewLabel(b.String())
	text.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(text)
	scroll.SetMinSize(fyne.NewSize(420, 240))
	dialog.ShowCustom("Earlier versions", "Close", scroll, u.win)
}

// commonEmoji are the reactions the picker always offers.
var commonEmoji = []string{"👍", "👎", "❤️", "😂", "😮", "😢", "🎉", "🙏", "👀", "✅", "❌", "🔥",
	"💯", "👏", "🤔", "🙌", "☕", "🍕", "🚀", "⚠️", "📌", "⏰", "👋", "🤝"}

// showEmojiPicker offers the user's recent reactions first, then the
// common ones; a pick toggles the user's reaction on m.
func (u *UI) showEmojiPicker(m chat.Message) {
	var d dialog.Dialog
	pick := func(e string) {
		if d != nil {
			d.Hide()
		}
		u.amend(chat.KindReact, m.ID, e, nil)
	}
	grid := func(emoji []string) *fyne.Container {
		g := container.NewGridWrap(fyne.NewSize(44, 40))
		for _, e := range emoji {
			b := widget.NewButton(e, func() { pick(e) })
			b.Importance = widget.LowImportance
			g.Add(b)
		}
		return g
	}
	box := container.NewVBox()
	if len(u.prefs.RecentEmoji) > 0 {
		box.Add(widget.NewLabel("Recent"))
		box.Add(grid(u.prefs.RecentEmoji))
	}
	box.Add(widget.NewLabel("Reactions"))
	box.Add(grid(commonEmoji))
	box.Add(widget.NewLabel("Or type one:"))
	own := widget.NewEntry()
	own.SetPlaceHolder("an emoji")
	own.OnSubmitted = func(s string) {
		if err := chat.CheckEmoji(strings.TrimSpace(s)); err != nil {
			u.showError(chat.UserErrorf("%v", err))
			return
		}
		pick(strings.TrimSpace(s))
	}
	box.Add(own)
	d = dialog.NewCustom("React", "Cancel", container.NewPadded(box), u.win)
	d.Resize(fyne.NewSize(360, 0))
	d.Show()
}
