package app

import (
	"context"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// pageSize is how many messages one trip to history brings. Only pages the
// user scrolls to are read, so a conversation of any length opens as fast
// as one page.
const pageSize = 200

// maxJumpPages bounds how far back a jump to a search result reads.
const maxJumpPages = 2000

// conversation is the virtualized message list of the open conversation.
type conversation struct {
	u    *UI
	list *widget.List
	conv string
	msgs []chat.Message // shown, in display order
	// oldest is the page cursor: for rooms the first message in display
	// order, for direct messages the one with the smallest local seq.
	oldest  *chat.Message
	hasMore bool
	loading bool
	gen     int  // bumped on every load, so late pages of another conversation are dropped
	pinned  bool // the user jumped to a message: new ones do not scroll
	sizer   *rowSizer
	// shownAt is when the load being shown started, until its newest row
	// is drawn.
	shownAt time.Time
	// unreadN is how many messages were unread when the conversation
	// opened; firstUnread the first of them, over which a "New messages"
	// line shows until the conversation closes.
	unreadN     int
	firstUnread string
}

func newConversation(u *UI) *conversation {
	c := &conversation{u: u}
	c.sizer = newRowSizer()
	c.list = widget.NewList(func() int { return len(c.msgs) },
		func() fyne.CanvasObject { return newMsgItem(u) },
		func(id widget.ListItemID, o fyne.CanvasObject) { c.update(id, o.(*msgItem)) })
	c.list.HideSeparators = true
	c.list.OnSelected = func(widget.ListItemID) { u.activity() }
	return c
}

// visible reports whether a message kind belongs in the list.
// Edits, deletes and reactions show folded into the message they name.
func visible(m chat.Message) bool {
	return m.Kind != "file_status" && m.Kind != "room_key" && m.Kind != "read" && !chat.Kind(m.Kind).IsAmendment()
}

func (c *conversation) update(id widget.ListItemID, it *msgItem) {
	if id >= len(c.msgs) {
		return
	}
	m := &c.msgs[id]
	var prev *chat.Message
	if id > 0 {
		prev = &c.msgs[id-1]
	}
	shape := shapeOf(m, prev)
	shape.unreadLine = m.ID != "" && m.ID == c.firstUnread
	it.set(m, shape)
	h := c.sizer.height(c.list.Size().Width, m, shape)
	c.list.SetItemHeight(id, h)
	if id < 5 && c.hasMore && !c.loading {
		c.loadOlder()
	}
	if id == len(c.msgs)-1 {
		c.pinned = false
		if !c.shownAt.IsZero() {
			// The newest row is being drawn: the conversation is on screen.
			c.u.log.Info("conversation shown", "conv", c.conv, "messages", len(c.msgs), "took", time.Since(c.shownAt))
			c.shownAt = time.Time{}
			c.u.trim.soon()
		}
	}
}

// load shows conv from its newest page, or from the page holding target,
// with a line over the first of the unread newest messages.
func (c *conversation) load(conv, target string, unread int) {
	c.gen++
	gen := c.gen
	c.unreadN, c.firstUnread = unread, ""
	c.conv, c.msgs, c.oldest, c.hasMore, c.loading, c.pinned = conv, nil, nil, false, true, target != ""
	c.list.UnselectAll()
	c.list.Refresh()
	cc := c.u.core
	start := time.Now()
	c.u.async(func(ctx context.Context) func() {
		var all []pageResult
		var before *pageCursor
		for range maxJumpPages {
			page, err := cc.Page(ctx, conv, before.msg(), pageSize)
			if err != nil {
				return func() { c.loading = false; c.u.showError(err) }
			}
			r := newPageResult(conv, page)
			all = append([]pageResult{r}, all...)
			before = r.cursor
			if target == "" || r.has(target) || len(page) < pageSize {
				break
			}
		}
		return func() {
			if gen != c.gen {
				return
			}
			// Still "loading" while the list settles at the bottom, so
			// rows drawn on the way do not ask for older pages.
			defer func() { c.loading = false }()
			for _, r := range all {
				c.msgs = append(c.msgs, r.msgs...)
			}
			c.firstUnread = firstUnreadOf(c.msgs, c.unreadN)
			c.u.jump.refresh()
			c.shownAt = start
			c.hasMore = len(all) > 0 && all[0].full
			if len(all) > 0 {
				c.oldest = all[0].cursor.msg()
			}
			c.list.Refresh()
			if i := c.index(target); target != "" && i >= 0 {
				c.list.ScrollTo(i)
				c.list.Select(i)
			} else {
				c.list.ScrollToBottom()
			}
		}
	})
}

// refold reads again the newest page of what is shown, with the
// amendments now stored folded in, and puts each of its messages in
// place, keeping the scroll position.
func (c *conversation) refold() {
	gen, conv := c.gen, c.conv
	cc := c.u.core
	c.u.async(func(ctx context.Context) func() {
		page, err := cc.Page(ctx, conv, nil, pageSize)
		return func() {
			if gen != c.gen || err != nil {
				return
			}
			for _, m := range page {
				if i := c.index(m.ID); i >= 0 && c.msgs[i].From == m.From {
					c.msgs[i] = m
					c.list.RefreshItem(i)
				}
			}
		}
	})
}

// loadOlder prepends the page before the oldest shown, keeping what the
// user looks at in place.
func (c *conversation) loadOlder() {
	c.loading = true
	gen, conv, before := c.gen, c.conv, c.oldest
	cc := c.u.core
	c.u.async(func(ctx context.Context) func() {
		page, err := cc.Page(ctx, conv, before, pageSize)
		return func() {
			if gen != c.gen {
				return
			}
			defer func() { c.loading = false }()
			if err != nil {
				c.u.showError(err)
				return
			}
			r := newPageResult(conv, page)
			c.hasMore = r.full
			if len(r.msgs) == 0 {
				return
			}
			c.oldest = r.cursor.msg()
			width := c.list.Size().Width
			added := float32(0)
			for i := range r.msgs {
				var prev *chat.Message
				if i > 0 {
					prev = &r.msgs[i-1]
				}
				added += c.sizer.height(width, &r.msgs[i], shapeOf(&r.msgs[i], prev)) + c.sizer.separator
			}
			offset := c.list.GetScrollOffset()
			c.msgs = append(r.msgs, c.msgs...)
			c.reindexHeights(width)
			c.list.Refresh()
			c.list.ScrollToOffset(offset + added)
		}
	})
}

// reindexHeights tells the list every row's height again after rows were
// prepended: its heights are kept by index.
func (c *conversation) reindexHeights(width float32) {
	for i := range c.msgs {
		var prev *chat.Message
		if i > 0 {
			prev = &c.msgs[i-1]
		}
		c.list.SetItemHeight(i, c.sizer.height(width, &c.msgs[i], shapeOf(&c.msgs[i], prev)))
	}
}

func (c *conversation) index(id string) int {
	if id == "" {
		return -1
	}
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if c.msgs[i].ID == id {
			return i
		}
	}
	return -1
}

