// Command barewindow is the window benchmark's baseline: a Fyne window of
// Hallway's size with nothing of Hallway in it, only text in the styles
// Hallway's window uses (regular and bold labels, an entry with a
// placeholder, a list of message-like rows). What it costs is what the
// toolkit and the graphics driver cost any Fyne program on the same
// display; the benchmark puts Hallway's window beside it.
//
// It prints "settled" once it has drawn and handed the heap it freed back
// to the system, as Hallway's window does, then runs until it is killed.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// settle is how long the window draws before its memory is read, as
// Hallway's window waits after drawing a conversation.
const settle = 2 * time.Second

func main() {
	a := app.NewWithID("org.hallway.barewindow")
	w := a.NewWindow("Baseline")
	w.Resize(fyne.NewSize(1100, 720))

	title := widget.NewLabelWithStyle("#general", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	search := widget.NewEntry()
	search.SetPlaceHolder("Search messages")
	rows := widget.NewList(
		func() int { return 200 },
		func() fyne.CanvasObject {
			return container.NewVBox(
				widget.NewLabelWithStyle("Name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
				widget.NewLabel("text"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(fmt.Sprintf("Colleague %d", i%12))
			box.Objects[1].(*widget.Label).SetText(fmt.Sprintf("Message %d about the quarterly figures; see the shared folder for details.", i))
		})
	compose := widget.NewEntry()
	compose.SetPlaceHolder("Write a message")
	side := container.NewVBox(search, widget.NewLabel("Rooms"), widget.NewLabelWithStyle("#general", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	body := container.NewBorder(title, compose, nil, nil, rows)
	split := container.NewHSplit(side, body)
	split.Offset = 0.25
	w.SetContent(split)

	a.Lifecycle().SetOnStarted(func() {
		time.AfterFunc(settle, func() {
			debug.FreeOSMemory()
			fmt.Println("settled")
			os.Stdout.Sync()
		})
	})
	w.ShowAndRun()
}
