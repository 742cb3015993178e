package app

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// shape says which parts of a message row show.
type shape struct {
	unreadLine bool // the "New messages" line above: the first unread
	day        bool // a day separator above
	header     bool // author and time (hidden for a quick follow-up by the same author)
	system     bool // a join, leave or invite line
	file       bool
}

func shapeOf(m, prev *chat.Message) shape {
	s := shape{header: true, system: m.Kind == "join" || m.Kind == "leave" || m.Kind == "invite" || memberKind(m.Kind) ||
		m.Kind == "code_issued" || m.Kind == "code_revoked", file: m.Kind == "file"}
	if prev == nil || !sameDay(prev.Time, m.Time) {
		s.day = true
	} else if prev.From == m.From && prev.Kind == m.Kind && !s.system && !s.file && m.Time.Sub(prev.Time) < 5*time.Minute {
		s.header = false
	}
	if s.system {
		s.header = false
	}
	return s
}

func sameDay(a, b time.Time) bool {
	a, b = a.Local(), b.Local()
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// dayLabel is "Today", "Yesterday", a weekday this week, else a date.
func dayLabel(t time.Time, now time.Time) string {
	t, now = t.Local(), now.Local()
	d0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	switch days := int(d0.Sub(d).Hours() / 24); {
	case days == 0:
		return "Today"
	case days == 1:
		return "Yesterday"
	case days > 1 && days < 7:
		return t.Format("Monday")
	case t.Year() == now.Year():
		return t.Format("Monday 2 January")
	}
	return t.Format("2 January 2006")
}

// msgItem is one row of the conversation list.
type msgItem struct {
	widget.BaseWidget
	u      *UI
	day    *widget.Label
	dayBox *fyne.Container
	newBox *fyne.Container // the "New messages" line
	name   *canvas.Text
	when   *widget.Label
	mark   *widget.Label
	who    *widget.Button // who a room message reached, on our own posts
	shown  *chat.Message  // the message set last, for who
	head   *fyne.Container
	body   *widget.RichText
	quote  *widget.Hyperlink // the message a reply answers; a click goes there
	reacts *widget.Label     // the reactions under it
	system *widget.Label
	card   *fileCard
	box    *fyne.Container
}

func newMsgItem(u *UI) *msgItem {
	it := &msgItem{u: u, day: widget.NewLabel("Today"), name: canvas.NewText("Name", theme.Color(theme.ColorNameForeground)),
		when: widget.NewLabel("12:00"), mark: widget.NewLabel(""), body: widget.NewRichText(), system: widget.NewLabel(""),
		quote: widget.NewHyperlink("", nil), reacts: widget.NewLabel("")}
	it.quote.Truncation = fyne.TextTruncateEllipsis
	it.quote.OnTapped = func() {
		if q := it.shown; q != nil && q.ReplyTo != nil && !q.ReplyTo.Missing {
			u.jumpTo(q.ReplyTo.ID)
		}
	}
	it.reacts.SizeName = theme.SizeNameCaptionText
	it.day.TextStyle.Bold = true
	it.day.SizeName = theme.SizeNameCaptionText
	it.dayBox = container.NewBorder(nil, nil, nil, nil,
		container.NewHBox(layout.NewSpacer(), it.day, layout.NewSpacer()))
	it.name.TextStyle.Bold = true
	it.when.SizeName = theme.SizeNameCaptionText
	it.when.Importance = widget.LowImportance
	it.mark.SizeName = theme.SizeNameCaptionText
	it.mark.Importance = widget.LowImportance
	indent := canvas.NewRectangle(color.Transparent)
	indent.SetMinSize(fyne.NewSize(theme.InnerPadding()-theme.Padding(), 1))
	it.who = widget.NewButton("who?", func() { it.showWho() })
	it.who.Importance = widget.LowImportance
	it.who.Hide()
	it.head = container.NewHBox(indent, container.NewCenter(it.name), it.when, it.mark, it.who)
	it.body.Wrapping = fyne.TextWrapWord
	it.system.Importance = widget.LowImportance
	it.system.Wrapping = fyne.TextWrapWord
	it.card = newFileCard(u)
	newLbl := canvas.NewText("New messages", theme.Color(theme.ColorNameError))
	newLbl.TextSize = theme.CaptionTextSize()
	newLbl.TextStyle.Bold = true
	it.newBox = container.NewBorder(nil, nil, nil, container.NewPadded(newLbl), container.NewVBox(layout.NewSpacer(), unreadRule(), layout.NewSpacer()))
	it.newBox.Hide()
	it.box = container.New(layout.NewCustomPaddedVBoxLayout(0), it.newBox, it.dayBox, it.head, it.system, it.quote, it.body, it.reacts, it.card.obj)
	it.ExtendBaseWidget(it)
	return it
}

func (it *msgItem) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(it.box) }

