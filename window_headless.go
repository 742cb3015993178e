//go:build headless

package main

import (
	"context"
	"log/slog"

	"hallway/cli"
)

// runWindow is nil: this build has no window, so `hallway` without a verb
// says so and runs the daemon.
var runWindow func(ctx context.Context, node *cli.WindowNode, log *slog.Logger) error
