// Command hallway is a serverless office messenger for the local network.
package main

import (
	"context"
	"log/slog"
	"os"

	"hallway/app"
	"hallway/cli"

	fyneapp "fyne.io/fyne/v2/app"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, RunWindow: runWindow}))
}

// runWindow creates the Fyne app, only when the window opens, and runs
// the window on the node supervisor.
func runWindow(ctx context.Context, node *cli.WindowNode, log *slog.Logger) error {
	if err := app.CheckDisplay(); err != nil {
		return err
	}
	hideOwnConsole()
	a := fyneapp.NewWithID(app.AppID)
	return app.Run(ctx, a, app.Options{Node: windowNode{node}, Log: log})
}

// windowNode hands the window each core the node brings up.
type windowNode struct{ node *cli.WindowNode }

var _ app.Core = (*cli.WindowCore)(nil)

func (n windowNode) Run(ctx context.Context, started func(app.Core)) error {
	return n.node.Run(ctx, func(c *cli.WindowCore) { started(c) })
}
