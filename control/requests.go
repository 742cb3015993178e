package control

import (
	"encoding/json"
	"fmt"
	"time"

	"hallway/chat"
)

// Request bodies. Every field is checked again by the backend.
type sendRequest struct {
	Peer string `json:"peer"`
	Text string `json:"text"`
}

// amendRequest is a reply, an edit, a delete or a reaction to the
// message with ID: Kind is reply, edit, delete or react.
type amendRequest struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Text string `json:"text,omitempty"`
}

// muteRequest sets a conversation's notification level: Level is all,
// mentions or none; Until zero is until changed.
type muteRequest struct {
	Conversation string    `json:"conversation"`
	Level        string    `json:"level"`
	Until        time.Time `json:"until,omitzero"`
}

// dndRequest silences notifications until Until (zero: ends it).
type dndRequest struct {
	Until time.Time `json:"until,omitzero"`
}

type statusRequest struct {
	Status string `json:"status"`
	Text   string `json:"text"`
}

type nameRequest struct {
	Name string `json:"name"`
}

type addPeerRequest struct {
	Addr string `json:"addr"`
}

type blockRequest struct {
	Peer   string `json:"peer"`
	Reason string `json:"reason,omitempty"`
}

type roomRequest struct {
	Room string `json:"room"`
	Name string `json:"name,omitempty"`
	Code string `json:"code,omitempty"`
	Peer string `json:"peer,omitempty"`
	Text string `json:"text,omitempty"`
	// Role is "admin" or "member", for a role change.
	Role string `json:"role,omitempty"`
	// Invitation names a pending invitation to accept or decline.
	Invitation string `json:"invitation,omitempty"`
}

type codeRequest struct {
	Room string `json:"room"`
	// ExpireSeconds is how long the code works; 0: the default (24 h).
	ExpireSeconds int64 `json:"expire_seconds,omitempty"`
	// Uses is how many colleagues may join with it; 0: any number.
	Uses int `json:"uses,omitempty"`
	// Code names the code to revoke; "" revokes every code of the room.
	Code string `json:"code,omitempty"`
}

type fileRequest struct {
	ID   string `json:"id,omitempty"`
	Peer string `json:"peer,omitempty"`
	Path string `json:"path,omitempty"`
	To   string `json:"to,omitempty"`
	// ExpireSeconds is how long an offer is served; 0: the default.
	ExpireSeconds int64 `json:"expire_seconds,omitempty"`
}

type trustRequest struct {
	Peer     string `json:"peer"`
	Verified *bool  `json:"verified,omitempty"`
	Label    string `json:"label,omitempty"`
}

type exportRequest struct {
	Format string    `json:"format,omitempty"`
	In     string    `json:"in,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	Until  time.Time `json:"until,omitzero"`
}

type retentionRequest struct {
	In      string `json:"in,omitempty"`
	Days    int    `json:"days"`
	Inherit bool   `json:"inherit,omitempty"`
}

type holdRequest struct {
	In     string `json:"in,omitempty"`
	Reason string `json:"reason,omitempty"`
	ID     string `json:"id,omitempty"`
}

type errorBody struct {
	Error string `json:"error"`
}

// maxRequestBody caps a request: the largest is a 64 KiB message, which
// JSON may escape to six times its size.
const maxRequestBody = 6*chat.MaxTextBytes + 4<<10

// decodeStrict parses a request body, refusing unknown fields and trailing
// data so typos in scripts fail loudly.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytesReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad request: %v", err)
	}
	if dec.More() {
		return fmt.Errorf("bad request: trailing data")
	}
	return nil
}
