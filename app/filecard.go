package app

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fileCard shows a file or folder offer with what can be done with it:
// accept or decline an incoming offer, follow its progress, cancel it,
// open the folder it landed in, stop sharing it.
type fileCard struct {
	u        *UI
	obj      *fyne.Container
	icon     *widget.Icon
	name     *widget.Label
	detail   *widget.Label
	bar      *widget.ProgressBar
	accept   *widget.Button
	decline  *widget.Button
	cancel   *widget.Button
	open     *widget.Button
	unshare  *widget.Button
	transfer string
}

func newFileCard(u *UI) *fileCard {
	c := &fileCard{u: u, icon: widget.NewIcon(theme.FileIcon()), name: widget.NewLabel("file"),
		detail: widget.NewLabel(""), bar: widget.NewProgressBar()}
	c.name.TextStyle.Bold = true
	c.name.Truncation = fyne.TextTruncateEllipsis
	c.detail.SizeName = theme.SizeNameCaptionText
	c.detail.Truncation = fyne.TextTruncateEllipsis
	c.accept = widget.NewButtonWithIcon("Accept", theme.DownloadIcon(), func() { c.act("accept") })
	c.accept.Importance = widget.HighImportance
	c.decline = widget.NewButton("Decline", func() { c.act("decline") })
	c.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { c.act("cancel") })
	c.open = widget.NewButtonWithIcon("Open folder", theme.FolderOpenIcon(), func() { c.openFolder() })
	c.unshare = widget.NewButton("Stop sharing", func() { c.act("unshare") })
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	buttons := container.NewHBox(c.accept, c.decline, c.cancel, c.open, c.unshare)
	body := container.NewBorder(nil, nil, c.icon, nil, container.NewVBox(c.name, c.detail, c.bar, buttons))
	c.obj = container.NewStack(bg, container.NewPadded(body))
	return c
}

// fileCardHeight is the card's height in the list.
func fileCardHeight() float32 {
	size := theme.TextSize()
	lineH := fyne.MeasureText("Mg", size, fyne.TextStyle{}).Height
	capH := fyne.MeasureText("Mg", theme.CaptionTextSize(), fyne.TextStyle{}).Height
	inner, pad := theme.InnerPadding(), theme.Padding()
	return lineH + capH + 4*inner + (lineH + 2*inner) /* bar */ + (lineH + 2*inner) /* buttons */ + 5*pad
}

func (c *fileCard) set(m *chat.Message) {
	c.transfer = m.TransferID
	t, ok := c.u.transfers[m.TransferID]
	if !ok {
		c.name.SetText(m.Text)
		c.detail.SetText("file offer")
		for _, o := range []fyne.CanvasObject{c.bar, c.accept, c.decline, c.cancel, c.open, c.unshare} {
			o.Hide()
		}
		return
	}
	if t.Folder {
		c.icon.SetResource(theme.FolderIcon())
	} else {
		c.icon.SetResource(theme.FileIcon())
	}
	c.name.SetText(t.Name)
	c.detail.SetText(transferDetail(t))
	running := t.State == "active" || t.State == "paused"
	show(c.bar, running || (t.State == "done" && t.Direction == "in"))
	if t.Size > 0 {
		c.bar.SetValue(float64(t.BytesDone) / float64(t.Size))
	} else if t.State == "done" {
		c.bar.SetValue(1)
	}
	in := t.Direction == "in"
	show(c.accept, in && t.State == "offered")
	show(c.decline, in && t.State == "offered")
	cancel := running || (!in && t.State == "offered")
	show(c.cancel, cancel)
	show(c.open, in && t.State == "done" && t.FinalPath != "")
	// An offer still open is withdrawn with Cancel; Stop sharing is for
	// what is served once delivered: a downloaded room file passed on to
	// the other members, a file a colleague received.
	show(c.unshare, t.Share == chat.ShareServing && !cancel)
}

func transferDetail(t chat.Transfer) string {
	size := humanBytes(t.Size)
	if t.Folder {
		size = fmt.Sprintf("%s, %d files", size, t.Files)
	}
	switch t.Share {
	case chat.ShareChanged, chat.ShareUnshared:
		return size + " · not shared any more: " + t.ShareNote
	case chat.ShareExpired:
		return size + " · sharing ended " + t.ExpiresAt.Local().Format("2 Jan 2006")
	case chat.ShareServing:
		if chat.IsRoomConv(t.Conversation) && (t.Direction == "out" || t.State == "done") && !t.ExpiresAt.IsZero() {
			return size + " · shared with the room until " + t.ExpiresAt.Local().Format("2 Jan 2006 15:04")
		}
	}
	switch t.State {
	case "offered":
		if t.Direction == "in" {
			return size + " · waiting for you to accept"
		}
		return size + " · offered, waiting for them to accept"
	case "active":
		s := fmt.Sprintf("%s of %s", humanBytes(t.BytesDone), humanBytes(t.Size))
		if t.Rate > 0 {
			s += fmt.Sprintf(" · %s/s", humanBytes(int64(t.Rate)))
		}
		return s
	case "paused":
		return fmt.Sprintf("%s of %s · paused, resumes when the sender is back", humanBytes(t.BytesDone), humanBytes(t.Size))
	case "done":
		if t.Direction == "in" {
			return size + " · saved to " + t.FinalPath
		}
		return size + " · sent"
	case "declined":
		return size + " · declined " + t.Error
	case "cancelled":
		return size + " · cancelled"
	case "failed":
		return size + " · failed: " + t.Error
	}
	return size + " · " + t.State
}

func (c *fileCard) act(what string) {
	id := c.transfer
	u := c.u
	u.activity()
	u.async(func(ctx context.Context) func() {
		var err error
		switch what {
		case "accept":
			_, err = u.core.AcceptTransfer(ctx, id, "")
		case "decline":
			err = u.core.DeclineTransfer(ctx, id)
		case "cancel":
			err = u.core.CancelTransfer(ctx, id)
		case "unshare":
			err = u.core.UnshareTransfer(ctx, id)
		}
		return func() { u.showError(err) }
	})
}

func (c *fileCard) openFolder() {
	t, ok := c.u.transfers[c.transfer]
	if !ok || t.FinalPath == "" {
		return
	}
	dir := filepath.Dir(t.FinalPath)
	c.u.app.OpenURL(&url.URL{Scheme: "file", Path: dir})
}

// humanBytes is a size as people read it: 1.5 MB.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
