package control

import (
	"context"
	"net/http"

	"hallway/core"
)

// TrustBackend is the part of the core that verifies colleagues, labels
// them and keeps preferences. A backend without it serves no such routes.
type TrustBackend interface {
	Trusts(ctx context.Context) (map[string]core.Trust, error)
	TrustOf(ctx context.Context, peer string) (core.Trust, error)
	Verify(ctx context.Context, peer string, verified bool) (core.Trust, error)
	SetLabel(ctx context.Context, peer, label string) (core.Trust, error)
	Prefs(ctx context.Context) (core.Prefs, error)
	SetPrefs(ctx context.Context, p core.Prefs) error
}

var _ TrustBackend = (*core.Service)(nil)

type trustRequest struct {
	Peer     string `json:"peer"`
	Verified *bool  `json:"verified,omitempty"`
	Label    string `json:"label,omitempty"`
}

func trustRoutes(mux *http.ServeMux, b Backend) {
	tb, ok := b.(TrustBackend)
	if !ok {
		return
	}
	mux.HandleFunc("GET /v1/trust", func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Query().Get("peer"); p != "" {
			to[core.Trust](w)(tb.TrustOf(r.Context(), p))
			return
		}
		to[map[string]core.Trust](w)(tb.Trusts(r.Context()))
	})
	mux.HandleFunc("POST /v1/trust/verify", func(w http.ResponseWriter, r *http.Request) {
		var req trustRequest
		if readJSON(w, r, &req) {
			v := req.Verified == nil || *req.Verified
			to[core.Trust](w)(tb.Verify(r.Context(), req.Peer, v))
		}
	})
	mux.HandleFunc("POST /v1/trust/label", func(w http.ResponseWriter, r *http.Request) {
		var req trustRequest
		if readJSON(w, r, &req) {
			to[core.Trust](w)(tb.SetLabel(r.Context(), req.Peer, req.Label))
		}
	})
	mux.HandleFunc("GET /v1/prefs", func(w http.ResponseWriter, r *http.Request) {
		to[core.Prefs](w)(tb.Prefs(r.Context()))
	})
	mux.HandleFunc("POST /v1/prefs", func(w http.ResponseWriter, r *http.Request) {
		var req core.Prefs
		if readJSON(w, r, &req) {
			reply(w, req, tb.SetPrefs(r.Context(), req))
		}
	})
}

// Trusts lists every colleague's trust by peer ID.
func (c *Client) Trusts(ctx context.Context) (map[string]core.Trust, error) {
	var v map[string]core.Trust
	return v, c.do(ctx, "GET", "/v1/trust", nil, &v)
}

// TrustOf describes one colleague's trust and safety number.
func (c *Client) TrustOf(ctx context.Context, peer string) (core.Trust, error) {
	var v core.Trust
	return v, c.do(ctx, "GET", "/v1/trust?peer="+urlQuery(peer), nil, &v)
}

// Verify marks a colleague verified (or takes it back).
func (c *Client) Verify(ctx context.Context, peer string, verified bool) (core.Trust, error) {
	var v core.Trust
	return v, c.do(ctx, "POST", "/v1/trust/verify", trustRequest{Peer: peer, Verified: &verified}, &v)
}

// SetLabel files a colleague under a label ("" removes it).
func (c *Client) SetLabel(ctx context.Context, peer, label string) (core.Trust, error) {
	var v core.Trust
	return v, c.do(ctx, "POST", "/v1/trust/label", trustRequest{Peer: peer, Label: label}, &v)
}

// Prefs reads the preferences.
func (c *Client) Prefs(ctx context.Context) (core.Prefs, error) {
	var v core.Prefs
	return v, c.do(ctx, "GET", "/v1/prefs", nil, &v)
}

// SetPrefs saves the preferences.
func (c *Client) SetPrefs(ctx context.Context, p core.Prefs) error {
	return c.do(ctx, "POST", "/v1/prefs", p, nil)
}