// upsert shows a new message or updates one shown (its delivery state).
func (c *conversation) upsert(m chat.Message) {
	if m.Conversation != c.conv || !visible(m) {
		return
	}
	if m.ReplyTo == nil && m.Ref != nil && chat.Kind(m.Kind) == chat.KindReply {
		// Just written or received: quote what is shown of the message.
		q := &chat.Quote{MessageRef: *m.Ref, Missing: true}
		if i := c.index(m.Ref.ID); i >= 0 && c.msgs[i].From == m.Ref.From {
			t := c.msgs[i]
			q.Missing, q.FromName, q.Deleted = false, t.FromName, t.Deleted
			if !t.Deleted {
				q.Text = chat.FirstLine(chat.RenderMentions(t.Text, c.u.nameOf))
			}
		}
		m.ReplyTo = q
	}
	for i := len(c.msgs) - 1; i >= 0 && i >= len(c.msgs)-1000; i-- {
		if c.msgs[i].ID == m.ID && c.msgs[i].From == m.From {
			if m.FromName == "" {
				m.FromName = c.msgs[i].FromName
			}
			keepFold(&m, c.msgs[i])
			c.msgs[i] = m
			c.list.RefreshItem(i)
			return
		}
	}
	// New messages almost always go last; late room messages slot in.
	i := len(c.msgs)
	for i > 0 && before(m, c.msgs[i-1]) {
		i--
	}
	c.msgs = append(c.msgs, chat.Message{})
	copy(c.msgs[i+1:], c.msgs[i:])
	c.msgs[i] = m
	if i < len(c.msgs)-1 {
		c.reindexHeights(c.list.Size().Width)
	}
	c.list.Refresh()
	if m.Outgoing || !c.pinned {
		c.list.ScrollToBottom()
	}
}

