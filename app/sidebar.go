package app

import (
	"image/color"
	"sort"
	"strconv"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

type rowKind int

const (
	rowSection rowKind = iota // "Rooms", "People"
	rowGroup                  // a label: "Accounting"
	rowRoom
	rowPeer
	rowInvite // a pending room invitation
)

type sideRow struct {
	kind   rowKind
	title  string
	sub    string // status text, members
	conv   string
	status string // presence, for the dot
	badge  int
	// mention: how many of badge mention the user; muted: the
	// conversation notifies less than all.
	mention int
	muted   bool
	warn    bool
	ok      bool   // verified
	invite  string // the pending invitation a rowInvite asks about
}

// sidebar lists rooms, then colleagues grouped under their labels, with
// presence, unread badges and a filter box.
type sidebar struct {
	u        *UI
	obj      fyne.CanvasObject
	list     *widget.List
	filter   *widget.Entry
	rows     []sideRow
	warn     *fyne.Container
	warnText *onColourLabel
	top      *fyne.Container
	muting   bool // selecting a row from code, not from a tap
}

func newSidebar(u *UI) *sidebar {
	s := &sidebar{u: u}
	s.filter = widget.NewEntry()
	s.filter.SetPlaceHolder("Filter people and rooms")
	s.filter.OnChanged = func(string) { s.refresh() }
	s.list = widget.NewList(func() int { return len(s.rows) }, newSideItem, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(s.rows) {
			o.(*sideItem).set(s.rows[id])
		}
	})
	s.list.OnSelected = func(id widget.ListItemID) {
		if s.muting || id >= len(s.rows) {
			return
		}
		r := s.rows[id]
		if r.kind == rowInvite {
			s.list.Unselect(id)
			u.activity()
			u.showInvitation(r.invite)
			return
		}
		if r.conv == "" {
			s.list.Unselect(id)
			return
		}
		u.activity()
		u.open(r.conv)
	}
	s.warnText = newOnColourLabel(true)
	s.warn = container.NewStack(canvas.NewRectangle(warningColor), s.warnText.obj)
	s.warn.Hide()
	add := widget.NewButtonWithIcon("", theme.ContentAddIcon(), nil)
	add.OnTapped = func() { u.showAddMenu(add) }
	search := widget.NewButtonWithIcon("", theme.SearchIcon(), func() { u.showSearch() })
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { u.showSettings() })
	for _, b := range []*widget.Button{add, search, settings} {
		b.Importance = widget.LowImportance
	}
	s.top = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(search, add, settings), u.statusObj()),
		s.filter, s.warn)
	s.obj = container.NewBorder(s.top, nil, nil, nil, s.list)
	return s
}

// refresh rebuilds the rows from the UI's state.
func (s *sidebar) refresh() {
	u := s.u
	f := strings.ToLower(strings.TrimSpace(s.filter.Text))
	match := func(name string) bool { return f == "" || strings.Contains(strings.ToLower(name), f) }
	rows := append(u.invitationRows(), sideRow{kind: rowSection, title: "Rooms"})
	for _, r := range u.rooms {
		if !match(r.Name) {
			continue
		}
		sub := strconv.Itoa(r.Members) + " members"
		if r.OpenLAN {
			sub += " · visible to every network you join"
		}
		rows = append(rows, sideRow{kind: rowRoom, title: "#" + r.Name, sub: sub, conv: roomConv(r.ID), badge: u.unread[roomConv(r.ID)],
			mention: u.mentions[roomConv(r.ID)], muted: u.muted(roomConv(r.ID))})
	}
	groups := map[string][]sideRow{}
	for _, p := range u.sortedPeers() {
		name := p.Name
		if name == "" {
			name = shortID(p.PeerID)
		}
		if !match(name) {
			continue
		}
		t := u.trusts[p.PeerID]
		sub := p.StatusText
		if !p.Online {
			sub = "offline"
			if p.Problem != "" {
				sub = p.Problem
			}
		}
		if t.Warning != nil {
			sub = "⚠ " + t.Warning.Message
		}
		if p.Blocked {
			sub = "blocked"
		}
		conv := dmConv(p.PeerID)
		groups[t.Label] = append(groups[t.Label], sideRow{kind: rowPeer, title: name, sub: sub, conv: conv,
			status: p.Status, badge: u.unread[conv], mention: u.mentions[conv], muted: u.muted(conv),
			warn: t.Warning != nil, ok: t.Verified})
	}
	labels := make([]string, 0, len(groups))
	for l := range groups {
		if l != "" {
			labels = append(labels, l)
		}
	}
	sort.Slice(labels, func(i, j int) bool { return strings.ToLower(labels[i]) < strings.ToLower(labels[j]) })
	rows = append(rows, sideRow{kind: rowSection, title: "People"})
	for _, l := range labels {
		rows = append(rows, sideRow{kind: rowGroup, title: l})
		rows = append(rows, groups[l]...)
	}
	if len(labels) > 0 && len(groups[""]) > 0 {
		rows = append(rows, sideRow{kind: rowGroup, title: "Others"})
	}
	rows = append(rows, groups[""]...)
	if len(u.peers) == 0 {
		rows = append(rows, sideRow{kind: rowGroup, title: "Nobody found yet: colleagues appear when Hallway finds them on the network (or add one by address with +)."})
	}
	s.rows = rows
	s.list.Refresh()
	s.selectConv(u.current)
}

