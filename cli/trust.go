package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"hallway/chat"
	"hallway/control"
	hcrypto "hallway/crypto"
)

var verifyFlags = map[string]flagKind{"yes": boolFlag, "undo": boolFlag}

const verifyUsage = "verify PEER [--yes|--undo] [--json]   (safety number; --yes marks verified after comparing in person)"

func runVerify(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) != 1 || (p.bools["yes"] && p.bools["undo"]) {
		return fmt.Errorf("usage: hallway %s", verifyUsage)
	}
	c := control.NewClient(dir)
	var t chat.Trust
	var err error
	switch {
	case p.bools["yes"]:
		t, err = c.Verify(ctx, p.pos[0], true)
	case p.bools["undo"]:
		t, err = c.Verify(ctx, p.pos[0], false)
	default:
		t, err = c.TrustOf(ctx, p.pos[0])
	}
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, t)
	}
	printTrust(env.Stdout, t)
	if !t.Verified && !p.bools["undo"] {
		fmt.Fprintf(env.Stdout, "\nCompare this number with %s in person (their window shows the same one),\nthen: hallway verify %s --yes\n", safeLine(t.Name), p.pos[0])
	}
	return nil
}

func printTrust(w io.Writer, t chat.Trust) {
	tw := table(w)
	fmt.Fprintf(tw, "Colleague:\t%s\n", safeLine(t.Name))
	fmt.Fprintf(tw, "Fingerprint:\t%s\n", safeLine(t.Fingerprint))
	groups := strings.Fields(t.SafetyNumber)
	for i := 0; i < len(groups); i += 4 {
		label := ""
		if i == 0 {
			label = "Safety number:"
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, strings.Join(groups[i:min(i+4, len(groups))], " "))
	}
	switch {
	case t.Verified && t.VerifiedName != "" && t.VerifiedName != t.Name:
		fmt.Fprintf(tw, "Verified:\tyes, on %s, as %q\n", t.VerifiedAt.Local().Format("2 Jan 2006"), t.VerifiedName)
	case t.Verified:
		fmt.Fprintf(tw, "Verified:\tyes, on %s\n", t.VerifiedAt.Local().Format("2 Jan 2006"))
	default:
		fmt.Fprintf(tw, "Verified:\tno\n")
	}
	if t.Label != "" {
		fmt.Fprintf(tw, "Label:\t%s\n", safeLine(t.Label))
	}
	tw.Flush()
	if t.Warning != nil {
		fmt.Fprintf(w, "⚠ WARNING: %s\n", safeLine(t.Warning.Message))
	}
}

var labelFlags = map[string]flagKind{"clear": boolFlag}

const labelUsage = "label [PEER LABEL...|PEER --clear] [--json]   (group colleagues, e.g. Accounting)"

func runLabel(ctx context.Context, env *Env, dir string, p parsed) error {
	c := control.NewClient(dir)
	if len(p.pos) == 0 {
		all, err := c.Trusts(ctx)
		if err != nil {
			return err
		}
		byLabel := map[string][]string{}
		for _, t := range all {
			if t.Label != "" {
				byLabel[t.Label] = append(byLabel[t.Label], fmt.Sprintf("%s#%s", safeLine(t.Name), hcrypto.ShortFingerprint(t.Fingerprint)))
			}
		}
		if p.bools["json"] {
			return printJSON(env.Stdout, byLabel)
		}
		if len(byLabel) == 0 {
			fmt.Fprintln(env.Stdout, "No labels yet: hallway label PEER Accounting")
		}
		labels := make([]string, 0, len(byLabel))
		for l := range byLabel {
			labels = append(labels, l)
		}
		slices.Sort(labels)
		for _, l := range labels {
			slices.Sort(byLabel[l])
			fmt.Fprintf(env.Stdout, "%s: %s\n", safeLine(l), strings.Join(byLabel[l], ", "))
		}
		return nil
	}
	label := strings.Join(p.pos[1:], " ")
	if (label == "") == !p.bools["clear"] {
		return fmt.Errorf("usage: hallway %s", labelUsage)
	}
	t, err := c.SetLabel(ctx, p.pos[0], label)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, t)
	}
	if t.Label == "" {
		fmt.Fprintf(env.Stdout, "%s has no label\n", safeLine(t.Name))
	} else {
		fmt.Fprintf(env.Stdout, "%s is under %s\n", safeLine(t.Name), safeLine(t.Label))
	}
	return nil
}
