package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"runtime/pprof"
	"strings"

	"hallway/core"
	"hallway/node"
	"hallway/policy"
)

var daemonFlags = map[string]flagKind{
	"name": stringFlag, "listen": listFlag, "peer": listFlag, "no-mdns": boolFlag, "verbose": boolFlag,
	"downloads": stringFlag, "no-files": boolFlag, "max-file-size": stringFlag, "block-ext": stringFlag, "auto-accept": stringFlag, "no-bulk-lane": boolFlag,
	"share-days": stringFlag, "allow-net": listFlag, "no-relay": boolFlag,
}

func runDaemon(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) > 0 {
		return fmt.Errorf("daemon takes no arguments, got %q", strings.Join(p.pos, " "))
	}
	level := slog.LevelInfo
	if p.bools["verbose"] {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	if path := os.Getenv("HALLWAY_CPUPROFILE"); path != "" {
		// For performance work: a CPU profile of the whole run.
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cfg, err := nodeConfig(dir, p, log)
	if err != nil {
		return err
	}
	sup := node.New(node.Config{Config: cfg, Started: func(svc *core.Service) { logRunning(ctx, log, svc, cfg) }})
	err = sup.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// nodeConfig is the node configuration the daemon's flags describe; the
// window takes the same flags.
func nodeConfig(dir string, p parsed, log *slog.Logger) (core.Config, error) {
	fcfg, err := filesConfig(p)
	if err != nil {
		return core.Config{}, err
	}
	var allow []netip.Prefix
	for _, s := range p.lists["allow-net"] {
		r, err := policy.ParseNetRange(s)
		if err != nil {
			return core.Config{}, fmt.Errorf("--allow-net: %v", err)
		}
		allow = append(allow, r)
	}
	return core.Config{
		AllowNets:   allow,
		NoRelay:     p.bools["no-relay"],
		DataDir:     dir,
		Name:        p.strs["name"],
		ListenAddrs: p.lists["listen"],
		StaticPeers: p.lists["peer"],
		NoMDNS:      p.bools["no-mdns"],
		Files:       fcfg,
		Logger:      log,
	}, nil
}

// logRunning announces a node that is up (scripts and tests wait for the
// "Hallway running" line).
func logRunning(ctx context.Context, log *slog.Logger, svc *core.Service, cfg core.Config) {
	me, err := svc.Self(ctx)
	if err != nil {
		return
	}
	ws := "open LAN workspace: anyone on this network can connect (hallway workspace create makes it private)"
	if me.Workspace == core.WorkspacePrivate {
		ws = "private workspace " + me.WorkspaceTag
	}
	disc := "mDNS on"
	if cfg.NoMDNS {
		disc = "mDNS off"
	}
	log.Info("Hallway running", "name", me.Name, "peer_id", me.PeerID, "fingerprint", me.Fingerprint,
		"addrs", strings.Join(me.Addrs, " "), "discovery", disc, "data", cfg.DataDir)
	log.Info(ws)
}
