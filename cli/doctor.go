package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"hallway/chat"
	"hallway/control"
)

const doctorUsage = "doctor [PEER] [--json]   (why a colleague is or is not reachable, and the fix)"

func runDoctor(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) > 1 {
		return fmt.Errorf("usage: hallway %s", doctorUsage)
	}
	ref := ""
	if len(p.pos) == 1 {
		ref = p.pos[0]
	}
	d, err := control.NewClient(dir).Doctor(ctx, ref)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, d)
	}
	if ref == "" {
		printNodeHealth(env.Stdout, d.Node)
	}
	for _, c := range d.Colleagues {
		printColleagueHealth(env.Stdout, c)
	}
	if len(d.Colleagues) == 0 {
		fmt.Fprintln(env.Stdout, "No colleague known yet.")
	}
	return nil
}

func printNodeHealth(w io.Writer, n chat.NodeHealth) {
	tw := table(w)
	fmt.Fprintf(tw, "Subnets:\t%s\n", strings.Join(n.Subnets, ", "))
	var ifs []string
	for _, i := range n.Interfaces {
		if i.MDNS {
			ifs = append(ifs, i.Name)
		}
	}
	switch {
	case !n.MDNS:
		fmt.Fprintf(tw, "mDNS:\toff\n")
	case n.MDNSHeard.IsZero():
		fmt.Fprintf(tw, "mDNS:\ton (%s), no other Hallway heard yet\n", strings.Join(ifs, ", "))
	default:
		fmt.Fprintf(tw, "mDNS:\ton (%s), last heard another Hallway %s\n", strings.Join(ifs, ", "), when(n.MDNSHeard))
	}
	if len(n.Relays) > 0 {
		fmt.Fprintf(tw, "Relaying for you:\t%s\n", safeLine(strings.Join(n.Relays, ", ")))
	}
	if len(n.AllowNets) > 0 {
		fmt.Fprintf(tw, "Allowed beyond the LAN:\t%s\n", strings.Join(n.AllowNets, ", "))
	}
	tw.Flush()
	if n.Verdict != "" {
		fmt.Fprintf(w, "⚠ %s\n", n.Verdict)
	}
	fmt.Fprintln(w)
}

func printColleagueHealth(w io.Writer, c chat.ColleagueHealth) {
	state := "offline"
	if c.Online {
		state = "online, " + c.Via
	}
	mark := "✓"
	if c.Cause != chat.CauseNone {
		mark = "✗"
	}
	fmt.Fprintf(w, "%s %s (%s): %s\n", mark, safeLine(c.Name), state, safeLine(c.Verdict))
	if len(c.Seen) > 0 {
		var seen []string
		for _, via := range slices.Sorted(maps.Keys(c.Seen)) {
			seen = append(seen, via+" "+when(c.Seen[via]))
		}
		fmt.Fprintf(w, "    seen by: %s\n", strings.Join(seen, ", "))
	}
	for _, a := range c.Attempts {
		line := a.Outcome
		if a.Detail != "" {
			line += ": " + a.Detail
		}
		fmt.Fprintf(w, "    tried %s: %s\n", safeLine(a.Addr), safeLine(line))
	}
	if c.ClockSkewMs != nil && (*c.ClockSkewMs > 1000 || *c.ClockSkewMs < -1000) {
		fmt.Fprintf(w, "    clock: %s %s\n", (time.Duration(*c.ClockSkewMs) * time.Millisecond).Abs().Round(time.Second), map[bool]string{true: "ahead", false: "behind"}[*c.ClockSkewMs > 0])
	}
}

// when is a time of today as 15:04:05, else with its date.
func when(t time.Time) string {
	t = t.Local()
	if y, m, d := t.Date(); y == time.Now().Year() && m == time.Now().Month() && d == time.Now().Day() {
		return t.Format("15:04:05")
	}
	return t.Format("2 Jan 15:04")
}
