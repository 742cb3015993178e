package app

import (
	"context"

	"hallway/chat"

	"fyne.io/fyne/v2"
)

// maxBatch bounds how many events one trip to the UI goroutine carries: a
// burst (a room catching up) costs a few fyne.Do calls, not thousands.
const maxBatch = 256

// onUI runs fn on the UI goroutine. It is the window's only door to
// fyne.Do: everything that changes widgets from another goroutine goes
// through it, so the boundary stays in this file.
func onUI(fn func()) { fyne.Do(fn) }

// dmConv and roomConv name conversations as the core does.
func dmConv(peer string) string { return chat.DMConv(peer).String() }
func roomConv(id string) string { return chat.RoomConv(id).String() }

// startBridge is the one path from core events to widgets: it follows the
// core's events until ctx ends and hands them, in batches, to deliver on
// the UI goroutine through onUI.
func startBridge(ctx context.Context, c Core, deliver func(chat.Event)) {
	events := c.Subscribe(ctx)
	go func() {
		for ev := range events {
			batch := []chat.Event{ev}
		drain:
			for len(batch) < maxBatch {
				select {
				case e, ok := <-events:
					if !ok {
						break drain
					}
					batch = append(batch, e)
				default:
					break drain
				}
			}
			onUI(func() {
				if ctx.Err() != nil {
					return // a newer core is attached
				}
				for _, e := range batch {
					deliver(e)
				}
			})
		}
	}()
}

// deliver applies one core event to the views.
func (u *UI) deliver(ev chat.Event) {
	u.apply(ev)
	if u.applied != nil {
		u.applied(ev)
	}
}

func (u *UI) apply(ev chat.Event) {
	switch e := ev.(type) {
	case chat.PeerOnline:
		u.peerChanged(e.Peer)
	case chat.PeerOffline:
		u.peerChanged(e.Peer)
	case chat.PeerUpdated:
		u.peerChanged(e.Peer)
	case chat.MessageReceived:
		u.messageIn(e.Message)
	case chat.MessageSent:
		if e.Message.Conversation == u.current && !u.refoldFor(e.Message) {
			u.conv.upsert(e.Message)
		}
	case chat.MessageDelivered:
		if e.Message.Conversation == u.current {
			u.conv.upsert(e.Message)
		}
	case chat.MessagesRead:
		if e.Read.Conversation == u.current {
			u.conv.readUpTo(e.Read.UpTo, e.Read.At)
		}
	case chat.TypingChanged:
		u.typingChanged(e.Typing)
	case chat.ProfileChanged:
		u.self = e.Self
		u.status.refresh()
		u.tray.refresh()
	case chat.RoomChanged:
		u.roomChanged(e)
	case chat.InvitationChanged:
		u.invitationChanged(e.Invitation)
	case chat.TransferChanged:
		u.transfers[e.Transfer.ID] = e.Transfer
		if e.Transfer.Conversation == u.current {
			u.conv.transferChanged(e.Transfer.ID)
		}
	case chat.TrustChanged:
		u.trusts[e.Trust.PeerID] = e.Trust
		u.sidebar.refresh()
		u.header.refresh()
		u.updateWarningBanner()
	case chat.NameWarningRaised:
		t := u.trusts[e.Warning.PeerID]
		t.PeerID = e.Warning.PeerID
		w := e.Warning
		t.Warning = &w
		u.trusts[w.PeerID] = t
		u.sidebar.refresh()
		u.header.refresh()
		u.updateWarningBanner()
		u.notify("Hallway: check who this is", w.Message, true)
	case chat.PrefsChanged:
		setup := e.Prefs.SetupDone && !u.prefs.SetupDone
		u.prefs = e.Prefs
		applyTheme(u.app, u.prefs.Theme)
		u.status.refresh()
		u.sidebar.refresh()
		u.header.refresh()
		if setup && !u.holdScreen {
			u.showMain() // set up elsewhere (hallway CLI, another screen)
		}
	case chat.NearbyChanged:
		u.nearbyChanged(e.Workspaces)
	case chat.ReceiptsChanged:
		if u.current == chat.RoomConv(e.Room).String() {
			u.conv.load(u.current, "", 0)
		}
	case chat.PolicyChanged:
		p := e.Policy
		u.policy = &p
		u.checkNotice()
	case chat.Lagged:
		u.lagged(e.Missed)
	}
}

