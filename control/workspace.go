package control

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
)

// Workspace actions of a WorkspaceRequest.
const (
	WorkspaceCreate = "create"
	WorkspaceJoin   = "join"
	WorkspaceLeave  = "leave"
)

// WorkspaceRequest asks the running node to switch workspace: create a new
// private one, join one by invite code, or leave for the open LAN.
type WorkspaceRequest struct {
	Action string `json:"action"`
	Code   string `json:"code,omitempty"`
	// Force replaces a different private workspace key.
	Force bool `json:"force,omitempty"`
}

// WorkspaceState is the workspace a node runs in after a switch.
type WorkspaceState struct {
	Workspace  string `json:"workspace"`
	Tag        string `json:"workspace_tag"`
	InviteCode string `json:"invite_code,omitempty"`
}

// Switcher is a node whose service is replaced while the control API
// keeps serving: the node supervisor implements it.
type Switcher interface {
	// Current is the service running now, or nil while the node switches.
	Current() Backend
	// SwitchWorkspace closes the service, changes the workspace and
	// returns once the new service runs.
	SwitchWorkspace(ctx context.Context, req WorkspaceRequest) (WorkspaceState, error)
}

// errSwitching is what a request gets in the moment between two services.
const errSwitching = "Hallway is switching workspace; try again in a moment"

// ServeSwitching answers control requests on l for whichever service n
// runs, until ctx ends, then removes the socket file. The socket stays
// open across a switch; requests that arrive while no service runs fail
// with a sentence saying so, and event streams of the old service end.
func ServeSwitching(ctx context.Context, l net.Listener, n Switcher, log *slog.Logger) error {
	return serve(ctx, l, &switchingHandler{n: n}, log)
}

// switchingHandler routes each request to the routes of the current
// service, built once per service.
type switchingHandler struct {
	n Switcher

	mu      sync.Mutex // guards backend and routes
	backend Backend
	routes  http.Handler
}

func (h *switchingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/v1/workspace" {
		var req WorkspaceRequest
		if !readJSON(w, r, &req) {
			return
		}
		to[WorkspaceState](w)(h.n.SwitchWorkspace(r.Context(), req))
		return
	}
	b := h.n.Current()
	if b == nil {
		fail(w, http.StatusServiceUnavailable, errSwitching)
		return
	}
	h.mu.Lock()
	if h.backend != b {
		h.backend, h.routes = b, routes(b)
	}
	rt := h.routes
	h.mu.Unlock()
	rt.ServeHTTP(w, r)
}

// SwitchWorkspace switches the running node's workspace live and returns
// the workspace it runs in now.
func (c *Client) SwitchWorkspace(ctx context.Context, req WorkspaceRequest) (WorkspaceState, error) {
	var v WorkspaceState
	return v, c.do(ctx, "POST", "/v1/workspace", req, &v)
}
