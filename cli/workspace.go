package cli

import (
	"context"
	"fmt"
	"strings"

	"hallway/control"
	"hallway/core"
	hcrypto "hallway/crypto"
)

var workspaceFlags = map[string]flagKind{"force": boolFlag}

type workspaceInfo struct {
	Workspace       string `json:"workspace"`
	Tag             string `json:"workspace_tag"`
	InviteCode      string `json:"invite_code,omitempty"`
	RestartRequired bool   `json:"restart_required"`
}

// workspaceVerbs are the sub-commands of `hallway workspace`; their help
// makes up its line of `hallway help`.
var workspaceVerbs = subVerbs{list: []subVerb{
	{"show", "show", nil, func(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
		return workspaceShow(ctx, env, dir, "show", args, p)
	}},
	{"create", "create [--force]", nil, workspaceCreate},
	{"join", "join CODE", nil, workspaceJoin},
	{"invite", "invite", nil, func(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
		return workspaceShow(ctx, env, dir, "invite", args, p)
	}},
}, misuse: "usage: hallway workspace [show|create|join CODE|invite]"}

// workspaceUsage is the verb's line of `hallway help`.
func workspaceUsage() string {
	var subs []string
	for _, v := range workspaceVerbs.list {
		subs = append(subs, v.help)
	}
	return "workspace [" + strings.Join(subs, "|") + "] [--json]"
}

func runWorkspace(ctx context.Context, env *Env, dir string, p parsed) error {
	sub, args := "show", []string(nil)
	if len(p.pos) > 0 {
		sub, args = p.pos[0], p.pos[1:]
	}
	return workspaceVerbs.dispatch(ctx, env, dir, sub, args, p)
}

// workspaceShow describes the workspace key, or prints its invite code.
func workspaceShow(ctx context.Context, env *Env, dir, sub string, args []string, p parsed) error {
	if len(args) > 0 {
		return fmt.Errorf("usage: hallway workspace %s", sub)
	}
	info := workspaceInfo{Workspace: core.WorkspaceOpen, Tag: hcrypto.OpenWorkspaceTag}
	k, ok, err := core.ReadWorkspaceKey(dir)
	if err != nil {
		return err
	}
	if ok {
		info = workspaceInfo{Workspace: core.WorkspacePrivate, Tag: k.Tag()}
		if sub == "invite" {
			info.InviteCode = k.InviteCode()
		}
	} else if sub == "invite" {
		return fmt.Errorf("this is an open LAN workspace: there is no key to invite to (hallway workspace create makes one)")
	}
	return printWorkspace(ctx, env, dir, sub, info, false, p)
}

func workspaceCreate(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	if len(args) > 0 {
		return fmt.Errorf("usage: hallway workspace create [--force]")
	}
	k, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		return err
	}
	if err := core.WriteWorkspaceKey(dir, k, p.bools["force"]); err != nil {
		return err
	}
	info := workspaceInfo{Workspace: core.WorkspacePrivate, Tag: k.Tag(), InviteCode: k.InviteCode()}
	return printWorkspace(ctx, env, dir, "create", info, true, p)
}

func workspaceJoin(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	if len(args) < 1 {
		return fmt.Errorf("usage: hallway workspace join CODE")
	}
	k, err := hcrypto.ParseInviteCode(strings.Join(args, ""))
	if err != nil {
		return fmt.Errorf("that invite code does not work: %v", err)
	}
	if err := core.WriteWorkspaceKey(dir, k, p.bools["force"]); err != nil {
		return err
	}
	info := workspaceInfo{Workspace: core.WorkspacePrivate, Tag: k.Tag()}
	return printWorkspace(ctx, env, dir, "join", info, true, p)
}

// printWorkspace reports the workspace after sub; changed says the key
// was just written, which a running node only picks up on restart.
func printWorkspace(ctx context.Context, env *Env, dir, sub string, info workspaceInfo, changed bool, p parsed) error {
	if changed {
		// A running node keeps its current key until it restarts.
		if me, err := control.NewClient(dir).Self(ctx); err == nil && me.WorkspaceTag != info.Tag {
			info.RestartRequired = true
		}
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, info)
	}
	switch {
	case info.Workspace == core.WorkspaceOpen:
		fmt.Fprintln(env.Stdout, "Open LAN workspace: anyone on this network can connect. `hallway workspace create` makes it private.")
	case sub == "create":
		fmt.Fprintf(env.Stdout, "Created private workspace %s. Colleagues join with:\n  hallway workspace join %s\n", info.Tag, info.InviteCode)
	case sub == "join":
		fmt.Fprintf(env.Stdout, "Joined private workspace %s.\n", info.Tag)
	case sub == "invite":
		fmt.Fprintln(env.Stdout, info.InviteCode)
	default:
		fmt.Fprintf(env.Stdout, "Private workspace %s: only colleagues with the key can connect. `hallway workspace invite` prints the invite code.\n", info.Tag)
	}
	if info.RestartRequired {
		fmt.Fprintln(env.Stdout, "Hallway is running for this data folder: restart it to switch to the new workspace.")
	}
	return nil
}
