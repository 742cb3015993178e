package app

import (
	"context"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Workspace choices of the first-run screen. Joining or creating a
// private workspace come first; open mode stays, saying what it costs.
const (
	choiceJoin   = "Join a private workspace with a code from a colleague"
	choiceCreate = "Create a private workspace (colleagues join with its code)"
	choiceOpen   = choiceOpenLabel
	choiceStay   = "Stay in this private workspace"
)

// firstRun is the screen shown once: Hallway is already reachable under
// the prefilled name; the user may change it and pick a workspace.
type firstRun struct {
	u      *UI
	obj    fyne.CanvasObject
	name   *widget.Entry
	nearby *widget.Label
	choice *widget.RadioGroup
	// picked: the user chose a workspace; what is seen nearby no longer
	// moves the selection.
	picked bool
	code   *widget.Entry
	invite *fyne.Container
	done   *widget.Button
	status *widget.Label
}

func (u *UI) showFirstRun() {
	f := newFirstRun(u)
	u.firstRun = f
	u.win.SetContent(f.obj)
	u.win.Canvas().Focus(f.name)
}

func newFirstRun(u *UI) *firstRun {
	f := &firstRun{u: u, name: widget.NewEntry(), nearby: widget.NewLabel(""), code: widget.NewEntry(), status: widget.NewLabel("")}
	f.name.SetText(u.self.Name)
	f.nearby.Wrapping = fyne.TextWrapWord
	f.code.SetPlaceHolder("HW2-…")
	f.code.Hide()
	f.invite = container.NewVBox()
	choices := []string{choiceJoin, choiceCreate, choiceOpen}
	if u.self.Workspace == chat.WorkspacePrivate {
		choices = []string{choiceStay, choiceJoin, choiceCreate}
		f.nearby.Hide()
	}
	setting := true
	f.choice = widget.NewRadioGroup(choices, func(c string) {
		show(f.code, c == choiceJoin)
		f.picked = f.picked || !setting
	})
	f.choice.SetSelected(choices[0])
	f.refreshNearby()
	setting = false
	f.status.Wrapping = fyne.TextWrapWord
	f.done = widget.NewButton("Start", f.finish)
	f.done.Importance = widget.HighImportance
	title := widget.NewLabel("Welcome to Hallway")
	title.TextStyle.Bold = true
	title.SizeName = "headingText"
	reach := widget.NewLabel("You are already reachable on this network as the name below. " +
		"Colleagues see it next to your key's fingerprint: " + u.self.Fingerprint)
	reach.Wrapping = fyne.TextWrapWord
	form := container.NewVBox(title, reach,
		widget.NewForm(widget.NewFormItem("Your name", f.name)),
		widget.NewLabel("Workspace"), f.nearby, f.choice, f.code, f.invite, f.status, container.NewHBox(f.done))
	f.obj = container.NewCenter(container.NewGridWrap(fyne.NewSize(560, 560), container.NewVScroll(form)))
	return f
}

// refreshNearby shows the private workspaces seen on the network. Until
// the user picks, the selection follows them: join when one is here,
// create when none is.
func (f *firstRun) refreshNearby() {
	u := f.u
	if u.self.Workspace != chat.WorkspaceOpen {
		return
	}
	f.nearby.SetText(nearbyText(u.nearby))
	if f.picked || f.choice.Disabled() {
		return
	}
	want := choiceCreate
	if n, _ := nearbySummary(u.nearby); n > 0 {
		want = choiceJoin
	}
	if f.choice.Selected != want {
		picked := f.picked
		f.choice.SetSelected(want)
		f.picked = picked
	}
}

// finish applies the name and the workspace, restarting the node when the
// workspace changed, and opens the main view.
func (f *firstRun) finish() {
	u := f.u
	name := strings.TrimSpace(f.name.Text)
	choice, code := f.choice.Selected, f.code.Text
	if choice == choiceCreate && len(f.invite.Objects) > 0 {
		choice = "" // the workspace was made; the user has seen the code
	}
	f.done.Disable()
	u.async(func(ctx context.Context) func() {
		c := u.core
		if name != "" && name != u.self.Name {
			if err := c.SetName(ctx, name); err != nil {
				return func() { f.fail(err) }
			}
		}
		invite, restart := "", false
		switch choice {
		case choiceCreate:
			code, err := c.CreateWorkspace()
			if err != nil {
				return func() { f.fail(err) }
			}
			invite, restart = code, true
		case choiceJoin:
			if err := c.JoinWorkspace(code); err != nil {
				return func() { f.fail(err) }
			}
			restart = true
		}
		p, err := c.Prefs(ctx)
		if err != nil {
			return func() { f.fail(err) }
		}
		p.SetupDone = true
		if err := c.SetPrefs(ctx, p); err != nil {
			return func() { f.fail(err) }
		}
		return func() {
			u.prefs = p
			if invite != "" {
				f.showInvite(invite)
				if restart {
					u.restarting()
				}
				return
			}
			if restart {
				u.restarting()
				return
			}
			u.showMain()
		}
	})
}

func (f *firstRun) fail(err error) {
	f.done.Enable()
	f.status.SetText(message(err))
	f.status.Importance = widget.DangerImportance
	f.status.Refresh()
}

// showInvite shows the new workspace's code and QR; Start then opens the
// main view.
func (f *firstRun) showInvite(code string) {
	f.choice.Disable()
	lbl := widget.NewLabel("Your private workspace is ready. Colleagues join with this code (or its QR):")
	lbl.Wrapping = fyne.TextWrapWord
	entry := widget.NewEntry()
	entry.SetText(code)
	f.invite.Objects = []fyne.CanvasObject{lbl, entry, container.NewCenter(qrObject(code, 160))}
	f.invite.Refresh()
	f.done.SetText("Open Hallway")
	f.u.holdScreen = true
	f.done.OnTapped = func() { f.u.holdScreen = false; f.u.showMain() }
	f.done.Enable()
}

// restarting shows that the node restarts into another workspace; the
// new core attaches when it is up.
func (u *UI) restarting() {
	u.info("Switching workspace: Hallway reconnects in a moment…")
	u.current = ""
	c := u.core
	u.async(func(context.Context) func() {
		c.Restart()
		return nil
	})
}
