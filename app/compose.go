package app

import (
	"context"
	"os"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// composeEntry is a multi-line entry where Enter sends and Shift+Enter
// starts a new line.
type composeEntry struct {
	widget.Entry
	shift    bool
	onSend   func()
	onType   func()
	onEscape func()
}

func newComposeEntry() *composeEntry {
	e := &composeEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(2)
	e.SetPlaceHolder("Write a message — Enter sends, Shift+Enter adds a line")
	e.ExtendBaseWidget(e)
	return e
}

func (e *composeEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

func (e *composeEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

func (e *composeEntry) TypedKey(k *fyne.KeyEvent) {
	if e.onType != nil {
		e.onType()
	}
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !e.shift {
		if e.onSend != nil {
			e.onSend()
		}
		return
	}
	e.Entry.TypedKey(k)
}

func (e *composeEntry) TypedRune(r rune) {
	if e.onType != nil {
		e.onType()
	}
	e.Entry.TypedRune(r)
}

// compose is the box under the conversation: text, a file button and a
// send button. Files and folders dropped on the window go to the open
// conversation too.
type compose struct {
	u     *UI
	obj   fyne.CanvasObject
	entry *composeEntry
	send  *widget.Button
	// mode is KindReply or KindEdit while the entry answers or rewrites
	// target; "" for a new message. bar says which, with a way out.
	mode   chat.Kind
	target chat.Message
	bar    *fyne.Container
	barTxt *widget.Label
	// completion offers the names that complete a mention being typed.
	completion *widget.PopUpMenu
	offered    *fyne.Menu
}

func newCompose(u *UI) *compose {
	c := &compose{u: u, entry: newComposeEntry()}
	c.entry.onSend = c.submit
	c.entry.onType = func() {
		u.activity()
		u.typed(true)
	}
	c.send = widget.NewButtonWithIcon("", theme.MailSendIcon(), c.submit)
	c.send.Importance = widget.HighImportance
	attach := widget.NewButtonWithIcon("", theme.FileIcon(), c.pickFile)
	attach.Importance = widget.LowImportance
	c.barTxt = widget.NewLabel("")
	c.barTxt.Truncation = fyne.TextTruncateEllipsis
	c.barTxt.Importance = widget.LowImportance
	cancel := widget.NewButtonWithIcon("", theme.CancelIcon(), c.cancelMode)
	cancel.Importance = widget.LowImportance
	c.bar = container.NewBorder(nil, nil, nil, cancel, c.barTxt)
	c.bar.Hide()
	c.entry.onEscape = c.cancelMode
	c.entry.OnChanged = func(text string) {
		c.offerCompletion(text)
		if c.mode != chat.KindEdit {
			u.draftChanged(u.current, text)
		}
	}
	c.obj = container.NewBorder(container.NewVBox(widget.NewSeparator(), c.bar), nil, attach, c.send, c.entry)
	return c
}

// startReply makes the next message a reply to m.
func (c *compose) startReply(m chat.Message) {
	c.mode, c.target = chat.KindReply, m
	c.barTxt.SetText("↪ Replying to " + authorText(m.FromName, m.From, false, nil) + ": " +
		chat.FirstLine(chat.RenderMentions(m.Text, c.u.nameOf)))
	c.bar.Show()
	c.focus()
}

// startEdit puts m, one of the user's own, in the entry to rewrite.
func (c *compose) startEdit(m chat.Message) {
	c.mode, c.target = chat.KindEdit, m
	c.barTxt.SetText("✎ Editing your message (Esc cancels)")
	c.bar.Show()
	c.entry.SetText(chat.RenderMentions(m.Text, c.u.nameOf))
	c.focus()
}

// cancelMode goes back to writing a new message.
func (c *compose) cancelMode() {
	if c.mode == chat.KindEdit {
		c.entry.SetText("")
	}
	c.mode, c.target = "", chat.Message{}
	c.bar.Hide()
}

func (c *compose) focus() {
	if cv := c.u.win.Canvas(); cv != nil {
		cv.Focus(c.entry)
	}
}

// submit sends the text; the entry is cleared at once and the message
// shows as waiting until the core has stored it.
func (c *compose) submit() {
	u := c.u
	text := strings.TrimRight(c.entry.Text, "\n ")
	if strings.TrimSpace(text) == "" || u.current == "" || u.core == nil {
		return
	}
	conv := u.current
	u.typed(false)
	if c.mode != "" {
		kind, id := c.mode, c.target.ID
		c.cancelMode()
		c.entry.SetText("")
		u.amend(kind, id, text, func(err error) {
			if err != nil && c.entry.Text == "" {
				c.entry.SetText(text) // give the text back
			}
		})
		return
	}
	c.entry.SetText("")
	u.async(func(ctx context.Context) func() {
		m, err := u.core.SendTo(ctx, conv, text)
		return func() {
			if err != nil {
				if c.entry.Text == "" {
					c.entry.SetText(text) // give the text back
				}
				u.showError(err)
				return
			}
			u.conv.upsert(m)
		}
	})
}

func (c *compose) pickFile() {
	u := c.u
	if u.current == "" {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		u.sendFiles([]string{path})
	}, u.win)
	if home, err := storage.ListerForURI(storage.NewFileURI(homeDir())); err == nil {
		d.SetLocation(home)
	}
	d.Resize(fyne.NewSize(700, 500))
	d.Show()
}

// dropped sends files and folders dropped on the window.
func (u *UI) dropped(uris []fyne.URI) {
	var paths []string
	for _, uri := range uris {
		if uri.Scheme() == "file" {
			paths = append(paths, uri.Path())
		}
	}
	if len(paths) > 0 {
		u.activity()
		u.sendFiles(paths)
	}
}

func (u *UI) sendFiles(paths []string) {
	conv := u.current
	if conv == "" {
		u.info("Open a conversation first, then drop the files on it.")
		return
	}
	u.async(func(ctx context.Context) func() {
		var errs []error
		for _, p := range paths {
			if _, err := u.core.SendFileTo(ctx, conv, p); err != nil {
				errs = append(errs, err)
			}
		}
		return func() {
			for _, err := range errs {
				u.showError(err)
			}
		}
	})
}

func homeDir() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "/"
}
