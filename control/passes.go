package control

import (
	"context"
	"time"

	"hallway/chat"
)

// Passes let newcomers into a workspace while no admin is online
// (docs/GOVERNANCE.md); the Governance backend serves them.

type passRequest struct {
	Uses int `json:"uses,omitempty"`
	// ExpiresSeconds: how long the pass lasts; 0 for the default.
	ExpiresSeconds int64  `json:"expires_seconds,omitempty"`
	ID             string `json:"id,omitempty"`
}

// maxPassSeconds bounds a pass's lifetime as asked (the node refuses
// beyond its own limit, with the reason).
const maxPassSeconds = 366 * 86400

var epOpenPass = define(&Endpoint[passRequest, chat.WorkspacePass]{Name: "workspace_pass", Method: "POST", Path: "/v1/workspace/passes", in: inJSON, needs: resGovernance,
	serve: func(ctx context.Context, b Backends, r passRequest) (chat.WorkspacePass, error) {
		if r.ExpiresSeconds < 0 || r.ExpiresSeconds > maxPassSeconds {
			return chat.WorkspacePass{}, chat.UserErrorf("a pass lasts at most %d days", maxPassSeconds/86400)
		}
		return b.Governance.OpenPass(ctx, r.Uses, time.Duration(r.ExpiresSeconds)*time.Second)
	}})

var epPasses = define(&Endpoint[none, []chat.WorkspacePass]{Name: "workspace_passes", Method: "GET", Path: "/v1/workspace/passes", needs: resGovernance,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.WorkspacePass, error) {
		list, err := b.Governance.WorkspacePasses(ctx)
		if list == nil {
			list = []chat.WorkspacePass{}
		}
		return list, err
	}})

var epClosePass = define(&Endpoint[passRequest, none]{Name: "workspace_pass_close", Method: "POST", Path: "/v1/workspace/passes/close", in: inJSON, needs: resGovernance,
	serve: func(ctx context.Context, b Backends, r passRequest) (none, error) {
		return none{}, b.Governance.ClosePass(ctx, r.ID)
	}})

// OpenPass opens a pass for uses newcomers, lasting expires (0: the
// default); admins only. The code is in the answer, and nowhere else.
func (c *Client) OpenPass(ctx context.Context, uses int, expires time.Duration) (chat.WorkspacePass, error) {
	return call(ctx, c, epOpenPass, passRequest{Uses: uses, ExpiresSeconds: int64(expires / time.Second)})
}

// WorkspacePasses lists the workspace's passes, newest first.
func (c *Client) WorkspacePasses(ctx context.Context) ([]chat.WorkspacePass, error) {
	return call(ctx, c, epPasses, none{})
}

// ClosePass closes a pass (admins only).
func (c *Client) ClosePass(ctx context.Context, id string) error {
	_, err := call(ctx, c, epClosePass, passRequest{ID: id})
	return err
}
