// Command hallway is a serverless office messenger for the local network.
package main

import (
	"context"
	"log/slog"
	"os"

	"hallway/app"
	"hallway/cli"
	"hallway/core"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, RunWindow: runWindow}))
}

func runWindow(ctx context.Context, cfg core.Config, serve cli.ServeFunc, log *slog.Logger) error {
	return app.Run(ctx, app.Options{Config: cfg, Serve: app.ServeFunc(serve), Log: log})
}
