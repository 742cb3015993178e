package control

import (
	"encoding/json"
	"fmt"

	"hallway/core"
)

// Request bodies. Every field is checked again by the backend.
type sendRequest struct {
	Peer string `json:"peer"`
	Text string `json:"text"`
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

type errorBody struct {
	Error string `json:"error"`
}

// maxRequestBody caps a request: the largest is a 64 KiB message, which
// JSON may escape to six times its size.
const maxRequestBody = 6*core.MaxTextBytes + 4<<10

// WireEvent is an event as `hallway watch --json` prints it: one JSON
// object per line with a "type" and the affected peer, message or self.
type WireEvent struct {
	Type     string            `json:"type"`
	Peer     *core.Colleague   `json:"peer,omitempty"`
	Message  *core.Message     `json:"message,omitempty"`
	Self     *core.Self        `json:"self,omitempty"`
	Room     *core.Room        `json:"room,omitempty"`
	Transfer *core.Transfer    `json:"transfer,omitempty"`
	Left     bool              `json:"left,omitempty"`
	Trust    *core.Trust       `json:"trust,omitempty"`
	Warning  *core.NameWarning `json:"warning,omitempty"`
	Prefs    *core.Prefs       `json:"prefs,omitempty"`
}

// ToWire converts a core event for the stream.
func ToWire(e core.Event) WireEvent {
	w := WireEvent{Type: e.EventType()}
	switch e := e.(type) {
	case core.PeerOnline:
		w.Peer = &e.Peer
	case core.PeerOffline:
		w.Peer = &e.Peer
	case core.PeerUpdated:
		w.Peer = &e.Peer
	case core.MessageReceived:
		w.Message = &e.Message
	case core.MessageSent:
		w.Message = &e.Message
	case core.MessageDelivered:
		w.Message = &e.Message
	case core.ProfileChanged:
		w.Self = &e.Self
	case core.RoomChanged:
		w.Room, w.Left = &e.Room, e.Left
	case core.TransferChanged:
		w.Transfer = &e.Transfer
	case core.TrustChanged:
		w.Trust = &e.Trust
	case core.NameWarningRaised:
		w.Warning = &e.Warning
	case core.PrefsChanged:
		w.Prefs = &e.Prefs
	}
	return w
}

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
