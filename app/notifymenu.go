package app

import (
	"context"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// showNotifyMenu offers the open conversation's notification levels, and
// mutes that end by themselves, under the header's bell.
func (u *UI) showNotifyMenu(anchor fyne.CanvasObject) {
	conv := u.current
	if conv == "" {
		return
	}
	now := u.now()
	level := u.prefs.MuteOf(conv).LevelAt(now)
	item := func(label string, l chat.NotifyLevel, until time.Time) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, func() { u.setMute(conv, l, until) })
		it.Checked = until.IsZero() && l == level && (l != chat.NotifyAll || !u.muted(conv))
		return it
	}
	menu := fyne.NewMenu("",
		item("Every message", chat.NotifyAll, time.Time{}),
		item("Only mentions of me", chat.NotifyMentions, time.Time{}),
		item("Nothing", chat.NotifyNone, time.Time{}),
		fyne.NewMenuItemSeparator(),
		item("Mute for 1 hour", chat.NotifyMentions, now.Add(time.Hour)),
		item("Mute until tomorrow", chat.NotifyMentions, chat.TomorrowMorning(now)),
	)
	c := fyne.CurrentApp().Driver().CanvasForObject(anchor)
	if c == nil {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor).AddXY(0, anchor.Size().Height)
	widget.ShowPopUpMenuAtPosition(menu, c, pos)
}

// setMute saves a conversation's notification level.
func (u *UI) setMute(conv string, level chat.NotifyLevel, until time.Time) {
	u.async(func(ctx context.Context) func() {
		_, err := u.core.Mute(ctx, conv, level, until)
		return func() {
			if err != nil {
				u.showError(err)
			}
		}
	})
}

// muteShort says in a word or two how a conversation is muted.
func muteShort(m chat.Mute, now time.Time) string {
	what := map[chat.NotifyLevel]string{chat.NotifyMentions: "mentions only", chat.NotifyNone: "muted"}[m.LevelAt(now)]
	if !m.Until.IsZero() {
		what += " until " + m.Until.Local().Format("15:04")
		if m.Until.Sub(now) > 20*time.Hour {
			what = "muted until " + m.Until.Local().Format("Mon 15:04")
		}
	}
	return what
}
