package app

import (
	"context"
	"fmt"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// size choices for the file policy, in bytes (0: off / no limit).
var sizeChoices = []struct {
	label string
	bytes int64
}{{"Off", 0}, {"10 MB", 10e6}, {"100 MB", 100e6}, {"1 GB", 1e9}, {"10 GB", 10e9}}

func sizeLabel(n int64, zero string) string {
	for _, c := range sizeChoices {
		if c.bytes == n && n != 0 {
			return c.label
		}
	}
	if n == 0 {
		return zero
	}
	return humanBytes(n)
}

func sizeLabels(zero string) []string {
	out := []string{zero}
	for _, c := range sizeChoices[1:] {
		out = append(out, c.label)
	}
	return out
}

// shareChoices are how long room files are served, in days (0: the
// default, 30).
var shareChoices = []struct {
	label string
	days  int
}{{"1 day", 1}, {"7 days", 7}, {"30 days", 0}, {"90 days", 90}, {"1 year", 365}}

func shareLabel(days int) string {
	for _, c := range shareChoices {
		if c.days == days || days == 30 && c.days == 0 {
			return c.label
		}
	}
	return fmt.Sprintf("%d days", days)
}

func shareDays(label string, old int) int {
	for _, c := range shareChoices {
		if c.label == label {
			return c.days
		}
	}
	return old
}

func sizeBytes(label string) int64 {
	for _, c := range sizeChoices {
		if c.label == label {
			return c.bytes
		}
	}
	return 0
}

// showSettings opens the settings: name, files, workspace, colleagues by
// address, theme and notifications.
func (u *UI) showSettings() {
	p := u.prefs
	name := widget.NewEntry()
	name.SetText(u.self.Name)
	downloads := widget.NewEntry()
	downloads.SetText(p.Downloads)
	downloads.SetPlaceHolder("default: ~/Downloads/Hallway")
	autoAccept := widget.NewSelect(sizeLabels("Never"), nil)
	autoAccept.SetSelected(sizeLabel(p.AutoAcceptMax, "Never"))
	maxSize := widget.NewSelect(sizeLabels("No limit"), nil)
	maxSize.SetSelected(sizeLabel(p.MaxFileSize, "No limit"))
	noFiles := widget.NewCheck("Refuse all files", nil)
	noFiles.SetChecked(p.NoFiles)
	blockExt := widget.NewEntry()
	blockExt.SetText(p.BlockExt)
	blockExt.SetPlaceHolder(".exe, .bat")
	var shareLabels []string
	for _, c := range shareChoices {
		shareLabels = append(shareLabels, c.label)
	}
	shareFor := widget.NewSelect(shareLabels, nil)
	shareFor.SetSelected(shareLabel(p.ShareDays))
	themeSel := widget.NewRadioGroup([]string{"Follow the system", "Light", "Dark"}, nil)
	themeSel.Horizontal = true
	themeSel.SetSelected(map[string]string{chat.ThemeLight: "Light", chat.ThemeDark: "Dark"}[p.Theme])
	if themeSel.Selected == "" {
		themeSel.SetSelected("Follow the system")
	}
	notes := widget.NewCheck("Show desktop notifications for new messages", nil)
	notes.SetChecked(p.Notifications)
	readReceipts := widget.NewCheck("Read receipts: let colleagues and room members see what I have read (off: I do not see theirs in direct messages either)", nil)
	readReceipts.SetChecked(!p.NoReadReceipts)
	addr := widget.NewEntry()
	addr.SetPlaceHolder("192.168.1.20, a computer's name, or a full address")
	addBtn := widget.NewButton("Add", func() { u.addColleague(addr.Text) })
	whyBtn := widget.NewButton("Why can't I see…", func() { u.showDoctor() })

	ws := widget.NewLabel(openModeLine)
	ws.Wrapping = fyne.TextWrapWord
	if u.self.Workspace == chat.WorkspacePrivate {
		ws.SetText("Private workspace " + u.self.WorkspaceTag + ": only colleagues with the key can connect.")
	}
	pol := widget.NewLabel(policySummary(u.policy))
	pol.Wrapping = fyne.TextWrapWord
	presence := widget.NewLabel(u.idleLine())
	presence.Wrapping = fyne.TextWrapWord
	wsButtons := container.NewHBox(
		widget.NewButton("Show invite", func() { u.showWorkspaceInvite() }),
		widget.NewButton("Join with a code…", func() { u.askJoinWorkspace() }),
		widget.NewButton("Create new…", func() { u.askCreateWorkspace() }))
	if u.isAdmin() {
		wsButtons.Add(widget.NewButton("Pass for newcomers…", func() { u.askOpenPass() }))
	}

	form := widget.NewForm(
		widget.NewFormItem("Your name", name),
		widget.NewFormItem("Downloads folder", downloads),
		widget.NewFormItem("Accept without asking up to", autoAccept),
		widget.NewFormItem("Largest file accepted", maxSize),
		widget.NewFormItem("Refuse extensions", blockExt),
		widget.NewFormItem("Share room files for", shareFor),
		widget.NewFormItem("", noFiles),
		widget.NewFormItem("Theme", themeSel),
		widget.NewFormItem("", notes),
		widget.NewFormItem("", readReceipts),
		widget.NewFormItem("Presence", presence),
		widget.NewFormItem("Workspace", container.NewVBox(ws, wsButtons)),
		widget.NewFormItem("Workspace policy", pol),
		widget.NewFormItem("Add a colleague by address", container.NewBorder(nil, nil, nil, addBtn, addr)),
		widget.NewFormItem("Colleagues missing?", container.NewHBox(whyBtn)),
	)
	d := dialog.NewCustomConfirm("Settings", "Save", "Cancel", container.NewVScroll(form), func(ok bool) {
		if !ok {
			return
		}
		np := p
		np.Downloads = strings.TrimSpace(downloads.Text)
		np.AutoAcceptMax = sizeBytes(autoAccept.Selected)
		np.MaxFileSize = sizeBytes(maxSize.Selected)
		np.NoFiles = noFiles.Checked
		np.BlockExt = strings.TrimSpace(blockExt.Text)
		np.ShareDays = shareDays(shareFor.Selected, p.ShareDays)
		np.Theme = map[string]string{"Light": chat.ThemeLight, "Dark": chat.ThemeDark}[themeSel.Selected]
		if np.Theme == "" {
			np.Theme = chat.ThemeSystem
		}
		np.Notifications = notes.Checked
		np.NoReadReceipts = !readReceipts.Checked
		u.saveSettings(strings.TrimSpace(name.Text), np)
	}, u.win)
	d.Resize(fyne.NewSize(640, 620))
	d.Show()
}

// saveSettings saves the name and preferences; a changed file policy
// restarts the node so it applies at once.
func (u *UI) saveSettings(name string, p chat.Prefs) {
	old := u.prefs
	filesChanged := old.Downloads != p.Downloads || old.AutoAcceptMax != p.AutoAcceptMax ||
		old.MaxFileSize != p.MaxFileSize || old.NoFiles != p.NoFiles || old.BlockExt != p.BlockExt ||
		old.ShareDays != p.ShareDays
	c := u.core
	u.async(func(ctx context.Context) func() {
		if name != "" && name != u.self.Name {
			if err := c.SetName(ctx, name); err != nil {
				return func() { u.showError(err) }
			}
		}
		if err := c.SetPrefs(ctx, p); err != nil {
			return func() { u.showError(err) }
		}
		return func() {
			u.prefs = p
			applyTheme(u.app, p.Theme)
			if filesChanged {
				u.info("File settings saved; Hallway reconnects to apply them…")
				c.Restart()
			}
		}
	})
}

// confirmColleague shows who answered at a host the user typed, and saves
// them once the user says it is them.
func (u *UI) confirmColleague(host string, res chat.AddPeerResult) {
	name := res.Name
	if name == "" {
		name = shortID(res.PeerID)
	}
	text := "At " + host + " answers " + name + ", fingerprint\n" + res.Fingerprint +
		"\n\nCompare it with the fingerprint in their window (Settings of their Hallway). Save them as a colleague?"
	dialog.ShowConfirm("Is this your colleague?", text, func(ok bool) {
		if ok {
			u.addColleague(res.Addr)
		}
	}, u.win)
}

func (u *UI) addColleague(addr string) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return
	}
	u.async(func(ctx context.Context) func() {
		res, err := u.core.AddPeer(ctx, addr)
		return func() {
			if err != nil {
				u.showError(err)
				return
			}
			if !res.Saved && res.PeerID != "" {
				u.confirmColleague(addr, res)
				return
			}
			if res.Connected {
				u.info("Saved and connected to %s.", shortID(res.PeerID))
			} else {
				u.info("Saved %s; Hallway keeps trying. Not connected now: %s", shortID(res.PeerID), res.Problem)
			}
		}
	})
}

