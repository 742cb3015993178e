package control

import (
	"context"
	"net/http"

	"hallway/core"
)

type fileRequest struct {
	ID   string `json:"id,omitempty"`
	Peer string `json:"peer,omitempty"`
	Path string `json:"path,omitempty"`
	To   string `json:"to,omitempty"`
}

func fileRoutes(mux *http.ServeMux, b Backend) {
	mux.HandleFunc("GET /v1/transfers", func(w http.ResponseWriter, r *http.Request) {
		to[[]core.Transfer](w)(b.Transfers(r.Context()))
	})
	mux.HandleFunc("POST /v1/files/send", func(w http.ResponseWriter, r *http.Request) {
		var req fileRequest
		if readJSON(w, r, &req) {
			to[core.Transfer](w)(b.SendFile(r.Context(), req.Peer, req.Path))
		}
	})
	mux.HandleFunc("POST /v1/files/accept", func(w http.ResponseWriter, r *http.Request) {
		var req fileRequest
		if readJSON(w, r, &req) {
			to[core.Transfer](w)(b.AcceptTransfer(r.Context(), req.ID, req.To))
		}
	})
	mux.HandleFunc("POST /v1/files/decline", func(w http.ResponseWriter, r *http.Request) {
		var req fileRequest
		if readJSON(w, r, &req) {
			reply(w, struct{}{}, b.DeclineTransfer(r.Context(), req.ID))
		}
	})
	mux.HandleFunc("POST /v1/files/cancel", func(w http.ResponseWriter, r *http.Request) {
		var req fileRequest
		if readJSON(w, r, &req) {
			reply(w, struct{}{}, b.CancelTransfer(r.Context(), req.ID))
		}
	})
}

// Transfers lists file transfers.
func (c *Client) Transfers(ctx context.Context) ([]core.Transfer, error) {
	var v []core.Transfer
	return v, c.do(ctx, "GET", "/v1/transfers", nil, &v)
}

// SendFile offers a file or folder to a colleague or #room.
func (c *Client) SendFile(ctx context.Context, peer, path string) (core.Transfer, error) {
	var v core.Transfer
	return v, c.do(ctx, "POST", "/v1/files/send", fileRequest{Peer: peer, Path: path}, &v)
}

// AcceptTransfer accepts an offer, into dir ("" = the downloads folder).
func (c *Client) AcceptTransfer(ctx context.Context, id, dir string) (core.Transfer, error) {
	var v core.Transfer
	return v, c.do(ctx, "POST", "/v1/files/accept", fileRequest{ID: id, To: dir}, &v)
}

// DeclineTransfer refuses an offer.
func (c *Client) DeclineTransfer(ctx context.Context, id string) error {
	return c.do(ctx, "POST", "/v1/files/decline", fileRequest{ID: id}, nil)
}

// CancelTransfer withdraws an offer or stops a download.
func (c *Client) CancelTransfer(ctx context.Context, id string) error {
	return c.do(ctx, "POST", "/v1/files/cancel", fileRequest{ID: id}, nil)
}
