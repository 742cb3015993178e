package cli

import "hallway/core"

// WindowCore is one running node as the window drives it: the service's
// conversations, rooms, files, people, preferences and archive search,
// spoken in the chat vocabulary, and the window node's workspace
// operations. It adds no behaviour of its own; the window never sees the
// service or the supervisor behind it.
type WindowCore struct {
	*core.Service
	node *WindowNode
}

// WorkspaceInvite returns the current private workspace's invite code.
func (c *WindowCore) WorkspaceInvite() (string, bool, error) { return c.node.WorkspaceInvite() }

// CreateWorkspace picks a new private workspace and returns its code.
func (c *WindowCore) CreateWorkspace() (string, error) { return c.node.CreateWorkspace() }

// JoinWorkspace picks the private workspace of an invite code.
func (c *WindowCore) JoinWorkspace(code string) error { return c.node.JoinWorkspace(code) }

// LeaveWorkspace picks the open LAN workspace.
func (c *WindowCore) LeaveWorkspace() error { return c.node.LeaveWorkspace() }

// Restart switches to the picked workspace, or restarts in the same one.
func (c *WindowCore) Restart() { c.node.Restart() }
