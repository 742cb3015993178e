package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"hallway/chat"
	"hallway/control"
	"hallway/policy"
)

// `hallway admin` and `hallway policy` govern a private workspace: its
// admins and the policy every node enforces (docs/GOVERNANCE.md).

var adminVerbs = subVerbs{list: []subVerb{
	{"list", "list [--json]   (the workspace's members, its creator and admins first)", exactly(0), adminList},
	{"add", "add PEER   (name a member an admin; admins only)", exactly(1), func(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
		return setAdmin(ctx, env, dir, args[0], true)
	}},
	{"remove", "remove PEER   (take an admin's rights back; admins only)", exactly(1), func(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
		return setAdmin(ctx, env, dir, args[0], false)
	}},
}}

func runAdmin(ctx context.Context, env *Env, dir string, p parsed) error {
	sub, args := "list", []string(nil)
	if len(p.pos) > 0 {
		sub, args = p.pos[0], p.pos[1:]
	}
	return adminVerbs.dispatch(ctx, env, dir, sub, args, p)
}

func adminList(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	list, err := control.NewClient(dir).WorkspaceMembers(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, list)
	}
	printWorkspaceMembers(env.Stdout, list)
	return nil
}

// printWorkspaceMembers lists admins first, then members.
func printWorkspaceMembers(w io.Writer, list []chat.RoomMember) {
	admins := 0
	for _, pass := range []bool{true, false} {
		for _, m := range list {
			if (m.Role != chat.RoleMember) != pass {
				continue
			}
			role := m.Role
			if m.Role == chat.RoleOwner {
				role = "admin, created the workspace"
				admins++
			} else if m.Role == chat.RoleAdmin {
				admins++
			}
			you := ""
			if m.You {
				you = " (you)"
			}
			fmt.Fprintf(w, "%-8s %s%s  %s\n", strings.SplitN(role, ",", 2)[0], safeLine(m.Name), you, safeLine(m.PeerID))
		}
	}
	if admins < 2 {
		fmt.Fprintln(w, "One admin only: name a second (hallway admin add PEER), so the workspace is not stuck if this one is away or leaves.")
	}
}

func setAdmin(ctx context.Context, env *Env, dir, peer string, admin bool) error {
	if err := control.NewClient(dir).SetWorkspaceAdmin(ctx, peer, admin); err != nil {
		return err
	}
	if admin {
		fmt.Fprintf(env.Stdout, "%s is now an admin of the workspace.\n", safeLine(peer))
	} else {
		fmt.Fprintf(env.Stdout, "%s is no longer an admin of the workspace.\n", safeLine(peer))
	}
	return nil
}

var policyVerbs = subVerbs{list: []subVerb{
	{"show", "show [--json]   (the policy in force, who set it and when)", exactly(0), policyShow},
	{"set", "set KEY VALUE [--json]   (admins only; KEY is one of the settings below)", atLeast(2), policySet},
	{"history", "history [--json]   (every version, oldest first)", exactly(0), policyHistory},
	{"acknowledge", "acknowledge [--json]   (sign that you read and accept the acceptable-use notice)", exactly(0), policyAcknowledge},
}, more: policyKeysHelp()}

func policyKeysHelp() string {
	var b strings.Builder
	b.WriteString("settings:")
	for _, k := range policy.Keys {
		fmt.Fprintf(&b, "\n  %-22s %s", k.Key, k.Values)
	}
	return b.String()
}

func runPolicy(ctx context.Context, env *Env, dir string, p parsed) error {
	sub, args := "show", []string(nil)
	if len(p.pos) > 0 {
		sub, args = p.pos[0], p.pos[1:]
	}
	return policyVerbs.dispatch(ctx, env, dir, sub, args, p)
}

func policyShow(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	pol, err := control.NewClient(dir).Policy(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, pol)
	}
	return printPolicy(env.Stdout, pol)
}

func policySet(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	pol, err := control.NewClient(dir).SetPolicy(ctx, args[0], strings.Join(args[1:], " "))
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, pol)
	}
	fmt.Fprintf(env.Stdout, "Policy version %d is in force; every member's Hallway applies it as it arrives.\n", pol.Version)
	return nil
}

func policyHistory(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	list, err := control.NewClient(dir).PolicyHistory(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "No admin has set a policy: nothing is restricted.")
	}
	for _, pol := range list {
		fmt.Fprintf(env.Stdout, "version %d  %s\n", pol.Version, policySetter(pol))
	}
	return nil
}

// printPolicy describes a policy for a person.
func printPolicy(w io.Writer, pol chat.Policy) error {
	doc, err := policy.Parse(pol.Document)
	if err != nil {
		return fmt.Errorf("the policy does not read: %w", err)
	}
	if pol.Version == 0 {
		fmt.Fprintln(w, "No admin has set a policy: nothing is restricted.")
		return nil
	}
	fmt.Fprintf(w, "Policy version %d, %s\n", pol.Version, policySetter(pol))
	if len(pol.Rules) == 0 {
		fmt.Fprintln(w, "  nothing restricted")
	}
	for _, r := range pol.Rules {
		fmt.Fprintf(w, "  %s\n", safeLine(r))
	}
	if doc.Notice != "" {
		fmt.Fprintf(w, "  notice:\n%s\n", safeText(doc.Notice, "    "))
		if pol.NoticeAcknowledged {
			fmt.Fprintf(w, "  you acknowledged it; %d member(s) did\n", len(pol.AcknowledgedBy))
		} else {
			fmt.Fprintln(w, "  you have not acknowledged it yet: hallway policy acknowledge")
		}
	}
	return nil
}

func policySetter(pol chat.Policy) string {
	who := safeLine(pol.SetByName)
	if who == "" {
		who = safeLine(pol.SetBy)
	}
	if pol.SetAt.IsZero() {
		return "set by " + who
	}
	return fmt.Sprintf("set by %s on %s", who, pol.SetAt.Local().Format("2006-01-02 15:04"))
}

func policyAcknowledge(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	pol, err := control.NewClient(dir).AcknowledgeNotice(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, pol)
	}
	fmt.Fprintf(env.Stdout, "Acknowledged the acceptable-use notice of policy version %d; your signed acknowledgement is kept with the workspace's records.\n", pol.Version)
	return nil
}
