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

func runWorkspace(ctx context.Context, env *Env, dir string, p parsed) error {
	sub := "show"
	if len(p.pos) > 0 {
		sub = p.pos[0]
	}
	info := workspaceInfo{Workspace: core.WorkspaceOpen, Tag: hcrypto.OpenWorkspaceTag}
	changed := false
	switch sub {
	case "show", "invite":
		if len(p.pos) > 1 {
			return fmt.Errorf("usage: hallway workspace %s", sub)
		}
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
	case "create":
		if len(p.pos) > 1 {
			return fmt.Errorf("usage: hallway workspace create [--force]")
		}
		k, err := hcrypto.NewWorkspaceKey()
		if err != nil {
			return err
		}
		if err := core.WriteWorkspaceKey(dir, k, p.bools["force"]); err != nil {
			return err
		}
		info, changed = workspaceInfo{Workspace: core.WorkspacePrivate, Tag: k.Tag(), InviteCode: k.InviteCode()}, true
	case "join":
		if len(p.pos) < 2 {
			return fmt.Errorf("usage: hallway workspace join CODE")
		}
		k, err := hcrypto.ParseInviteCode(strings.Join(p.pos[1:], ""))
		if err != nil {
			return fmt.Errorf("that invite code does not work: %v", err)
		}
		if err := core.WriteWorkspaceKey(dir, k, p.bools["force"]); err != nil {
			return err
		}
		info, changed = workspaceInfo{Workspace: core.WorkspacePrivate, Tag: k.Tag()}, true
	default:
		return fmt.Errorf("usage: hallway workspace [show|create|join CODE|invite]")
	}
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
