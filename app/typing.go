package app

import (
	"context"
	"time"

	"hallway/chat"
)

// Typing: the colleague of a direct conversation sees "Ann is typing…"
// while the user writes to them, and the user sees theirs.

// typed tells the colleague of the open conversation that the user is
// typing, or (typing false) stopped; the core sends at most one signal
// every few seconds, and none to a room.
func (u *UI) typed(typing bool) {
	conv := u.current
	if u.core == nil || !chat.IsDMConv(conv) {
		return
	}
	u.async(func(ctx context.Context) func() {
		u.core.Typing(ctx, conv, typing) // a lost signal is no failure
		return nil
	})
}

// typingChanged shows or hides a colleague's typing line, and hides it
// by itself when the signal runs out.
func (u *UI) typingChanged(sig chat.TypingSignal) {
	if sig.Until.IsZero() || !sig.Until.After(u.now()) {
		delete(u.typing, sig.Conversation)
	} else {
		s := sig
		u.typing[sig.Conversation] = &s
		realClock{}.AfterFunc(sig.Until.Sub(u.now())+10*time.Millisecond, func() { onUI(u.refreshTyping) })
	}
	u.refreshTyping()
}

// refreshTyping shows the typing line of the open conversation, if its
// colleague is typing now.
func (u *UI) refreshTyping() {
	sig := u.typing[u.current]
	if sig != nil && !sig.Until.After(u.now()) {
		delete(u.typing, u.current)
		sig = nil
	}
	if sig == nil {
		u.typingLine.Hide()
		return
	}
	u.typingLine.SetText(u.nameOf(sig.From) + " is typing…")
	u.typingLine.Show()
}
