package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"hallway/chat"
	"hallway/control"
	"hallway/core"
	hcrypto "hallway/crypto"
	"hallway/node"
)

var workspaceFlags = map[string]flagKind{"force": boolFlag, "name": stringFlag, "expires": stringFlag, "uses": stringFlag,
	"rotate-key": boolFlag}

type workspaceInfo struct {
	Workspace       string `json:"workspace"`
	Tag             string `json:"workspace_tag"`
	InviteCode      string `json:"invite_code,omitempty"`
	RestartRequired bool   `json:"restart_required"`
	// Pass: joined with a pass code, which a member's Hallway lets in.
	Pass bool `json:"pass,omitempty"`
}

// workspaceVerbs are the sub-commands of `hallway workspace`; their help
// makes up its line of `hallway help`.
var workspaceVerbs = subVerbs{list: []subVerb{
	{"show", "show", nil, func(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
		return workspaceShow(ctx, env, dir, "show", args, p)
	}},
	{"create", "create [--force]", nil, workspaceCreate},
	{"join", "join CODE", nil, workspaceJoin},
	{"leave", "leave", nil, workspaceLeave},
	{"invite", "invite", nil, func(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
		return workspaceShow(ctx, env, dir, "invite", args, p)
	}},
	{"nearby", "nearby", nil, workspaceNearby},
	{"members", "members", exactly(0), adminList},
	{"admit", "admit PEER [--name N] [--expires 90d]", exactly(1), workspaceAdmit},
	{"revoke", "revoke PEER [--rotate-key]", exactly(1), workspaceRevoke},
	{"pass", "pass [--uses N] [--expires 7d]", exactly(0), workspacePass},
	{"passes", "passes", exactly(0), workspacePasses},
	{"close-pass", "close-pass ID", exactly(1), workspaceClosePass},
	{"rotate-key", "rotate-key", exactly(0), workspaceRotateKey},
	{"network-key", "network-key", exactly(0), workspaceNetworkKey},
}, misuse: "usage: hallway workspace [show|create|join CODE|leave|invite|nearby|members|admit PEER|revoke PEER|pass|passes|close-pass ID|rotate-key|network-key]"}

// workspaceAdmit admits a colleague by their key (admins only), for a
// while with --expires (days like 90d, or a duration like 12h).
func workspaceAdmit(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	var expires time.Duration
	if s, ok := p.strs["expires"]; ok {
		var err error
		if expires, err = parseExpire(s); err != nil {
			return fmt.Errorf("--expires: %v", err)
		}
	}
	if err := control.NewClient(dir).AdmitMember(ctx, args[0], p.strs["name"], expires); err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, map[string]string{"admitted": args[0]})
	}
	fmt.Fprintf(env.Stdout, "Admitted %s: its Hallway joins the workspace when it next connects.\n"+
		"(This matters while the policy admits members by admins: hallway policy set members.admission admins.)\n", safeLine(args[0]))
	return nil
}

// workspaceRevoke takes a member out of the workspace (admins only);
// --rotate-key then moves the workspace to a new network key too.
func workspaceRevoke(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	c := control.NewClient(dir)
	if err := c.RevokeMember(ctx, args[0]); err != nil {
		return err
	}
	var rotated *chat.NetworkKeyState
	if p.bools["rotate-key"] {
		st, err := c.RotateNetworkKey(ctx)
		if err != nil {
			return fmt.Errorf("revoked %s, but the network key was not rotated: %w", args[0], err)
		}
		rotated = &st
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, revokeResult{Revoked: args[0], NetworkKey: rotated})
	}
	fmt.Fprintf(env.Stdout, "Revoked %s: every member's Hallway refuses its connections as the revocation reaches it.\n", safeLine(args[0]))
	if rotated != nil {
		fmt.Fprintf(env.Stdout, "The workspace moves to network key %s: it cannot even start a handshake with a member any more,\n"+
			"and members away now are handed the key when they come back, for %d days. Make new invite codes and passes.\n",
			safeLine(rotated.Tag), core.NetworkGraceDays)
		return nil
	}
	fmt.Fprintf(env.Stdout, "It keeps the workspace key: while the policy admits members by admins (members.admission admins), a new\n"+
		"identity made with it is refused too; otherwise make a new workspace to shut it out (docs/GOVERNANCE.md).\n"+
		"hallway workspace rotate-key also moves the network key, so that it cannot even start a handshake.\n")
	return nil
}

