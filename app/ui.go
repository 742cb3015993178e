package app

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// UI is the main window's state and views. Every method runs on the UI
// goroutine unless it says otherwise.
type UI struct {
	app  fyne.App
	win  fyne.Window
	core Core
	// ctx lives as long as the attached core.
	ctx    context.Context
	cancel context.CancelFunc

	// async runs work off the UI goroutine; the function work returns
	// (if any) then runs on the UI goroutine. Tests run both in line.
	async func(work func(ctx context.Context) func())

	self     chat.Self
	peers    map[string]chat.Colleague
	rooms    []chat.Room
	invites  []chat.RoomInvitation // pending, oldest first
	trusts   map[string]chat.Trust
	unread   map[string]int
	mentions map[string]int // of unread, those that mention the user
	// roomNames are the names of each open room's members, for "@".
	roomNames map[string][]string
	// typing: the colleagues typing to us now, by conversation; the line
	// under the open conversation says so.
	typing     map[string]*chat.TypingSignal
	typingLine *widget.Label
	// jump takes the user to the first unread message or the latest.
	jump *jumpBar
	// drafts are the unsent texts by conversation; dirty those not saved
	// yet.
	drafts    map[string]string
	dirty     map[string]bool
	transfers map[string]chat.Transfer
	prefs     chat.Prefs
	// nearby: the other workspaces seen on the network.
	nearby []chat.NearbyWorkspace
	// nearbyEvents counts nearby_changed events applied, so a reload that
	// read the list before one of them keeps the newer list.
	nearbyEvents int
	// policy is the workspace policy in force (nil: a workspace without
	// admins); noticeShown the version whose notice was last put up.
	policy      *chat.Policy
	noticeShown uint64
	current     string // the conversation shown: "dm:…" or "room:…"
	focused     bool
	// autoAway: the status was set to away by the idle timer, so activity
	// brings it back.
	autoAway bool
	// holdScreen keeps the first-run screen up while the node restarts.
	holdScreen bool

	sidebar *sidebar
	conv    *conversation
	header  *header
	compose *compose
	status  *statusMenu
	banner  *banner
	// openPanel stands above the conversation in the open LAN workspace.
	openPanel *openPanel
	// firstRun is the first-run screen while it is shown.
	firstRun *firstRun
	idle     *idleTracker
	tray     *tray
	main     fyne.CanvasObject
	empty    fyne.CanvasObject
	convPane *fyne.Container

	// applied is called after each core event is applied (tests wait on it).
	applied func(chat.Event)
	// now is the clock for day separators.
	now func() time.Time
	log *slog.Logger
	// trim hands freed memory back once the window settles; nil under
	// a test driver.
	trim *trimmer
}

// newUI builds the views into win. The core is attached later.
func newUI(a fyne.App, win fyne.Window) *UI {
	u := &UI{
		app: a, win: win, focused: true,
		peers: map[string]chat.Colleague{}, trusts: map[string]chat.Trust{},
		unread: map[string]int{}, mentions: map[string]int{}, roomNames: map[string][]string{}, typing: map[string]*chat.TypingSignal{},
		drafts: map[string]string{}, dirty: map[string]bool{},
		transfers: map[string]chat.Transfer{},
		prefs:     chat.Prefs{Notifications: true, Theme: chat.ThemeSystem},
		now:       time.Now,
		log:       slog.New(slog.DiscardHandler),
	}
	u.async = func(work func(ctx context.Context) func()) {
		ctx := u.ctx
		go func() {
			if then := work(ctx); then != nil {
				onUI(then)
			}
		}()
	}
	// The theme is in place before anything is laid out: changing it
	// later drops every font Fyne parsed and parses them again.
	applyTheme(a, u.prefs.Theme)
	u.banner = newBanner()
	u.openPanel = newOpenPanel(u)
	u.sidebar = newSidebar(u)
	u.conv = newConversation(u)
	u.header = newHeader(u)
	u.compose = newCompose(u)
	u.typingLine = widget.NewLabel("")
	u.typingLine.Importance = widget.LowImportance
	u.typingLine.Hide()
	u.jump = newJumpBar(u)
	u.idle = newIdleTracker(realClock{}, idleAfter, nil, u.idleChanged)
	u.tray = newTray(u)
	u.empty = container.NewCenter(widget.NewLabel("Pick a colleague or a room on the left."))
	u.convPane = container.NewStack(u.empty)
	right := container.NewBorder(container.NewVBox(u.header.obj, u.openPanel.obj, u.banner.obj), nil, nil, nil, u.convPane)
	split := container.NewHSplit(u.sidebar.obj, right)
	split.Offset = 0.27
	u.main = newActivityCatcher(split, u.activity)
	win.SetContent(container.NewStack(widget.NewLabel("Starting Hallway…")))
	win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { u.dropped(uris) })
	return u
}

