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
	return serve(ctx, l, &switchingHandler{n: n, switching: routes(Backends{Workspace: n})}, log)
}

// switchingHandler routes each request to the routes of the current
// service, built once per service.
type switchingHandler struct {
	n         Switcher
	switching http.Handler // serves epWorkspace, with or without a service

	mu      sync.Mutex // guards backend and routes
	backend Backend
	routes  http.Handler
}

func (h *switchingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == epWorkspace.Method && r.URL.Path == epWorkspace.Path {
		h.switching.ServeHTTP(w, r)
		return
	}
	b := h.n.Current()
	if b == nil {
		fail(w, http.StatusServiceUnavailable, errSwitching)
		return
	}
	h.mu.Lock()
	if h.backend != b {
		h.backend, h.routes = b, routes(BackendsOf(b))
	}
	rt := h.routes
	h.mu.Unlock()
	rt.ServeHTTP(w, r)
}

var epWorkspace = define(&Endpoint[WorkspaceRequest, WorkspaceState]{Name: "workspace", Method: "POST", Path: "/v1/workspace", in: inJSON, needs: resWorkspace,
	serve: func(ctx context.Context, b Backends, r WorkspaceRequest) (WorkspaceState, error) {
		return b.Workspace.SwitchWorkspace(ctx, r)
	}})

// SwitchWorkspace switches the running node's workspace live and returns
// the workspace it runs in now.
func (c *Client) SwitchWorkspace(ctx context.Context, req WorkspaceRequest) (WorkspaceState, error) {
	return call(ctx, c, epWorkspace, req)
}