// revokeResult is what `workspace revoke --json` prints.
type revokeResult struct {
	Revoked    string                `json:"revoked"`
	NetworkKey *chat.NetworkKeyState `json:"network_key,omitempty"`
}

// workspaceRotateKey moves the workspace to a new network key (admins
// only).
func workspaceRotateKey(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	st, err := control.NewClient(dir).RotateNetworkKey(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, st)
	}
	fmt.Fprintf(env.Stdout, "The workspace moves to network key %s: every member's Hallway restarts on it as the rotation reaches it,\n"+
		"and members away now are handed it when they come back, for %d days. Invite codes and passes made before it\n"+
		"no longer let anyone in: make new ones (hallway workspace invite, hallway workspace pass).\n",
		safeLine(st.Tag), core.NetworkGraceDays)
	return nil
}

// workspaceNetworkKey says which network key the node runs on.
func workspaceNetworkKey(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	st, err := control.NewClient(dir).NetworkKeyState(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, st)
	}
	switch {
	case st.Tag == "":
		fmt.Fprintln(env.Stdout, "The open LAN workspace has no network key.")
	case !st.Rotated:
		fmt.Fprintf(env.Stdout, "Network key %s: the workspace key (never rotated).\n", safeLine(st.Tag))
	default:
		fmt.Fprintf(env.Stdout, "Network key %s, rotated (from #general's key %d).\n", safeLine(st.Tag), st.Epoch)
	}
	for _, t := range st.GraceUntil {
		fmt.Fprintf(env.Stdout, "Members still on an older key are handed it until %s.\n", t.Local().Format("2006-01-02 15:04"))
	}
	return nil
}

// workspaceUsage is the verb's line of `hallway help`.
func workspaceUsage() string {
	var subs []string
	for _, v := range workspaceVerbs.list {
		subs = append(subs, v.help)
	}
	return "workspace [" + strings.Join(subs, "|") + "] [--json]   (switches a running Hallway live; CODE - reads stdin)"
}

func runWorkspace(ctx context.Context, env *Env, dir string, p parsed) error {
	sub, args := "show", []string(nil)
	if len(p.pos) > 0 {
		sub, args = p.pos[0], p.pos[1:]
	}
	return workspaceVerbs.dispatch(ctx, env, dir, sub, args, p)
}

// withLiveAddrs appends where the data folder's running Hallway listens
// to code; without one, code goes as it is (mDNS still finds us on our
// own subnet).
func withLiveAddrs(ctx context.Context, dir, code string) string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	me, err := control.NewClient(dir).Self(ctx)
	if err != nil {
		return code
	}
	return hcrypto.AppendCodeAddrs(code, core.ParseCodeAddrs(me.Addrs))
}

// workspaceShow describes the data folder's workspace, or prints its
// invite code.
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
			if info.InviteCode, _, err = node.Invite(dir); err != nil {
				return err
			}
			info.InviteCode = withLiveAddrs(ctx, dir, info.InviteCode)
		}
	} else if sub == "invite" {
		return fmt.Errorf("this is an open LAN workspace: there is no key to invite to (hallway workspace create makes one)")
	}
	return printWorkspace(env, sub, info, false, p)
}

func workspaceCreate(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	if len(args) > 0 {
		return fmt.Errorf("usage: hallway workspace create [--force]")
	}
	return changeWorkspace(ctx, env, dir, "create", control.WorkspaceRequest{Action: control.WorkspaceCreate, Force: p.bools["force"]}, p)
}

func workspaceJoin(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	if len(args) < 1 {
		return fmt.Errorf("usage: hallway workspace join CODE   (CODE - reads stdin)")
	}
	code := strings.Join(args, "")
	if code == "-" {
		b, err := io.ReadAll(io.LimitReader(env.Stdin, 4<<10))
		if err != nil {
			return fmt.Errorf("read the invite code from stdin: %w", err)
		}
		code = string(b)
	}
	return changeWorkspace(ctx, env, dir, "join", control.WorkspaceRequest{Action: control.WorkspaceJoin, Code: code, Force: p.bools["force"]}, p)
}

func workspaceLeave(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	if len(args) > 0 {
		return fmt.Errorf("usage: hallway workspace leave")
	}
	return changeWorkspace(ctx, env, dir, "leave", control.WorkspaceRequest{Action: control.WorkspaceLeave}, p)
}

