// Package cli is the `hallway` command: the daemon and every verb of the
// control API, for people, scripts and bots. It prints; it does not
// implement messaging (core does) or talk to the network itself.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"hallway/core"
)

// Env is what a command run sees of the world; tests replace it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// RunWindow opens the desktop app on node, which keeps the node
	// running; nil when the binary has no window.
	RunWindow func(ctx context.Context, node *WindowNode, log *slog.Logger) error
}

type verb struct {
	flags map[string]flagKind
	run   func(ctx context.Context, env *Env, dir string, p parsed) error
	usage string
}

var verbs map[string]verb

func init() {
	verbs = map[string]verb{
		"daemon":        {daemonFlags, runDaemon, "daemon [--name N] [--listen MULTIADDR]... [--peer MULTIADDR]... [--no-mdns] [--downloads DIR] [--no-files] [--max-file-size SIZE] [--block-ext .exe,.bat] [--auto-accept SIZE] [--no-bulk-lane] [--verbose]"},
		"id":            {nil, runID, "id [--json]"},
		"peers":         {nil, runPeers, "peers [--json] | peers add MULTIADDR [--json]"},
		"send":          {sendFlags, runSend, "send PEER TEXT... [--wait [--timeout 30s]] [--json]   (TEXT - reads stdin)"},
		"history":       {historyFlags, runHistory, "history PEER [--limit N] [--before SEQ] [--json]"},
		"status":        {nil, runStatus, "status [available|away|busy [TEXT...]] [--json]"},
		"name":          {nil, runName, "name NEW NAME"},
		"watch":         {nil, runWatch, "watch [--json]   (follow messages and presence as they happen)"},
		"workspace":     {workspaceFlags, runWorkspace, "workspace [show|create [--force]|join CODE|leave|invite] [--json]   (switches a running Hallway live; CODE - reads stdin)"},
		"version":       {nil, runVersion, "version"},
		"file":          {fileFlags, runFile, "file send|accept|decline|cancel ...   (hallway file --help)"},
		"transfers":     {nil, runTransfers, "transfers [--json]"},
		"room":          {nil, runRoom, "room [list|create|send|invite|invite-code|join|members|leave] ...   (hallway room --help)"},
		"verify":        {verifyFlags, runVerify, verifyUsage},
		"label":         {labelFlags, runLabel, labelUsage},
		"search":        {searchFlags, runSearch, "search QUERY... [--from PEER] [--in CONV] [--since DATE] [--until DATE] [--has-file] [--limit N] [--json]"},
		"export":        {exportFlags, runExport, "export --out FILE [--format json|html] [--in CONV] [--since DATE] [--until DATE] [--json]"},
		"verify-export": {nil, runVerifyExport, "verify-export FILE [--json]   (offline: needs no Hallway running)"},
		"retention":     {retentionFlags, runRetention, "retention [show|set|hold|release|apply] ... [--json]   (hallway retention --help)"},
		"backup":        {forceFlags, runBackup, "backup FILE [--force] [--json]   (a consistent snapshot of the running Hallway, keys included)"},
		"restore":       {forceFlags, runRestore, "restore FILE [--force] [--json]   (into --data DIR; refused while a Hallway runs there)"},
	}
}

// Version is set at build time.
var Version = "0.1.0-dev"

// Main runs the command line and returns the exit status.
func Main(args []string, env *Env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, args, env); err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintln(env.Stderr, "hallway: "+core.UserMessage(err))
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, env *Env) error {
	name, rest := splitVerb(args)
	if name == "help" {
		usage(env.Stdout)
		return nil
	}
	v, ok := verbs[name]
	if !ok {
		v = verb{flags: daemonFlags, run: runDefault}
	}
	p, err := parseArgs(rest, v.flags)
	if err != nil {
		fmt.Fprintln(env.Stderr, "hallway: "+err.Error())
		return errUsage
	}
	if p.bools["help"] || p.bools["h"] {
		switch {
		case name == "room":
			fmt.Fprintln(env.Stdout, roomUsage)
		case name == "file":
			fmt.Fprintln(env.Stdout, fileUsage)
		case name == "retention":
			fmt.Fprintln(env.Stdout, retentionUsage)
		case v.usage != "":
			fmt.Fprintln(env.Stdout, "usage: hallway "+v.usage)
		default:
			usage(env.Stdout)
		}
		return nil
	}
	if name != "" && !ok {
		fmt.Fprintf(env.Stderr, "hallway: unknown command %q (see hallway help)\n", name)
		return errUsage
	}
	dir := p.strs["data"]
	if dir == "" {
		if dir, err = core.DefaultDataDir(); err != nil {
			return err
		}
	}
	return v.run(ctx, env, dir, p)
}

// splitVerb finds the verb: the first argument that is neither a flag nor
// the value of a global flag, so "hallway --data D send ..." works.
func splitVerb(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return "", args
		}
		if len(a) > 1 && a[0] == '-' {
			name := strings.TrimLeft(a, "-")
			// The window takes the daemon's flags, so their values are skipped too.
			if (globalFlags[name] == stringFlag || daemonFlags[name] == stringFlag || daemonFlags[name] == listFlag) && !strings.Contains(name, "=") {
				i++
			}
			continue
		}
		return a, append(append([]string{}, args[:i]...), args[i+1:]...)
	}
	return "", args
}

// runDefault opens the window, or runs the daemon where the binary has none.
func runDefault(ctx context.Context, env *Env, dir string, p parsed) error {
	if env.RunWindow != nil {
		return runWindow(ctx, env, dir, p)
	}
	fmt.Fprintln(env.Stderr, "hallway: this build has no window; running headless (same as `hallway daemon`). Ctrl+C stops it.")
	return runDaemon(ctx, env, dir, p)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Hallway: a serverless office messenger for the local network.

usage: hallway [--data DIR] [VERB] [ARGS] [--json]

With no verb, Hallway opens its window (it takes the daemon's flags, e.g.
--name, --no-mdns, --peer). Without a display, use hallway daemon. Every
other verb talks to the Hallway running for the data folder, window or
daemon alike.

verbs:
`)
	for _, n := range []string{"daemon", "id", "peers", "send", "history", "room", "file", "transfers", "search", "export", "verify-export", "retention", "backup", "restore", "verify", "label", "status", "name", "watch", "workspace", "version"} {
		fmt.Fprintln(w, "  hallway "+verbs[n].usage)
	}
	fmt.Fprint(w, `
global flags:
  --data DIR   data folder (default $HALLWAY_DATA, else $XDG_DATA_HOME/hallway)
  --json       print one JSON document (an object, or an array for lists)

PEER is a peer ID, a colleague's unique name, or NAME#12345 (name plus the
first group of their fingerprint) when several colleagues share a name.
Wherever a conversation is asked for, #ROOM names a room: hallway send
#general "hi", hallway history #general.

Search finds every word anywhere (also inside words and in Chinese or
Japanese text), ignoring case and accents; "quoted words" stay together.
DATE is 2026-03-01, 2026-03-01T14:30, an RFC 3339 time, or an age like 7d
or 12h; --until DAY includes that whole day. Archive, export format and
retention: docs/ARCHIVE.md.
`)
}
