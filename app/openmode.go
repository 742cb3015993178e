package app

import (
	"fmt"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// What the window says of the open LAN workspace, wherever it says it.
const (
	openModeLine = "Open mode: #general is visible to every network this computer joins " +
		"(home, office, hotel or conference Wi-Fi), and you see theirs."
	choiceOpenLabel = "Stay in open mode — visible to every network this computer joins"
)

// openPanel is the standing strip above the conversation while the node
// is in the open LAN workspace: what open mode means, the private
// workspaces seen on this network, and the two ways into one.
type openPanel struct {
	obj    *fyne.Container
	nearby *onColourLabel
}

func newOpenPanel(u *UI) *openPanel {
	p := &openPanel{nearby: newOnColourLabel(false)}
	line := newOnColourLabel(true)
	line.SetText(openModeLine)
	join := widget.NewButton("Join with a code…", func() { u.askJoinWorkspace() })
	join.Importance = widget.HighImportance
	create := widget.NewButton("Create a workspace…", func() { u.askCreateWorkspace() })
	bg := canvas.NewRectangle(noticeColor)
	p.obj = container.NewStack(bg, container.NewVBox(line.obj, p.nearby.obj, container.NewHBox(join, create)))
	p.obj.Hide()
	return p
}

// refresh shows the panel in the open LAN workspace, with what is nearby.
func (p *openPanel) refresh(u *UI) {
	if u.self.Workspace != chat.WorkspaceOpen {
		p.obj.Hide()
		return
	}
	p.nearby.SetText(nearbyText(u.nearby))
	p.obj.Show()
	p.obj.Refresh()
}

// nearbySummary counts the private workspaces seen and their colleagues.
func nearbySummary(ws []chat.NearbyWorkspace) (workspaces, colleagues int) {
	for _, w := range ws {
		if !w.Open {
			workspaces++
			colleagues += w.Colleagues
		}
	}
	return workspaces, colleagues
}

// nearbyText says which private workspaces announce themselves here and
// how many colleagues each has; their tags mean nothing to a reader.
func nearbyText(ws []chat.NearbyWorkspace) string {
	n, k := nearbySummary(ws)
	if n == 0 {
		return "No private workspace announces itself on this network. Create one and give colleagues its code."
	}
	s := fmt.Sprintf("%s on this network (%s).", count(n, "private workspace"), count(k, "colleague"))
	if n > 1 {
		for _, w := range ws {
			if !w.Open {
				s += fmt.Sprintf("\n• a workspace of %s", count(w.Colleagues, "colleague"))
			}
		}
	}
	return s + "\nAsk a colleague for the invite code (Settings ▸ Workspace ▸ Show invite) and join."
}

// count is "1 colleague" or "3 colleagues".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// nearbyChanged takes the workspaces now seen on the network.
func (u *UI) nearbyChanged(ws []chat.NearbyWorkspace) {
	u.nearby = ws
	u.nearbyEvents++
	u.showNearby()
}

// showNearby updates the views that list the nearby workspaces and says
// what they show in the log.
func (u *UI) showNearby() {
	u.openPanel.refresh(u)
	if u.firstRun != nil {
		u.firstRun.refreshNearby()
	}
	if u.self.Workspace == chat.WorkspaceOpen {
		n, k := nearbySummary(u.nearby)
		u.log.Info("nearby workspaces shown", "private", n, "colleagues", k)
	}
}
