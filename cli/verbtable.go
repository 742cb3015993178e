package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// verb is one entry of the command table: `hallway NAME ...`.
type verb struct {
	name  string
	flags map[string]flagKind
	run   func(ctx context.Context, env *Env, dir string, p parsed) error
	usage string // its line in `hallway help`, after "hallway "
	help  string // what --help prints; "" prints "usage: hallway " + usage
}

// helpText is what `hallway VERB --help` prints.
func (v verb) helpText() string {
	if v.help != "" {
		return v.help
	}
	return "usage: hallway " + v.usage
}

// verbs is the command table, in the order `hallway help` lists it. It is
// filled by init, as the verbs' own usage errors refer to it.
var verbs []verb

// verbNamed finds a verb of the table.
func verbNamed(name string) (verb, bool) {
	for _, v := range verbs {
		if v.name == name {
			return v, true
		}
	}
	return verb{}, false
}

// verbUsage is a verb's line of `hallway help`.
func verbUsage(name string) string {
	v, _ := verbNamed(name)
	return v.usage
}

// subVerb is one sub-command of a verb, like `room create`.
type subVerb struct {
	name string
	// help is the sub-command's lines in the verb's --help, after the
	// "usage: " column.
	help string
	// nargs accepts a count of arguments after the sub-command; nil
	// accepts any.
	nargs func(n int) bool
	run   func(ctx context.Context, env *Env, dir string, args []string, p parsed) error
}

// subVerbs is a verb's table of sub-commands.
type subVerbs struct {
	list []subVerb
	more string // lines of --help after the sub-commands'
	// misuse is the error for an unknown sub-command or a wrong count of
	// arguments; "" is the --help text.
	misuse string
}

// usage is the verb's --help text: one block of lines per sub-command.
func (s subVerbs) usage() string {
	var b strings.Builder
	for i, v := range s.list {
		if i == 0 {
			b.WriteString("usage: ")
		} else {
			b.WriteString("\n       ")
		}
		b.WriteString(v.help)
	}
	if s.more != "" {
		b.WriteString("\n" + s.more)
	}
	return b.String()
}

// dispatch runs sub with args, or fails with the verb's usage.
func (s subVerbs) dispatch(ctx context.Context, env *Env, dir, sub string, args []string, p parsed) error {
	for _, v := range s.list {
		if v.name == sub && (v.nargs == nil || v.nargs(len(args))) {
			return v.run(ctx, env, dir, args, p)
		}
	}
	if s.misuse != "" {
		return fmt.Errorf("%s", s.misuse)
	}
	return fmt.Errorf("%s", s.usage())
}

func atLeast(n int) func(int) bool      { return func(k int) bool { return k >= n } }
func exactly(n int) func(int) bool      { return func(k int) bool { return k == n } }
func between(lo, hi int) func(int) bool { return func(k int) bool { return k >= lo && k <= hi } }

// printUsage writes `hallway help`.
func printUsage(w io.Writer) {
	fmt.Fprint(w, usageHead)
	for _, v := range verbs {
		fmt.Fprintln(w, "  hallway "+v.usage)
	}
	fmt.Fprint(w, usageTail)
}

const usageHead = `Hallway: a serverless office messenger for the local network.

usage: hallway [--data DIR] [VERB] [ARGS] [--json]

With no verb, Hallway opens its window (it takes the daemon's flags, e.g.
--name, --no-mdns, --peer). Without a display, use hallway daemon. Every
other verb talks to the Hallway running for the data folder, window or
daemon alike.

verbs:
`

const usageTail = `
global flags:
  --data DIR   data folder (default $HALLWAY_DATA, else $XDG_DATA_HOME/hallway;
               on macOS ~/Library/Application Support/Hallway)
  --json       print one JSON document (an object, or an array for lists)

PEER is a peer ID, a colleague's unique name, or NAME#12345-67890 (name plus
the first two groups of their fingerprint) when several colleagues share a name.
Wherever a conversation is asked for, #ROOM names a room by its name, never
by an id: hallway send #general "hi", hallway history #general. A room id is
given as room:ID (hallway room list shows them).

Search finds every word anywhere (also inside words and in Chinese or
Japanese text), ignoring case and accents; "quoted words" stay together.
DATE is 2026-03-01, 2026-03-01T14:30, an RFC 3339 time, or an age like 7d
or 12h; --until DAY includes that whole day. Archive, export format and
retention: docs/ARCHIVE.md.
`
