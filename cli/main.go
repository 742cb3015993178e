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

	"hallway/chat"
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

func init() {
	verbs = []verb{
		{"daemon", daemonFlags, runDaemon, "daemon [--name N] [--listen MULTIADDR]... [--peer MULTIADDR]... [--no-mdns] [--allow-net CIDR]... [--no-relay] [--downloads DIR] [--no-files] [--max-file-size SIZE] [--block-ext .exe,.bat] [--auto-accept SIZE] [--share-days N] [--no-bulk-lane] [--verbose]", ""},
		{"id", nil, runID, "id [--json]", ""},
		{"doctor", nil, runDoctor, doctorUsage, ""},
		{"peers", peersFlags, runPeers, "peers [--json] | peers add MULTIADDR|HOST[:PORT] [--yes] [--json]   (a host or IP shows who answers; --yes saves them)", ""},
		{"send", sendFlags, runSend, "send PEER TEXT... [--wait [--timeout 30s]] [--json]   (TEXT - reads stdin)", ""},
		{"history", historyFlags, runHistory, "history PEER [--limit N] [--before SEQ] [--json]", ""},
		{"reply", nil, runAmend(chat.KindReply), "reply ID TEXT... [--json]   (answers the message with that id, quoting it)", ""},
		{"edit", nil, runAmend(chat.KindEdit), "edit ID TEXT... [--json]   (your own messages; earlier versions stay on record)", ""},
		{"delete", nil, runAmend(chat.KindDelete), "delete ID [--json]   (your own messages, for everyone; a stub remains)", ""},
		{"react", nil, runAmend(chat.KindReact), "react ID EMOJI [--json]   (toggles your reaction)", ""},
		{"mute", muteFlags, runMute, "mute [CONV [--level all|mentions|none] [--until 1h|tomorrow|TIME] | CONV --off] [--json]   (no CONV: what is muted; mentions of you still notify unless --level none)", ""},
		{"dnd", dndFlags, runDND, "dnd [--until 1h|tomorrow|TIME | --off] [--json]   (do not disturb: no notification at all; until tomorrow 8:00 by default)", ""},
		{"room", roomFlags, runRoom, "room [list|create|send|invite|invites|accept|decline|invite-code|join|members|remove|role|leave] ...   (hallway room --help)", roomVerbs.usage()},
		{"file", fileFlags, runFile, "file send|accept|decline|cancel|unshare|list ...   (hallway file --help)", fileVerbs.usage()},
		{"transfers", nil, runTransfers, "transfers [--json]", ""},
		{"search", searchFlags, runSearch, "search QUERY... [--from PEER] [--in CONV] [--since DATE] [--until DATE] [--has-file] [--mentions] [--limit N] [--json]   (--mentions: those that mention you; QUERY may then be left out)", ""},
		{"export", exportFlags, runExport, "export --out FILE [--format json|html] [--in CONV] [--since DATE] [--until DATE] [--json]", ""},
		{"verify-export", nil, runVerifyExport, "verify-export FILE [--json]   (offline: needs no Hallway running)", ""},
		{"retention", retentionFlags, runRetention, "retention [show|set|hold|release|apply] ... [--json]   (hallway retention --help)", retentionVerbs.usage()},
		{"backup", forceFlags, runBackup, "backup FILE [--force] [--json]   (a consistent snapshot of the running Hallway, keys included)", ""},
		{"restore", forceFlags, runRestore, "restore FILE [--force] [--json]   (into --data DIR; refused while a Hallway runs there)", ""},
		{"verify", verifyFlags, runVerify, verifyUsage, ""},
		{"label", labelFlags, runLabel, labelUsage, ""},
		{"block", blockFlags, runBlock, blockUsage, ""},
		{"unblock", nil, runUnblock, unblockUsage, ""},
		{"blocked", nil, runBlocked, blockedUsage, ""},
		{"settings", nil, runSettings, "settings [show|read-receipts on|off] [--json]   (hallway settings --help)", settingsVerbs.usage()},
		{"status", nil, runStatus, "status [available|away|busy [TEXT...]] [--json]", ""},
		{"name", nil, runName, "name NEW NAME", ""},
		{"watch", nil, runWatch, "watch [--json]   (follow messages and presence as they happen)", ""},
		{"workspace", workspaceFlags, runWorkspace, workspaceUsage(), ""},
		{"admin", nil, runAdmin, "admin [list|add PEER|remove PEER] [--json]   (a private workspace's admins)", adminVerbs.usage()},
		{"policy", nil, runPolicy, "policy [show|set KEY VALUE|history] [--json]   (the workspace policy every node enforces; hallway policy --help)", policyVerbs.usage()},
		{"version", nil, runVersion, "version", ""},
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
		fmt.Fprintln(env.Stderr, "hallway: "+chat.UserMessage(err))
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, env *Env) error {
	name, rest := splitVerb(args)
	if name == "help" {
		printUsage(env.Stdout)
		return nil
	}
	v, ok := verbNamed(name)
	if !ok {
		v = verb{flags: daemonFlags, run: runDefault}
	}
	p, err := parseArgs(rest, v.flags)
	if err != nil {
		fmt.Fprintln(env.Stderr, "hallway: "+err.Error())
		return errUsage
	}
	if p.bools["help"] || p.bools["h"] {
		if ok {
			fmt.Fprintln(env.Stdout, v.helpText())
		} else {
			printUsage(env.Stdout)
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
