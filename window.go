//go:build !headless

package main

import (
	"context"
	"log/slog"

	"hallway/app"
	"hallway/cli"
	"hallway/desktop"

	fyneapp "fyne.io/fyne/v2/app"
)

// runWindow creates the Fyne app, only when the window opens, and runs
// the window on the node supervisor.
func runWindow(ctx context.Context, node *cli.WindowNode, log *slog.Logger) error {
	if err := app.CheckDisplay(); err != nil {
		return err
	}
	hideOwnConsole()
	idle, why := desktop.OpenIdle()
	if idle != nil {
		defer idle.Close()
		log.Info("idle time from the desktop")
	} else {
		log.Info("idle time from the window only", "reason", why)
	}
	a := fyneapp.NewWithID(app.AppID)
	opt := app.Options{Node: windowNode{node}, Log: log, HasTray: func() bool {
		ok, why := desktop.HasTray()
		if !ok {
			log.Info("no tray icon", "reason", why)
		}
		return ok
	}}
	if idle != nil {
		opt.Idle = idle
	}
	return app.Run(ctx, a, opt)
}

// windowNode hands the window each core the node brings up.
type windowNode struct{ node *cli.WindowNode }

var _ app.Core = (*cli.WindowCore)(nil)

func (n windowNode) Run(ctx context.Context, started func(app.Core)) error {
	return n.node.Run(ctx, func(c *cli.WindowCore) { started(c) })
}