// attach connects the UI to a running core and shows the window's
// content: the first-run screen the first time, else the last
// conversation.
func (u *UI) attach(c Core) {
	if u.cancel != nil {
		u.cancel()
	}
	u.core = c
	u.ctx, u.cancel = context.WithCancel(context.Background())
	startBridge(u.ctx, c, u.deliver)
	u.reload(true)
}

// reload reads the whole state from the core, off the UI goroutine.
func (u *UI) reload(open bool) {
	events := u.nearbyEvents
	u.async(func(ctx context.Context) func() {
		st, err := loadState(ctx, u.core)
		return func() {
			if err != nil {
				u.showError(err)
				return
			}
			if u.nearbyEvents != events {
				st.nearby = u.nearby // an event told a newer list meanwhile
			}
			u.setState(st)
			if !open || u.holdScreen {
				return
			}
			if !st.prefs.SetupDone {
				u.showFirstRun()
				return
			}
			u.showMain()
		}
	})
}

type state struct {
	self      chat.Self
	peers     []chat.Colleague
	rooms     []chat.Room
	invites   []chat.RoomInvitation
	trusts    map[string]chat.Trust
	unread    map[string]int
	mentions  map[string]int
	drafts    map[string]string
	transfers []chat.Transfer
	prefs     chat.Prefs
	nearby    []chat.NearbyWorkspace
	policy    *chat.Policy
}

func loadState(ctx context.Context, c Core) (state, error) {
	var st state
	var err error
	if st.self, err = c.Self(ctx); err != nil {
		return st, err
	}
	if st.peers, err = c.Peers(ctx); err != nil {
		return st, err
	}
	if st.rooms, err = c.Rooms(ctx); err != nil {
		return st, err
	}
	if st.invites, err = c.RoomInvitations(ctx); err != nil {
		return st, err
	}
	if st.trusts, err = c.Trusts(ctx); err != nil {
		return st, err
	}
	if st.unread, err = c.Unread(ctx); err != nil {
		return st, err
	}
	if st.mentions, err = c.UnreadMentions(ctx); err != nil {
		return st, err
	}
	if st.drafts, err = c.Drafts(ctx); err != nil {
		return st, err
	}
	if st.transfers, err = c.Transfers(ctx); err != nil {
		return st, err
	}
	if st.nearby, err = c.NearbyWorkspaces(ctx); err != nil {
		return st, err
	}
	if p, err := c.Policy(ctx); err == nil {
		st.policy = &p
	} // else a workspace without admins: no policy to show
	st.prefs, err = c.Prefs(ctx)
	return st, err
}

func (u *UI) setState(st state) {
	u.self = st.self
	u.peers = map[string]chat.Colleague{}
	for _, p := range st.peers {
		u.peers[p.PeerID] = p
	}
	u.rooms = st.rooms
	u.invites = st.invites
	u.trusts = st.trusts
	if u.trusts == nil {
		u.trusts = map[string]chat.Trust{}
	}
	u.unread = st.unread
	if u.unread == nil {
		u.unread = map[string]int{}
	}
	u.mentions = st.mentions
	if u.mentions == nil {
		u.mentions = map[string]int{}
	}
	for conv, d := range st.drafts {
		if !u.dirty[conv] {
			u.drafts[conv] = d
		}
	}
	for _, t := range st.transfers {
		u.transfers[t.ID] = t
	}
	u.prefs = st.prefs
	applyTheme(u.app, u.prefs.Theme)
	u.status.refresh()
	u.sidebar.refresh()
	u.header.refresh()
	u.updateAttention()
	u.updateWarningBanner()
	u.nearby = st.nearby
	u.showNearby()
	u.policy = st.policy
}