// The pointer moving over messages is activity: someone reading is there.
func (it *msgItem) MouseIn(*desktop.MouseEvent)    { it.u.activity() }
func (it *msgItem) MouseMoved(*desktop.MouseEvent) { it.u.activity() }
func (it *msgItem) MouseOut()                      {}

func (it *msgItem) set(m *chat.Message, s shape) {
	show(it.newBox, s.unreadLine)
	show(it.dayBox, s.day)
	if s.day {
		it.day.SetText(dayLabel(m.Time, it.u.now()))
	}
	show(it.head, s.header)
	if s.header {
		name := authorText(m.FromName, m.From, m.FromVerified, m.FromWarning)
		if m.Outgoing {
			name = "You"
		}
		it.name.Text = name
		it.name.Color = authorColor(m.From)
		if m.FromWarning != nil && !m.Outgoing {
			it.name.Color = warningColor
		}
		it.name.Refresh()
		it.when.SetText(m.Time.Local().Format("15:04"))
	}
	it.mark.SetText(strings.TrimPrefix(deliveryMark(m)+editedMark(m), " "))
	it.shown = m
	show(it.who, m.Receipts != nil && m.Receipts.Members > 0)
	show(it.system, s.system)
	show(it.body, !s.system && !s.file)
	if s.system {
		it.system.SetText(systemLine(m))
	} else if !s.file {
		it.body.Segments = messageSegments(m.Text, it.u.nameOf, it.u.self.PeerID)
		if m.Deleted {
			it.body.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "message deleted",
				Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameDisabled}}}
		}
		it.body.Refresh()
	}
	show(it.quote, m.ReplyTo != nil && !s.system)
	if m.ReplyTo != nil {
		it.quote.SetText(quoteLine(m.ReplyTo))
	}
	show(it.reacts, len(m.Reactions) > 0 && !s.system)
	it.reacts.SetText(reactionLine(m.Reactions))
	show(it.card.obj, s.file)
	if s.file {
		it.card.set(m)
	}
	// Parts appeared or vanished: lay the row out again at its size, or a
	// hidden part would leave its gap.
	it.box.Layout.Layout(it.box.Objects, it.box.Size())
}

// deliveryMark is the state of our own messages: a clock while waiting,
// a tick once the colleague has it; in a room, how many members hold it
// and have read it.
func deliveryMark(m *chat.Message) string {
	if m.Outgoing && m.Receipts != nil {
		return chat.ReceiptLine(*m.Receipts)
	}
	if !m.Outgoing || chat.IsRoomConv(m.Conversation) {
		return ""
	}
	if !m.ReadAt.IsZero() {
		return "✓✓ read " + m.ReadAt.Local().Format("15:04")
	}
	if m.State == "delivered" {
		return "✓ delivered"
	}
	return "🕓 waiting"
}

// unreadRule is the red rule of the "New messages" line.
func unreadRule() fyne.CanvasObject {
	r := canvas.NewRectangle(theme.Color(theme.ColorNameError))
	r.SetMinSize(fyne.NewSize(10, 1))
	return r
}

// nameOf names a key as the window knows it: ours, a colleague's, else
// the start of the peer id.
func (u *UI) nameOf(id string) string {
	if id == u.self.PeerID {
		return u.self.Name
	}
	if p, ok := u.peers[id]; ok && p.Name != "" {
		return p.Name
	}
	return shortID(id)
}

// editedMark says that the author changed a message after sending it.
func editedMark(m *chat.Message) string {
	if m.Edited && !m.Deleted {
		return " · edited"
	}
	return ""
}

// quoteLine is what a reply shows of the message it answers.
func quoteLine(q *chat.Quote) string {
	who := q.FromName
	if who == "" {
		who = shortID(q.From)
	}
	switch {
	case q.Missing:
		return "↪ a message not received yet"
	case q.Deleted:
		return "↪ " + who + ": message deleted"
	}
	return "↪ " + who + ": " + q.Text
}

