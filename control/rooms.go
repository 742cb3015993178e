package control

import (
	"context"
	"net/http"

	"hallway/core"
)

type roomRequest struct {
	Room string `json:"room"`
	Name string `json:"name,omitempty"`
	Code string `json:"code,omitempty"`
	Peer string `json:"peer,omitempty"`
	Text string `json:"text,omitempty"`
}

type codeReply struct {
	Code string `json:"code"`
}

func roomRoutes(mux *http.ServeMux, b Backend) {
	mux.HandleFunc("GET /v1/rooms", func(w http.ResponseWriter, r *http.Request) {
		to[[]core.Room](w)(b.Rooms(r.Context()))
	})
	mux.HandleFunc("POST /v1/rooms", func(w http.ResponseWriter, r *http.Request) {
		var req roomRequest
		if readJSON(w, r, &req) {
			to[core.Room](w)(b.CreateRoom(r.Context(), req.Name))
		}
	})
	mux.HandleFunc("POST /v1/rooms/join", func(w http.ResponseWriter, r *http.Request) {
		var req roomRequest
		if readJSON(w, r, &req) {
			to[core.Room](w)(b.JoinRoomCode(r.Context(), req.Code))
		}
	})
	mux.HandleFunc("POST /v1/rooms/leave", func(w http.ResponseWriter, r *http.Request) {
		var req roomRequest
		if readJSON(w, r, &req) {
			reply(w, struct{}{}, b.LeaveRoom(r.Context(), req.Room))
		}
	})
	mux.HandleFunc("POST /v1/rooms/invite", func(w http.ResponseWriter, r *http.Request) {
		var req roomRequest
		if readJSON(w, r, &req) {
			to[core.Message](w)(b.InviteToRoom(r.Context(), req.Room, req.Peer))
		}
	})
	mux.HandleFunc("POST /v1/rooms/send", func(w http.ResponseWriter, r *http.Request) {
		var req roomRequest
		if readJSON(w, r, &req) {
			to[core.Message](w)(b.SendRoom(r.Context(), req.Room, req.Text))
		}
	})
	mux.HandleFunc("GET /v1/rooms/code", func(w http.ResponseWriter, r *http.Request) {
		code, err := b.RoomInviteCode(r.Context(), r.URL.Query().Get("room"))
		reply(w, codeReply{Code: code}, err)
	})
	mux.HandleFunc("GET /v1/rooms/members", func(w http.ResponseWriter, r *http.Request) {
		to[[]core.RoomMember](w)(b.RoomMembers(r.Context(), r.URL.Query().Get("room")))
	})
}

// Rooms lists the rooms this node is in.
func (c *Client) Rooms(ctx context.Context) ([]core.Room, error) {
	var v []core.Room
	return v, c.do(ctx, "GET", "/v1/rooms", nil, &v)
}

// CreateRoom makes a new room.
func (c *Client) CreateRoom(ctx context.Context, name string) (core.Room, error) {
	var v core.Room
	return v, c.do(ctx, "POST", "/v1/rooms", roomRequest{Name: name}, &v)
}

// JoinRoomCode joins a room with an invite code.
func (c *Client) JoinRoomCode(ctx context.Context, code string) (core.Room, error) {
	var v core.Room
	return v, c.do(ctx, "POST", "/v1/rooms/join", roomRequest{Code: code}, &v)
}

// LeaveRoom leaves a room.
func (c *Client) LeaveRoom(ctx context.Context, room string) error {
	return c.do(ctx, "POST", "/v1/rooms/leave", roomRequest{Room: room}, nil)
}

// InviteToRoom invites a colleague into a room.
func (c *Client) InviteToRoom(ctx context.Context, room, peer string) (core.Message, error) {
	var v core.Message
	return v, c.do(ctx, "POST", "/v1/rooms/invite", roomRequest{Room: room, Peer: peer}, &v)
}

// SendRoom posts to a room.
func (c *Client) SendRoom(ctx context.Context, room, text string) (core.Message, error) {
	var v core.Message
	return v, c.do(ctx, "POST", "/v1/rooms/send", roomRequest{Room: room, Text: text}, &v)
}

// RoomInviteCode returns a room's invite code.
func (c *Client) RoomInviteCode(ctx context.Context, room string) (string, error) {
	var v codeReply
	err := c.do(ctx, "GET", "/v1/rooms/code?room="+urlQuery(room), nil, &v)
	return v.Code, err
}

// RoomMembers lists a room's members with presence.
func (c *Client) RoomMembers(ctx context.Context, room string) ([]core.RoomMember, error) {
	var v []core.RoomMember
	return v, c.do(ctx, "GET", "/v1/rooms/members?room="+urlQuery(room), nil, &v)
}