func (u *UI) showWorkspaceInvite() {
	code, private, err := u.core.WorkspaceInvite()
	if err != nil {
		u.showError(err)
		return
	}
	if !private {
		dialog.ShowInformation("Open LAN workspace", "There is no key to invite to: anyone on this network can connect. Create a private workspace to keep others out.", u.win)
		return
	}
	u.showCode("Workspace invite", "Colleagues join with this code, in their first-run screen or settings (or `hallway workspace join CODE`):", code)
}

// showCode shows a code to copy, with its QR.
func (u *UI) showCode(title, text, code string) {
	lbl := widget.NewLabel(text)
	lbl.Wrapping = fyne.TextWrapWord
	e := widget.NewEntry()
	e.SetText(code)
	copyBtn := widget.NewButton("Copy", func() { u.app.Clipboard().SetContent(code) })
	d := dialog.NewCustom(title, "Close", container.NewVBox(lbl, container.NewBorder(nil, nil, nil, copyBtn, e),
		container.NewCenter(qrObject(code, 200))), u.win)
	d.Resize(fyne.NewSize(520, 420))
	d.Show()
}

func (u *UI) askJoinWorkspace() {
	e := widget.NewEntry()
	e.SetPlaceHolder("HW2-…")
	dialog.ShowForm("Join a private workspace", "Join", "Cancel", []*widget.FormItem{widget.NewFormItem("Invite code", e)}, func(ok bool) {
		if !ok {
			return
		}
		if err := u.core.JoinWorkspace(e.Text); err != nil {
			u.showError(err)
			return
		}
		u.restarting()
	}, u.win)
}

func (u *UI) askCreateWorkspace() {
	dialog.ShowConfirm("Create a private workspace?", "Colleagues on the current workspace will no longer reach you until they join the new one with its code.", func(ok bool) {
		if !ok {
			return
		}
		code, err := u.core.CreateWorkspace()
		if err != nil {
			u.showError(err)
			return
		}
		u.showCode("Private workspace created", "Colleagues join with this code:", code)
		u.restarting()
	}, u.win)
}
