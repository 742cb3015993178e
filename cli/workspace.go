package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"hallway/control"
	"hallway/core"
	hcrypto "hallway/crypto"
	"hallway/node"
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
	var req *control.WorkspaceRequest
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
		req = &control.WorkspaceRequest{Action: control.WorkspaceCreate, Force: p.bools["force"]}
	case "join":
		if len(p.pos) < 2 {
			return fmt.Errorf("usage: hallway workspace join CODE   (CODE - reads stdin)")
		}
		code := strings.Join(p.pos[1:], "")
		if code == "-" {
			b, err := io.ReadAll(io.LimitReader(env.Stdin, 4<<10))
			if err != nil {
				return fmt.Errorf("read the invite code from stdin: %w", err)
			}
			code = string(b)
		}
		req = &control.WorkspaceRequest{Action: control.WorkspaceJoin, Code: code, Force: p.bools["force"]}
	case "leave":
		if len(p.pos) > 1 {
			return fmt.Errorf("usage: hallway workspace leave")
		}
		req = &control.WorkspaceRequest{Action: control.WorkspaceLeave}
	default:
		return fmt.Errorf("usage: hallway workspace [show|create|join CODE|leave|invite]")
	}
	live := false
	if req != nil {
		st, switched, err := switchWorkspace(ctx, dir, *req)
		if err != nil {
			return err
		}
		info, live = workspaceInfo{Workspace: st.Workspace, Tag: st.Tag, InviteCode: st.InviteCode}, switched
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
	if live {
		fmt.Fprintln(env.Stdout, "Hallway is running for this data folder: it switched to the new workspace.")
	}
	return nil
}

// switchWorkspace asks the Hallway running for dir to switch live; when
// none runs, it changes the data folder's key, which the next start uses.
func switchWorkspace(ctx context.Context, dir string, req control.WorkspaceRequest) (st control.WorkspaceState, live bool, err error) {
	st, err = control.NewClient(dir).SwitchWorkspace(ctx, req)
	if err == nil {
		return st, true, nil
	}
	if !errors.Is(err, control.ErrNotRunning) {
		return st, false, err
	}
	ch, err := node.Request(req)
	if err != nil {
		return st, false, err
	}
	if err := ch.Apply(dir); err != nil {
		return st, false, err
	}
	return ch.State(req.Action == control.WorkspaceCreate), false, nil
}