// changeWorkspace switches the workspace, live when a Hallway runs.
func changeWorkspace(ctx context.Context, env *Env, dir, sub string, req control.WorkspaceRequest, p parsed) error {
	st, live, err := switchWorkspace(ctx, dir, req)
	if err != nil {
		return err
	}
	info := workspaceInfo{Workspace: st.Workspace, Tag: st.Tag, InviteCode: st.InviteCode, Pass: sub == "join" && hcrypto.IsPassCode(req.Code)}
	return printWorkspace(env, sub, info, live, p)
}

// printWorkspace reports the workspace after sub; live says a running
// Hallway switched to it.
func printWorkspace(env *Env, sub string, info workspaceInfo, live bool, p parsed) error {
	if p.bools["json"] {
		return printJSON(env.Stdout, info)
	}
	switch {
	case info.Workspace == core.WorkspaceOpen:
		fmt.Fprintln(env.Stdout, "Open LAN workspace: anyone on this network can connect, and #general is visible to every network this computer joins.\n"+
			"`hallway workspace nearby` lists the private workspaces here; `hallway workspace join -` joins one with a colleague's code, `hallway workspace create` makes one.")
	case sub == "create":
		fmt.Fprintf(env.Stdout, "Created private workspace %s. Colleagues join with:\n  hallway workspace join %s\n", info.Tag, info.InviteCode)
	case sub == "join" && info.Pass:
		fmt.Fprintf(env.Stdout, "Joined private workspace %s with a pass: the first member Hallway reaches lets it in,\n"+
			"even while no admin is online.\n", info.Tag)
	case sub == "join":
		fmt.Fprintf(env.Stdout, "Joined private workspace %s.\n"+
			"If no colleague appears, its admins may admit members themselves: give one of them your peer ID\n"+
			"(hallway id), for hallway workspace admit.\n", info.Tag)
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
	ch, err := node.Request(dir, req)
	if err != nil {
		return st, false, err
	}
	if err := ch.Apply(dir); err != nil {
		return st, false, err
	}
	return ch.State(req.Action == control.WorkspaceCreate), false, nil
}

// workspacePass opens a pass (admins only) and prints its code, which
// lets --uses newcomers in (1 unless set) until --expires (7 days unless
// set), at any member's Hallway, while no admin is online.
func workspacePass(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	uses := 0
	if s, ok := p.strs["uses"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("--uses: %q is not a number of colleagues from 1", s)
		}
		uses = n
	}
	var expires time.Duration
	if s, ok := p.strs["expires"]; ok {
		var err error
		if expires, err = parseExpire(s); err != nil {
			return fmt.Errorf("--expires: %v", err)
		}
	}
	pass, err := control.NewClient(dir).OpenPass(ctx, uses, expires)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, pass)
	}
	fmt.Fprintf(env.Stdout, "Pass %s lets %d colleague(s) in until %s, at any member's Hallway, while no admin is online.\n"+
		"They join with (this code is shown once; it holds the workspace key):\n  hallway workspace join %s\n",
		pass.ID, pass.Uses, pass.ExpiresAt.Local().Format("2006-01-02 15:04"), pass.Code)
	return nil
}

// workspacePasses lists the workspace's passes.
func workspacePasses(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	list, err := control.NewClient(dir).WorkspacePasses(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "No passes: an admin opens one with hallway workspace pass.")
	}
	for _, x := range list {
		state := "open"
		switch {
		case x.Closed:
			state = "closed"
		case x.Used >= x.Uses:
			state = "used up"
		case !x.Open:
			state = "no longer valid"
		}
		fmt.Fprintf(env.Stdout, "%s  %-15s %d of %d used  until %s  by %s\n", x.ID, state, x.Used, x.Uses,
			x.ExpiresAt.Local().Format("2006-01-02 15:04"), safeLine(x.By.Name))
	}
	return nil
}

// workspaceClosePass closes a pass (admins only).
func workspaceClosePass(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	if err := control.NewClient(dir).ClosePass(ctx, args[0]); err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, map[string]string{"closed": args[0]})
	}
	fmt.Fprintf(env.Stdout, "Closed pass %s: nobody enters by it from now on.\n", safeLine(args[0]))
	return nil
}