// lagged reads again what the window shows from events, after the core
// dropped missed of them: the sidebar's colleagues, rooms and badges, and
// the open conversation's newest page, by the paths that first read them.
func (u *UI) lagged(missed int) {
	u.log.Warn("fell behind the node's events; reading the view again", "missed", missed)
	u.reload(false)
	if u.current != "" {
		u.conv.load(u.current, "", 0)
	}
}

func (u *UI) peerChanged(p chat.Colleague) {
	old, known := u.peers[p.PeerID]
	u.peers[p.PeerID] = p
	u.sidebar.refresh()
	if u.current == dmConv(p.PeerID) {
		u.header.refresh()
	}
	if !known || old.Name != p.Name {
		// A new name may raise or clear a warning: read trust again.
		u.async(func(ctx context.Context) func() {
			ts, err := u.core.Trusts(ctx)
			if err != nil {
				return nil
			}
			return func() {
				u.trusts = ts
				u.sidebar.refresh()
				u.header.refresh()
				u.updateWarningBanner()
			}
		})
	}
}

func (u *UI) messageIn(m chat.Message) {
	counts := m.Kind == "" || m.Kind == "text" || m.Kind == "file" || m.Kind == "reply"
	if m.Conversation == u.current {
		if u.refoldFor(m) {
			return
		}
		u.conv.upsert(m)
	}
	if u.typing[m.Conversation] != nil && m.From != u.self.PeerID {
		u.typingChanged(chat.TypingSignal{Conversation: m.Conversation, From: m.From}) // they sent it
	}
	if !counts || m.Outgoing {
		return
	}
	now := u.now()
	notify, mention := chat.Notifies(m, u.self.PeerID, u.prefs.MuteOf(m.Conversation).LevelAt(now), u.prefs.DoNotDisturbUntil, now)
	if m.Conversation != u.current || !u.focused {
		u.unread[m.Conversation]++
		if mention {
			u.mentions[m.Conversation]++
		}
		u.sidebar.refresh()
		u.updateAttention()
	} else {
		u.markReadIf(true)
	}
	if notify && (m.Conversation != u.current || !u.focused) {
		who := authorText(m.FromName, m.From, m.FromVerified, m.FromWarning)
		if m.FromName == "" && m.FromWarning == nil {
			who = u.convTitle(dmConv(m.From))
		}
		title := who
		if chat.IsRoomConv(m.Conversation) {
			title = who + " in " + u.convTitle(m.Conversation)
		}
		if mention {
			title = who + " mentioned you"
			if chat.IsRoomConv(m.Conversation) {
				title += " in " + u.convTitle(m.Conversation)
			}
		}
		body := chat.RenderMentions(m.Text, u.nameOf)
		if m.Kind == "file" {
			body = "sent a file"
		}
		u.notify(title, body, mention)
	}
}

// refoldFor reads the open conversation again when m is an amendment of
// a message on screen, and reports whether m was one.
func (u *UI) refoldFor(m chat.Message) bool {
	if !chat.Kind(m.Kind).IsAmendment() {
		return false
	}
	if m.Ref != nil && u.conv.index(m.Ref.ID) >= 0 {
		u.conv.refold()
	}
	return true
}

func (u *UI) roomChanged(e chat.RoomChanged) {
	out := u.rooms[:0:0]
	found := false
	for _, r := range u.rooms {
		if r.ID == e.Room.ID {
			found = true
			if e.Left {
				continue
			}
			r = e.Room
		}
		out = append(out, r)
	}
	if !found && !e.Left {
		out = append(out, e.Room)
	}
	sortRooms(out)
	u.rooms = out
	u.sidebar.refresh()
	if e.Left && u.current == roomConv(e.Room.ID) {
		u.current = ""
		if len(u.rooms) > 0 {
			u.open(roomConv(u.rooms[0].ID))
		}
	} else if u.current == roomConv(e.Room.ID) {
		u.header.refresh()
	}
}
