package node

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"hallway/chat"
	"hallway/control"
	"hallway/core"
	"hallway/core/rooms"
	hcrypto "hallway/crypto"
)

// A Change is a new workspace for a data folder: the private workspace of
// Key, or the open LAN workspace when Key is nil. It is the one place that
// writes workspace key files.
type Change struct {
	Key *hcrypto.WorkspaceKey
	// Room is the workspace room of admins and policy (core/rooms), as
	// the invite code named it or as a new workspace made it; zero for a
	// workspace from before admins.
	Room rooms.WorkspaceRoom
	// Force replaces a different private workspace key: colleagues on it
	// would no longer be reachable.
	Force bool
	// Pass is the pass a pass code carries, kept until our log of the
	// workspace room counts us in (core/pass.go); nil for an invite code.
	Pass *hcrypto.PassCode
	// Network is the network key an admin rotated to, as a code made
	// since carries it; nil: the code's workspace key (or a newer network
	// key the folder holds already).
	Network *hcrypto.NetworkKey
	// Addrs are where the code's maker listened (crypto.AppendCodeAddrs):
	// the service saves whoever of the workspace answers there
	// (core/codeaddrs.go).
	Addrs []netip.AddrPort
}

// NewWorkspace is the change to a new private workspace with a fresh key,
// made by the identity of the data folder dir (made now if it has none):
// its first admin.
func NewWorkspace(dir string, force bool) (Change, error) {
	k, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		return Change{}, fmt.Errorf("new workspace key: %w", err)
	}
	wr, err := core.NewWorkspaceRoom(dir)
	if err != nil {
		return Change{}, err
	}
	return Change{Key: &k, Room: wr, Force: force}, nil
}

// JoinWorkspace is the change to the private workspace of an invite code
// as a person typed or pasted it (spaces and line breaks do not matter).
func JoinWorkspace(code string, force bool) (Change, error) {
	code = strings.Join(strings.Fields(code), "")
	what := "invite code"
	if hcrypto.IsPassCode(code) {
		what = "pass code"
	}
	code, addrs, err := hcrypto.SplitCodeAddrs(code)
	if err != nil {
		return Change{}, fmt.Errorf("that %s does not work: %v", what, err)
	}
	if hcrypto.IsPassCode(code) {
		pc, err := hcrypto.ParsePassCode(code)
		if err != nil {
			return Change{}, fmt.Errorf("that pass code does not work: %v", err)
		}
		return Change{Key: &pc.Key, Room: rooms.WorkspaceRoom{ID: pc.Room}, Force: force, Pass: &pc, Network: pc.Network, Addrs: addrs}, nil
	}
	v, err := hcrypto.ParseInvite(code)
	if err != nil {
		return Change{}, fmt.Errorf("that invite code does not work: %v", err)
	}
	return Change{Key: &v.Key, Room: rooms.WorkspaceRoom{ID: v.Room}, Force: force, Network: v.Network, Addrs: addrs}, nil
}

// LeaveWorkspace is the change to the open LAN workspace.
func LeaveWorkspace() Change { return Change{} }

// Check reports whether the change may apply to dir: replacing a
// different private key needs Force.
func (c Change) Check(dir string) error {
	if c.Key == nil || c.Force {
		return nil
	}
	return core.CheckWorkspaceKey(dir, *c.Key)
}

// Apply writes the change to the data folder dir. A node running on dir
// keeps its workspace until it restarts: Supervisor.Switch applies a
// change between two services, the command line applies it directly when
// no Hallway runs.
func (c Change) Apply(dir string) error {
	if err := c.apply(dir); err != nil {
		return err
	}
	if c.Pass != nil {
		return core.WritePass(dir, *c.Pass)
	}
	return core.RemovePass(dir) // a pass belongs to the join it came with
}

func (c Change) apply(dir string) error {
	if err := core.WriteCodeAddrs(dir, c.Addrs, time.Now()); err != nil {
		return err
	}
	if c.Key == nil {
		return core.RemoveWorkspaceKey(dir)
	}
	old, had, _ := core.ReadWorkspaceKey(dir)
	if err := core.WriteWorkspaceKey(dir, *c.Key, c.Force); err != nil {
		return err
	}
	if !had || old != *c.Key {
		if err := core.WriteNetworkKey(dir, nil); err != nil {
			return err // another workspace's rotation
		}
	}
	if c.Network != nil {
		if err := core.WriteNetworkKey(dir, c.Network); err != nil {
			return err
		}
	}
	if c.Room.ID == "" && had && old == *c.Key {
		return nil // an old code of the same workspace: keep what we know
	}
	return core.WriteWorkspaceRoom(dir, c.Room)
}

