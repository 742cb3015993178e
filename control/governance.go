package control

import (
	"context"
	"time"

	"hallway/chat"
)

// Governance is the workspace's admins and its signed policy.
type Governance interface {
	WorkspaceMembers(ctx context.Context) ([]chat.RoomMember, error)
	SetWorkspaceAdmin(ctx context.Context, peer string, admin bool) error
	Policy(ctx context.Context) (chat.Policy, error)
	SetPolicy(ctx context.Context, key, value string) (chat.Policy, error)
	PolicyHistory(ctx context.Context) ([]chat.Policy, error)
	RevokeMember(ctx context.Context, peer string) error
	AdmitMember(ctx context.Context, peer, name string, expires time.Duration) error
	AcknowledgeNotice(ctx context.Context) (chat.Policy, error)
	OpenPass(ctx context.Context, uses int, expires time.Duration) (chat.WorkspacePass, error)
	WorkspacePasses(ctx context.Context) ([]chat.WorkspacePass, error)
	ClosePass(ctx context.Context, id string) error
	RotateNetworkKey(ctx context.Context) (chat.NetworkKeyState, error)
	NetworkKeyState() chat.NetworkKeyState
}

type adminRequest struct {
	Peer  string `json:"peer"`
	Admin bool   `json:"admin"`
}

type admitRequest struct {
	Peer string `json:"peer"`
	Name string `json:"name,omitempty"`
	// ExpiresSeconds: how long the membership lasts; 0 until revoked.
	ExpiresSeconds int64 `json:"expires_seconds,omitempty"`
}

type policyRequest struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

var epWorkspaceMembers = define(&Endpoint[none, []chat.RoomMember]{Name: "workspace_members", Method: "GET", Path: "/v1/workspace/members", needs: resGovernance,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.RoomMember, error) {
		list, err := b.Governance.WorkspaceMembers(ctx)
		if list == nil {
			list = []chat.RoomMember{}
		}
		return list, err
	}})

var epSetAdmin = define(&Endpoint[adminRequest, none]{Name: "workspace_admin", Method: "POST", Path: "/v1/workspace/admins", in: inJSON, needs: resGovernance,
	serve: func(ctx context.Context, b Backends, r adminRequest) (none, error) {
		return none{}, b.Governance.SetWorkspaceAdmin(ctx, r.Peer, r.Admin)
	}})

var epRevoke = define(&Endpoint[adminRequest, none]{Name: "workspace_revoke", Method: "POST", Path: "/v1/workspace/revoke", in: inJSON, needs: resGovernance,
	serve: func(ctx context.Context, b Backends, r adminRequest) (none, error) {
		return none{}, b.Governance.RevokeMember(ctx, r.Peer)
	}})

var epAdmit = define(&Endpoint[admitRequest, none]{Name: "workspace_admit", Method: "POST", Path: "/v1/workspace/admit", in: inJSON, needs: resGovernance,
	serve: func(ctx context.Context, b Backends, r admitRequest) (none, error) {
		if r.ExpiresSeconds < 0 || r.ExpiresSeconds > maxMembershipSeconds {
			return none{}, chat.UserErrorf("a membership lasts at most %d days", maxMembershipSeconds/86400)
		}
		return none{}, b.Governance.AdmitMember(ctx, r.Peer, r.Name, time.Duration(r.ExpiresSeconds)*time.Second)
	}})

// maxMembershipSeconds bounds a membership statement's lifetime (ten
// years); longer is "until revoked".
const maxMembershipSeconds = 10 * 366 * 86400

var epRotateNetworkKey = define(&Endpoint[none, chat.NetworkKeyState]{Name: "workspace_network_key_rotate", Method: "POST", Path: "/v1/workspace/network-key/rotate", needs: resGovernance,
	serve: func(ctx context.Context, b Backends, _ none) (chat.NetworkKeyState, error) {
		return b.Governance.RotateNetworkKey(ctx)
	}})