// selectConv highlights conv's row without opening it again.
func (s *sidebar) selectConv(conv string) {
	s.muting = true
	defer func() { s.muting = false }()
	for i, r := range s.rows {
		if r.conv != "" && r.conv == conv {
			s.list.Select(i)
			return
		}
	}
	s.list.UnselectAll()
}

// sideItem is one row of the sidebar.
type sideItem struct {
	widget.BaseWidget
	dot   *canvas.Circle
	name  *widget.Label
	sub   *widget.Label
	badge *fyne.Container
	count *canvas.Text
	mark  *widget.Label
	box   *fyne.Container
}

func newSideItem() fyne.CanvasObject {
	it := &sideItem{dot: canvas.NewCircle(theme.Color(theme.ColorNameDisabled)), name: widget.NewLabel("Name"),
		sub: widget.NewLabel(""), mark: widget.NewLabel(""), count: canvas.NewText("", color.White)}
	it.name.TextStyle.Bold = true
	it.name.Truncation = fyne.TextTruncateEllipsis
	it.sub.Truncation = fyne.TextTruncateEllipsis
	it.sub.SizeName = theme.SizeNameCaptionText
	it.count.TextStyle.Bold = true
	it.count.TextSize = 11
	pill := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	pill.CornerRadius = 9
	it.badge = container.NewStack(pill, container.NewCenter(it.count))
	dot := container.NewGridWrap(fyne.NewSize(10, 10), it.dot)
	text := container.New(layout.NewCustomPaddedVBoxLayout(-12), it.name, it.sub)
	right := container.NewHBox(it.mark, container.NewCenter(container.NewGridWrap(fyne.NewSize(26, 18), it.badge)))
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(2, 1))
	it.box = container.NewBorder(nil, nil, container.NewHBox(gap, container.NewCenter(dot)), right, text)
	it.ExtendBaseWidget(it)
	return it
}

func (it *sideItem) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(it.box) }

func (it *sideItem) set(r sideRow) {
	title := r.title
	if r.muted {
		title += " 🔕"
	}
	it.name.SetText(title)
	it.sub.SetText(r.sub)
	it.name.TextStyle.Bold = r.kind != rowGroup
	it.name.Importance = widget.MediumImportance
	if r.kind == rowSection {
		it.name.Importance = widget.LowImportance
	}
	if r.sub == "" {
		it.sub.Hide()
	} else {
		it.sub.Show()
	}
	if r.kind == rowPeer {
		it.dot.FillColor = presenceColor(r.status)
		it.dot.Show()
	} else {
		it.dot.Hide()
	}
	it.dot.Refresh()
	switch {
	case r.warn:
		it.mark.SetText("⚠")
		it.mark.Importance = widget.DangerImportance
	case r.ok:
		it.mark.SetText("✔")
		it.mark.Importance = widget.SuccessImportance
	default:
		it.mark.SetText("")
	}
	if r.badge > 0 {
		it.count.Text = badgeText(r.badge, r.mention)
		it.count.Refresh()
		it.badge.Show()
	} else {
		it.badge.Hide()
	}
	it.name.Refresh()
}

// badgeText is a conversation's unread count, "@" and the mentions of the
// user first when there are any: "@2", not "5", is what needs the user.
func badgeText(unread, mentions int) string {
	if mentions > 0 {
		return "@" + strconv.Itoa(min(mentions, 99))
	}
	return strconv.Itoa(min(unread, 999))
}

// muted reports whether conv notifies less than every message now.
func (u *UI) muted(conv string) bool {
	return u.prefs.MuteOf(conv).LevelAt(u.now()) != chat.NotifyAll
}

// presenceColor is the dot of a status.
func presenceColor(status string) color.Color {
	switch status {
	case "available":
		return color.NRGBA{R: 0x2e, G: 0xa0, B: 0x43, A: 0xff}
	case "away":
		return color.NRGBA{R: 0xe0, G: 0xa1, B: 0x00, A: 0xff}
	case "busy":
		return color.NRGBA{R: 0xd3, G: 0x2f, B: 0x2f, A: 0xff}
	}
	return color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}
}

func sortRooms(rs []chat.Room) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].General != rs[j].General {
			return rs[i].General
		}
		return strings.ToLower(rs[i].Name) < strings.ToLower(rs[j].Name)
	})
}