// reactionLine is the reactions under a message: each emoji with how many
// chose it, ours marked.
func reactionLine(rs []chat.Reaction) string {
	var parts []string
	for _, r := range rs {
		p := r.Emoji + " " + strconv.Itoa(r.Count)
		if r.Mine {
			p = "[" + p + "]"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "   ")
}

// authorText is how a message's author shows: the name their key is
// known by (the core never passes what a message claims for a key it
// knows), a check mark for a colleague the user verified, and the warning
// when the name is also another key's.
func authorText(name, from string, verified bool, w *chat.NameWarning) string {
	if name == "" {
		name = shortID(from)
	}
	if verified {
		name += " ✓"
	}
	if w != nil {
		name = "⚠ " + name + " — " + warningShort(w)
	}
	return name
}

// warningShort says in a few words what a name warning means.
func warningShort(w *chat.NameWarning) string {
	if w.Kind == chat.WarnImpersonation {
		return "not the colleague you verified"
	}
	return "another key uses this name"
}

func systemLine(m *chat.Message) string {
	who := authorText(m.FromName, m.From, m.FromVerified, m.FromWarning)
	if m.Outgoing {
		who = "You"
	}
	switch m.Kind {
	case "join":
		if m.Text != "" {
			return who + " " + m.Text // "joined with a room code"
		}
		return who + " joined"
	case "code_issued", "code_revoked":
		return who + " " + m.Text
	case "leave":
		return who + " left"
	}
	if memberKind(m.Kind) {
		return who + " " + m.Text
	}
	return who + ": " + m.Text
}

// memberKind reports a change of a room's members or roles, which shows
// as a line of its own ("Ann removed …").
func memberKind(k string) bool {
	return k == string(chat.KindCreate) || k == string(chat.KindAdd) || k == string(chat.KindRemove) || k == string(chat.KindRole)
}

func show(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}

// rowSizer estimates a row's height without laying it out, so the list
// can scroll through rows it has not drawn yet.
type rowSizer struct {
	separator float32
}

func newRowSizer() *rowSizer {
	return &rowSizer{separator: theme.Padding()}
}

func (r *rowSizer) height(width float32, m *chat.Message, s shape) float32 {
	size := theme.TextSize()
	inner := theme.InnerPadding()
	lineH := fyne.MeasureText("Mg", size, fyne.TextStyle{}).Height
	captionH := fyne.MeasureText("Mg", theme.CaptionTextSize(), fyne.TextStyle{}).Height
	h := float32(0)
	if s.unreadLine {
		h += captionH + 2*inner
	}
	if s.day {
		h += captionH + 2*inner
	}
	if s.header {
		h += captionH + 2*inner
	}
	switch {
	case s.file:
		h += fileCardHeight()
	case s.system:
		h += lineH + 2*inner
	default:
		avail := width - 2*inner - theme.ScrollBarSize() - 8
		if avail < 100 {
			avail = 600
		}
		lines := 0
		for _, par := range strings.Split(m.Text, "\n") {
			w := fyne.MeasureText(par, size, fyne.TextStyle{}).Width
			lines += max(1, int(math.Ceil(float64(w/(avail*0.93)))))
		}
		h += float32(lines)*(lineH+theme.LineSpacing()) + 2*inner
		if m.ReplyTo != nil {
			h += lineH + 2*inner
		}
		if len(m.Reactions) > 0 {
			h += captionH + 2*inner
		}
	}
	return h
}

// showWho tells who of the room holds and has read our message.
func (it *msgItem) showWho() {
	if it.shown == nil || it.shown.Receipts == nil {
		return
	}
	dialog.ShowInformation("Your message", receiptWho(*it.shown.Receipts), it.u.win)
}

// receiptWho lists who holds and who has read a room message.
func receiptWho(r chat.Receipts) string {
	list := func(names []string) string {
		if len(names) == 0 {
			return "nobody yet"
		}
		return strings.Join(names, ", ")
	}
	return chat.ReceiptLine(r) + "\n\nDelivered to: " + list(r.DeliveredTo) + "\nRead by: " + list(r.ReadBy) +
		"\n\n(Members who turned read receipts off are never counted as having read.)"
}
