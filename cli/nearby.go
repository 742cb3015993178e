package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"hallway/chat"
	"hallway/control"
)

// workspaceNearby lists the other workspaces a running Hallway sees on
// the network, with how many colleagues announce each.
func workspaceNearby(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	if len(args) > 0 {
		return fmt.Errorf("usage: hallway workspace nearby")
	}
	c := control.NewClient(dir)
	ws, err := c.NearbyWorkspaces(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, ws)
	}
	me, err := c.Self(ctx)
	if err != nil {
		return err
	}
	printNearby(env.Stdout, ws, me.Workspace == chat.WorkspaceOpen)
	return nil
}

// printNearby describes the workspaces seen; in the open LAN workspace it
// says how to join one of them instead.
func printNearby(w io.Writer, ws []chat.NearbyWorkspace, open bool) {
	private, colleagues := 0, 0
	for _, n := range ws {
		if !n.Open {
			private++
			colleagues += n.Colleagues
		}
	}
	switch {
	case len(ws) == 0:
		fmt.Fprintln(w, "No other workspace announces itself on this network.")
	case private > 0:
		fmt.Fprintf(w, "%s on this network (%s):\n", plural(private, "private workspace"), plural(colleagues, "colleague"))
	default:
		fmt.Fprintln(w, "Other workspaces on this network:")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, n := range ws {
		what := "private workspace " + safeLine(n.Tag)
		if n.Open {
			what = "the open LAN workspace"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", what, plural(n.Colleagues, "colleague"))
	}
	tw.Flush()
	if open {
		fmt.Fprintln(w, "You are in the open LAN workspace: #general is visible to every network this computer joins.")
		fmt.Fprintln(w, "Join your colleagues with the code one of them gives you (hallway workspace join -  reads it from stdin), or make a workspace: hallway workspace create")
	}
}

// plural is "1 colleague" or "3 colleagues".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
