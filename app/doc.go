// Package app is Hallway's desktop window (Fyne): sidebar, conversations,
// compose box, file cards, search, trust, settings, status, tray and
// notifications. It talks to the messenger through the small Core interface
// it declares, which the core service satisfies through a thin adapter; it
// never touches the network or the database itself.
//
// Threading: every change coming from the core reaches widgets through one
// bridge (bridge.go) that calls fyne.Do; long work (sending, loading pages,
// searching) runs off the UI goroutine through UI.async.
package app
