// Package app is Hallway's desktop window (Fyne). It talks to the core
// service through a small interface and never touches the network or the
// database itself.
//
// The window is being built; until it lands, `hallway` without a verb runs
// the same engine headless and says so.
package app