var epNetworkKey = define(&Endpoint[none, chat.NetworkKeyState]{Name: "workspace_network_key", Method: "GET", Path: "/v1/workspace/network-key", needs: resGovernance,
	serve: func(_ context.Context, b Backends, _ none) (chat.NetworkKeyState, error) {
		return b.Governance.NetworkKeyState(), nil
	}})

var epPolicy = define(&Endpoint[none, chat.Policy]{Name: "policy", Method: "GET", Path: "/v1/policy", needs: resGovernance,
	serve: func(ctx context.Context, b Backends, _ none) (chat.Policy, error) {
		return b.Governance.Policy(ctx)
	}})

var epSetPolicy = define(&Endpoint[policyRequest, chat.Policy]{Name: "policy_set", Method: "POST", Path: "/v1/policy", in: inJSON, needs: resGovernance,
	serve: func(ctx context.Context, b Backends, r policyRequest) (chat.Policy, error) {
		return b.Governance.SetPolicy(ctx, r.Key, r.Value)
	}})

var epAcknowledge = define(&Endpoint[none, chat.Policy]{Name: "policy_acknowledge", Method: "POST", Path: "/v1/policy/acknowledge", needs: resGovernance,
	serve: func(ctx context.Context, b Backends, _ none) (chat.Policy, error) {
		return b.Governance.AcknowledgeNotice(ctx)
	}})

var epPolicyHistory = define(&Endpoint[none, []chat.Policy]{Name: "policy_history", Method: "GET", Path: "/v1/policy/history", needs: resGovernance,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.Policy, error) {
		list, err := b.Governance.PolicyHistory(ctx)
		if list == nil {
			list = []chat.Policy{}
		}
		return list, err
	}})

// WorkspaceMembers lists the workspace's members and admins.
func (c *Client) WorkspaceMembers(ctx context.Context) ([]chat.RoomMember, error) {
	return call(ctx, c, epWorkspaceMembers, none{})
}

// SetWorkspaceAdmin names a member an admin, or takes it back.
func (c *Client) SetWorkspaceAdmin(ctx context.Context, peer string, admin bool) error {
	_, err := call(ctx, c, epSetAdmin, adminRequest{Peer: peer, Admin: admin})
	return err
}

// Policy is the workspace policy in force.
func (c *Client) Policy(ctx context.Context) (chat.Policy, error) {
	return call(ctx, c, epPolicy, none{})
}

// SetPolicy sets one policy setting as a new version (admins only).
func (c *Client) SetPolicy(ctx context.Context, key, value string) (chat.Policy, error) {
	return call(ctx, c, epSetPolicy, policyRequest{Key: key, Value: value})
}

// PolicyHistory lists every policy version, oldest first.
func (c *Client) PolicyHistory(ctx context.Context) ([]chat.Policy, error) {
	return call(ctx, c, epPolicyHistory, none{})
}

// RevokeMember takes a member out of the workspace (admins only).
func (c *Client) RevokeMember(ctx context.Context, peer string) error {
	_, err := call(ctx, c, epRevoke, adminRequest{Peer: peer})
	return err
}

// AdmitMember admits a colleague by their key (admins only), under name,
// for expires (0: until revoked).
func (c *Client) AdmitMember(ctx context.Context, peer, name string, expires time.Duration) error {
	_, err := call(ctx, c, epAdmit, admitRequest{Peer: peer, Name: name, ExpiresSeconds: int64(expires / time.Second)})
	return err
}

// AcknowledgeNotice acknowledges the policy's acceptable-use notice.
func (c *Client) AcknowledgeNotice(ctx context.Context) (chat.Policy, error) {
	return call(ctx, c, epAcknowledge, none{})
}

// RotateNetworkKey moves the workspace to a new network key (admins only);
// the node restarts on it right after answering.
func (c *Client) RotateNetworkKey(ctx context.Context) (chat.NetworkKeyState, error) {
	return call(ctx, c, epRotateNetworkKey, none{})
}

// NetworkKeyState says which network key the node runs on.
func (c *Client) NetworkKeyState(ctx context.Context) (chat.NetworkKeyState, error) {
	return call(ctx, c, epNetworkKey, none{})
}