// showMain shows the main view, opening the last conversation.
func (u *UI) showMain() {
	u.firstRun = nil
	u.win.SetContent(u.main)
	u.checkNotice()
	if u.current == "" && u.prefs.LastConversation != "" && u.knownConv(u.prefs.LastConversation) {
		u.open(u.prefs.LastConversation)
	} else if u.current == "" && len(u.rooms) > 0 {
		u.open(roomConv(u.rooms[0].ID))
	} else if u.current != "" {
		u.open(u.current)
	}
}

func (u *UI) knownConv(conv string) bool {
	kind, id, _ := strings.Cut(conv, ":")
	if kind == "room" {
		for _, r := range u.rooms {
			if r.ID == id {
				return true
			}
		}
		return false
	}
	_, ok := u.peers[id]
	return ok
}

// open shows a conversation, loading its newest page.
func (u *UI) open(conv string) {
	u.openAt(conv, "")
}

// openAt shows a conversation and scrolls to message id ("" = newest).
func (u *UI) openAt(conv, msgID string) {
	changed := u.current != conv
	if changed {
		u.flushDraft(u.current)
	}
	u.current = conv
	u.convPane.Objects = []fyne.CanvasObject{container.NewBorder(nil, container.NewVBox(u.jump.obj, u.typingLine, u.compose.obj), nil, nil, u.conv.list)}
	u.convPane.Refresh()
	if changed || msgID != "" {
		u.conv.load(conv, msgID, u.unread[conv])
	}
	if changed && u.compose.mode != "" {
		u.compose.cancelMode()
	}
	if changed {
		u.loadMentionNames(conv)
		u.refreshTyping()
		u.compose.entry.SetText(u.drafts[conv])
	}
	u.header.refresh()
	u.sidebar.selectConv(conv)
	u.compose.focus()
	u.markRead()
	if changed && u.prefs.LastConversation != conv && u.core != nil {
		p := u.prefs
		p.LastConversation = conv
		u.prefs = p
		u.async(func(ctx context.Context) func() {
			u.core.SetPrefs(ctx, p)
			return nil
		})
	}
}

// markRead clears the badge of the current conversation when the user can
// see it.
func (u *UI) markRead() { u.markReadIf(false) }

// markReadIf marks the current conversation read in the core; fresh says
// a message just arrived in it, so the core's marker must move even
// though no badge shows.
func (u *UI) markReadIf(fresh bool) {
	conv := u.current
	if conv == "" || !u.focused || u.core == nil || (u.unread[conv] == 0 && !fresh) {
		return
	}
	delete(u.unread, conv)
	delete(u.mentions, conv)
	u.sidebar.refresh()
	u.updateAttention()
	u.async(func(ctx context.Context) func() {
		u.core.MarkRead(ctx, conv)
		return nil
	})
}

// convTitle names a conversation for the header, notifications and search.
func (u *UI) convTitle(conv string) string {
	kind, id, _ := strings.Cut(conv, ":")
	if kind == "room" {
		for _, r := range u.rooms {
			if r.ID == id {
				return "#" + r.Name
			}
		}
		return "#room"
	}
	if p, ok := u.peers[id]; ok && p.Name != "" {
		return p.Name
	}
	return shortID(id)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:6] + "…" + id[len(id)-4:]
	}
	return id
}

// totalUnread is the sum of all badges.
func (u *UI) totalUnread() int {
	n := 0
	for _, c := range u.unread {
		n += c
	}
	return n
}

// sortedPeers lists colleagues by name, online first.
func (u *UI) sortedPeers() []chat.Colleague {
	out := make([]chat.Colleague, 0, len(u.peers))
	for _, p := range u.peers {
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Online != b.Online {
			return a.Online
		}
		if x, y := strings.ToLower(a.Name), strings.ToLower(b.Name); x != y {
			return x < y
		}
		return a.PeerID < b.PeerID
	})
	return out
}

func (u *UI) showError(err error) {
	if err == nil {
		return
	}
	u.banner.show(message(err), true)
}

func (u *UI) info(format string, args ...any) {
	u.banner.show(fmt.Sprintf(format, args...), false)
}
