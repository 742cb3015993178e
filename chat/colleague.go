package chat

import (
	"time"
)

// Colleague is another Hallway user as this node knows them. Names are what
// people call themselves and are never unique; PeerID and Fingerprint are
// who they are.
type Colleague struct {
	PeerID      string    `json:"peer_id"`
	Name        string    `json:"name"`
	Fingerprint string    `json:"fingerprint"`
	Online      bool      `json:"online"`
	Status      string    `json:"status"` // available, away, busy, or offline
	StatusText  string    `json:"status_text"`
	LastSeen    time.Time `json:"last_seen,omitzero"`
	Addrs       []string  `json:"addrs,omitempty"`
	// NameShared: another colleague uses the same name; tell them apart
	// by fingerprint.
	NameShared bool `json:"name_shared"`
	// Problem says why an offline colleague cannot be reached, when known
	// (for example: a different workspace).
	Problem string `json:"problem,omitempty"`
	// Via is how an online colleague is connected: "direct", or "relay"
	// through another colleague where no direct path works.
	Via string `json:"via,omitempty"`
	// Relay is the colleague relaying, when Via is "relay".
	Relay string `json:"relay,omitempty"`
	// Blocked: the user blocked this colleague; they are never connected
	// and nothing they send is kept.
	Blocked bool `json:"blocked,omitempty"`
}

// Self is this node as the user and colleagues see it.
type Self struct {
	PeerID       string   `json:"peer_id"`
	Name         string   `json:"name"`
	Fingerprint  string   `json:"fingerprint"`
	Addrs        []string `json:"addrs"`
	Status       string   `json:"status"`
	StatusText   string   `json:"status_text"`
	Workspace    string   `json:"workspace"` // WorkspaceOpen or WorkspacePrivate
	WorkspaceTag string   `json:"workspace_tag"`
	DataDir      string   `json:"data_dir"`
	// OtherWorkspaces counts Hallways seen on the LAN that use another
	// workspace key: they exist, but cannot be reached or read.
	OtherWorkspaces int `json:"other_workspaces"`
}

// NearbyWorkspace is another workspace whose Hallways announce themselves
// on this network. All that is known of it is its public tag and how many
// colleagues announce it: nobody in a private workspace can be reached or
// read without its invite code.
type NearbyWorkspace struct {
	Tag        string `json:"workspace_tag"`
	Colleagues int    `json:"colleagues"`
	// Open: these Hallways are in the open LAN workspace, not a private one.
	Open bool `json:"open"`
}

// Workspaces a node can be in (Self.Workspace).
const (
	// WorkspaceOpen: every Hallway on the LAN without a workspace key.
	WorkspaceOpen = "open"
	// WorkspacePrivate: only the Hallways that share this node's key.
	WorkspacePrivate = "private"
)

// AddPeerResult says what happened when a colleague was added by address.
type AddPeerResult struct {
	PeerID string `json:"peer_id"`
	// Name and Fingerprint say who answered at a host added by name or
	// IP (not saved until the user confirms it is them).
	Name        string `json:"name,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Addr        string `json:"addr"`
	Saved       bool   `json:"saved"`
	Connected   bool   `json:"connected"`
	// Problem explains why the colleague is not connected now, e.g. that
	// they are in a different workspace.
	Problem string `json:"problem,omitempty"`
}
