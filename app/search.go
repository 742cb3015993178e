package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// searchView searches the archive with filters; a result opens its
// conversation at that message.
type searchView struct {
	u       *UI
	obj     fyne.CanvasObject
	text    *widget.Entry
	from    *widget.Select
	in      *widget.Select
	since   *widget.Select
	hasFile *widget.Check
	status  *widget.Label
	list    *widget.List
	hits    []chat.SearchHit
	dlg     dialog.Dialog
	// refs and convRefs map the filters' labels to peer IDs and
	// conversation ids, which names may not tell apart.
	refs, convRefs map[string]string
	gen            int
}

var sinceChoices = []struct {
	label string
	d     time.Duration
}{{"Any time", 0}, {"Today", 24 * time.Hour}, {"Past week", 7 * 24 * time.Hour}, {"Past month", 31 * 24 * time.Hour}, {"Past year", 366 * 24 * time.Hour}}

func newSearchView(u *UI) *searchView {
	s := &searchView{u: u, text: widget.NewEntry(), status: widget.NewLabel("")}
	s.text.SetPlaceHolder("Search messages")
	s.text.OnSubmitted = func(string) { s.run() }
	people := []string{"Anyone"}
	s.refs = map[string]string{}
	for _, p := range u.sortedPeers() {
		label := p.Name
		if _, dup := s.refs[label]; dup || label == "" {
			label += " (" + shortID(p.PeerID) + ")"
		}
		s.refs[label] = p.PeerID
		people = append(people, label)
	}
	s.from = widget.NewSelect(people, func(string) {})
	s.from.SetSelected("Anyone")
	convs := []string{"Everywhere"}
	s.convRefs = map[string]string{}
	for _, r := range u.rooms {
		convs = append(convs, "#"+r.Name)
		s.convRefs["#"+r.Name] = roomConv(r.ID)
	}
	for _, p := range people[1:] {
		convs = append(convs, p)
		s.convRefs[p] = dmConv(s.refs[p])
	}
	s.in = widget.NewSelect(convs, func(string) {})
	s.in.SetSelected("Everywhere")
	var since []string
	for _, c := range sinceChoices {
		since = append(since, c.label)
	}
	s.since = widget.NewSelect(since, func(string) {})
	s.since.SetSelected("Any time")
	s.hasFile = widget.NewCheck("With a file", nil)
	s.list = widget.NewList(func() int { return len(s.hits) }, func() fyne.CanvasObject {
		where := widget.NewLabel("where")
		where.TextStyle.Bold = true
		snip := widget.NewRichText()
		snip.Wrapping = fyne.TextWrapWord
		return container.NewVBox(where, snip)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		h := s.hits[id]
		box := o.(*fyne.Container)
		box.Objects[0].(*widget.Label).SetText(h.ConversationName + " · " + authorText(h.FromName, h.From, h.FromVerified, h.FromWarning) + " · " + h.Time.Local().Format("2 Jan 2006 15:04"))
		rt := box.Objects[1].(*widget.RichText)
		rt.Segments = snippetSegments(h.Snippet, h.Text)
		rt.Refresh()
		s.list.SetItemHeight(id, box.MinSize().Height)
	})
	s.list.OnSelected = func(id widget.ListItemID) {
		if id < len(s.hits) {
			s.jump(s.hits[id])
		}
	}
	go_ := widget.NewButton("Search", s.run)
	go_.Importance = widget.HighImportance
	filters := container.NewHBox(widget.NewLabel("From"), s.from, widget.NewLabel("In"), s.in, s.since, s.hasFile)
	top := container.NewVBox(container.NewBorder(nil, nil, nil, go_, s.text), filters, s.status)
	s.obj = container.NewBorder(top, nil, nil, nil, s.list)
	return s
}

// query builds the search from the form. The core takes the bare peer or
// room id of a conversation.
func (s *searchView) query(now time.Time) chat.SearchQuery {
	q := chat.SearchQuery{Text: strings.TrimSpace(s.text.Text), HasFile: s.hasFile.Checked, Limit: 200}
	if s.from.Selected != "Anyone" {
		q.From = s.refs[s.from.Selected]
	}
	if s.in.Selected != "Everywhere" {
		if c, err := chat.ParseConv(s.convRefs[s.in.Selected]); err == nil {
			q.In = c.ID()
		}
	}
	for _, c := range sinceChoices {
		if c.label == s.since.Selected && c.d > 0 {
			q.Since = now.Add(-c.d)
		}
	}
	return q
}

// run searches off the UI goroutine; a newer search wins over an older one.
func (s *searchView) run() {
	q := s.query(time.Now())
	if q.Text == "" && q.From == "" && !q.HasFile {
		s.status.SetText("Type something to search for.")
		return
	}
	s.gen++
	gen := s.gen
	s.status.SetText("Searching…")
	u := s.u
	u.async(func(ctx context.Context) func() {
		hits, err := u.core.Search(ctx, q)
		return func() {
			if gen != s.gen {
				return
			}
			if err != nil {
				s.status.SetText(message(err))
				return
			}
			s.hits = hits
			switch len(hits) {
			case 0:
				s.status.SetText("Nothing found.")
			case 1:
				s.status.SetText("1 message")
			default:
				s.status.SetText(strconv.Itoa(len(hits)) + " messages")
			}
			s.list.UnselectAll()
			s.list.Refresh()
		}
	})
}

func (s *searchView) jump(h chat.SearchHit) {
	if s.dlg != nil {
		s.dlg.Hide()
	}
	s.u.openAt(hitConv(h), h.ID)
}

// hitConv is the window's key of a hit's conversation: the core names it
// for people ("#budget", a peer id), the window by its conversation id.
func hitConv(h chat.SearchHit) string {
	if h.Room {
		return chat.RoomConv(h.ConversationID).String()
	}
	return chat.DMConv(h.ConversationID).String()
}

// snippetSegments shows the matches («…») in bold.
func snippetSegments(snippet, text string) []widget.RichTextSegment {
	if snippet == "" {
		snippet = text
	}
	var segs []widget.RichTextSegment
	for snippet != "" {
		i := strings.Index(snippet, "«")
		if i < 0 {
			segs = append(segs, &widget.TextSegment{Text: snippet, Style: widget.RichTextStyleInline})
			break
		}
		if i > 0 {
			segs = append(segs, &widget.TextSegment{Text: snippet[:i], Style: widget.RichTextStyleInline})
		}
		rest := snippet[i+len("«"):]
		j := strings.Index(rest, "»")
		if j < 0 {
			j = len(rest)
		}
		st := widget.RichTextStyleStrong
		st.Inline = true
		segs = append(segs, &widget.TextSegment{Text: rest[:j], Style: st})
		snippet = strings.TrimPrefix(rest[j:], "»")
	}
	return segs
}

// showSearch opens the search over the archive.
func (u *UI) showSearch() {
	s := newSearchView(u)
	d := dialog.NewCustom("Search", "Close", s.obj, u.win)
	s.dlg = d
	d.Resize(fyne.NewSize(760, 560))
	d.Show()
	u.win.Canvas().Focus(s.text)
}
