// Package app is Hallway's desktop window (Fyne): sidebar, conversations,
// compose box, file cards, search, trust, settings, status, tray and
// notifications. It talks to the messenger through the small Core interface
// it declares, in the chat vocabulary alone; the caller adapts the running
// node to it (cli.WindowCore, handed over by package main). The window
// never touches the network, the database or the cryptography itself, and
// imports none of the packages that do.
//
// Threading: every change coming from the core reaches widgets through one
// bridge (bridge.go) that calls fyne.Do; long work (sending, loading pages,
// searching) runs off the UI goroutine through UI.async. When the core says
// the window fell behind (chat.Lagged), it reads its view again.
package app