// firstUnreadOf is the id of the first of the n newest messages that
// count as unread (colleagues' texts, replies and files), "" for none.
func firstUnreadOf(msgs []chat.Message, n int) string {
	for i := len(msgs) - 1; i >= 0 && n > 0; i-- {
		m := msgs[i]
		if k := chat.Kind(m.Kind); !m.Outgoing && (k == chat.KindText || k == chat.KindReply || k == chat.KindFile || m.Kind == "") {
			if n--; n == 0 {
				return m.ID
			}
		}
	}
	return ""
}

// keepFold keeps on m, a newer copy of old as an event carries it (its
// delivery state changed), what history folded into old and the event
// does not carry.
func keepFold(m *chat.Message, old chat.Message) {
	if m.ReplyTo == nil {
		m.ReplyTo = old.ReplyTo
	}
	if !m.Edited && !m.Deleted && m.Reactions == nil {
		m.Edited, m.EditedAt, m.Versions, m.Deleted, m.Reactions = old.Edited, old.EditedAt, old.Versions, old.Deleted, old.Reactions
		if old.Edited || old.Deleted {
			m.Text = old.Text
		}
	}
	if m.ReadAt.IsZero() {
		m.ReadAt = old.ReadAt
	}
}

// readUpTo marks our messages up to the one with id read at at.
func (c *conversation) readUpTo(id string, at time.Time) {
	i := c.index(id)
	if i < 0 {
		return
	}
	for j := i; j >= 0; j-- {
		if c.msgs[j].Outgoing && c.msgs[j].ReadAt.IsZero() {
			c.msgs[j].ReadAt = at
			c.list.RefreshItem(j)
		}
	}
}

// before is the display order: rooms by (hlc, author, seq), direct
// messages by the author's clock.
func before(a, b chat.Message) bool {
	if chat.IsRoomConv(a.Conversation) {
		if a.HLC != b.HLC {
			return a.HLC < b.HLC
		}
		if a.From != b.From {
			return a.From < b.From
		}
		return a.AuthorSeq < b.AuthorSeq
	}
	return a.Time.Before(b.Time)
}

// transferChanged redraws the file card of a transfer.
func (c *conversation) transferChanged(id string) {
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if c.msgs[i].TransferID == id {
			c.list.RefreshItem(i)
			return
		}
	}
}

// pageResult is one page read from history.
type pageResult struct {
	msgs   []chat.Message
	cursor *pageCursor
	full   bool
}

type pageCursor struct{ m chat.Message }

func (p *pageCursor) msg() *chat.Message {
	if p == nil {
		return nil
	}
	m := p.m
	return &m
}

func newPageResult(conv string, page []chat.Message) pageResult {
	r := pageResult{full: len(page) >= pageSize}
	if len(page) > 0 {
		cur := page[0]
		if !chat.IsRoomConv(conv) {
			for _, m := range page {
				if m.Seq < cur.Seq {
					cur = m
				}
			}
		}
		r.cursor = &pageCursor{m: cur}
	}
	for _, m := range page {
		if visible(m) {
			r.msgs = append(r.msgs, m)
		}
	}
	return r
}

func (r pageResult) has(id string) bool {
	for _, m := range r.msgs {
		if m.ID == id {
			return true
		}
	}
	return false
}