// State is the workspace the change leads to; it carries the invite code
// when withCode.
func (c Change) State(withCode bool) control.WorkspaceState {
	if c.Key == nil {
		return control.WorkspaceState{Workspace: core.WorkspaceOpen, Tag: hcrypto.OpenWorkspaceTag}
	}
	st := control.WorkspaceState{Workspace: core.WorkspacePrivate, Tag: c.Key.Tag()}
	if withCode {
		st.InviteCode = c.InviteCode()
	}
	return st
}

// InviteCode is the code colleagues join the change's workspace with.
func (c Change) InviteCode() string {
	code, err := hcrypto.Invite{Key: *c.Key, Room: c.Room.ID, Network: c.Network}.Code()
	if err != nil {
		return c.Key.InviteCode()
	}
	return code
}

// Invite returns the invite code of the data folder's private workspace,
// or private=false in the open LAN workspace.
func Invite(dir string) (code string, private bool, err error) {
	k, ok, err := core.ReadWorkspaceKey(dir)
	if err != nil || !ok {
		return "", false, err
	}
	wr, _, err := core.ReadWorkspaceRoom(dir)
	if err != nil {
		return "", true, err
	}
	net, err := core.ReadNetworkKey(dir)
	if err != nil {
		return "", true, err
	}
	code, err = hcrypto.Invite{Key: k, Room: wr.ID, Network: net}.Code()
	return code, true, err
}

// Switch closes the running service, applies change and opens a new
// service, returning once it runs. A change that may not apply (a
// different key without Force) is refused before anything stops.
func (s *Supervisor) Switch(ctx context.Context, change Change) error {
	if err := change.Check(s.cfg.DataDir); err != nil {
		return err
	}
	if svc := s.Current(); change.Key == nil && svc != nil && svc.WorkspacePolicy().OpenLANForbidden {
		return chat.UserErrorf("the workspace policy forbids the open LAN workspace on this computer (hallway policy show)")
	}
	return s.restart(ctx, &change)
}

// Create switches to a new private workspace and returns its invite code.
func (s *Supervisor) Create(ctx context.Context, force bool) (string, error) {
	ch, err := NewWorkspace(s.cfg.DataDir, force)
	if err != nil {
		return "", err
	}
	if err := s.Switch(ctx, ch); err != nil {
		return "", err
	}
	return s.withAddrs(ch.InviteCode()), nil
}

// Join switches to the private workspace of an invite code.
func (s *Supervisor) Join(ctx context.Context, code string, force bool) error {
	ch, err := JoinWorkspace(code, force)
	if err != nil {
		return err
	}
	return s.Switch(ctx, ch)
}

// Leave switches to the open LAN workspace.
func (s *Supervisor) Leave(ctx context.Context) error { return s.Switch(ctx, LeaveWorkspace()) }

// Invite returns the invite code of the node's private workspace, with
// where the node listens now, or private=false in the open LAN workspace.
func (s *Supervisor) Invite() (code string, private bool, err error) {
	code, private, err = Invite(s.cfg.DataDir)
	if err != nil || !private {
		return code, private, err
	}
	return s.withAddrs(code), true, nil
}

// withAddrs appends where the running service listens to code.
func (s *Supervisor) withAddrs(code string) string {
	if svc := s.Current(); svc != nil {
		return hcrypto.AppendCodeAddrs(code, svc.CodeAddrs())
	}
	return code
}

// Request turns a control API workspace request into a change.
func Request(dir string, req control.WorkspaceRequest) (Change, error) {
	switch req.Action {
	case control.WorkspaceCreate:
		return NewWorkspace(dir, req.Force)
	case control.WorkspaceJoin:
		return JoinWorkspace(req.Code, req.Force)
	case control.WorkspaceLeave:
		return LeaveWorkspace(), nil
	}
	return Change{}, fmt.Errorf("unknown workspace action %q (create, join or leave)", req.Action)
}

// switcher is the supervisor as the control API sees it.
type switcher Supervisor

var _ control.Switcher = (*switcher)(nil)

func (w *switcher) Current() control.Backend {
	if svc := (*Supervisor)(w).Current(); svc != nil {
		return svc
	}
	return nil // an untyped nil: no service right now
}

func (w *switcher) SwitchWorkspace(ctx context.Context, req control.WorkspaceRequest) (control.WorkspaceState, error) {
	ch, err := Request((*Supervisor)(w).cfg.DataDir, req)
	if err != nil {
		return control.WorkspaceState{}, err
	}
	if err := (*Supervisor)(w).Switch(ctx, ch); err != nil {
		return control.WorkspaceState{}, err
	}
	st := ch.State(req.Action == control.WorkspaceCreate)
	if st.InviteCode != "" {
		st.InviteCode = (*Supervisor)(w).withAddrs(st.InviteCode)
	}
	return st, nil
}
