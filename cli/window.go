package cli

import (
	"context"
	"errors"
	"log/slog"

	"hallway/core"
)

// ServeFunc runs a node and its control API until ctx ends, calling
// started once the node is up.
type ServeFunc func(ctx context.Context, cfg core.Config, started func(*core.Service)) error

// runWindow opens the desktop window on the node the daemon flags
// describe. The window serves the same control API as the daemon, so
// every verb works against it; it may restart its node (a workspace
// switch), and each start is logged like the daemon's.
func runWindow(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) > 0 {
		return errors.New("unknown command (see hallway help)")
	}
	level := slog.LevelInfo
	if p.bools["verbose"] {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := nodeConfig(dir, p, log)
	if err != nil {
		return err
	}
	serve := func(ctx context.Context, cfg core.Config, started func(*core.Service)) error {
		return Serve(ctx, cfg, log, func(svc *core.Service) {
			logRunning(ctx, log, svc, cfg)
			if started != nil {
				started(svc)
			}
		})
	}
	err = env.RunWindow(ctx, cfg, serve, log)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
