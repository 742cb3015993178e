package control

import (
	"encoding/json"
	"net/http"

	"hallway/chat"
)

// TypeLagged is the type of the event that says the stream fell behind
// and skipped events: the reader re-reads the state it shows.
const TypeLagged = "lagged"

// WireEvent is an event as `hallway watch --json` prints it: one JSON
// object per line with a "type" and the affected peer, message or self.
type WireEvent struct {
	Type     string            `json:"type"`
	Peer     *chat.Colleague   `json:"peer,omitempty"`
	Message  *chat.Message     `json:"message,omitempty"`
	Self     *chat.Self        `json:"self,omitempty"`
	Room     *chat.Room        `json:"room,omitempty"`
	Transfer *chat.Transfer    `json:"transfer,omitempty"`
	Left     bool              `json:"left,omitempty"`
	Trust    *chat.Trust       `json:"trust,omitempty"`
	Warning  *chat.NameWarning `json:"warning,omitempty"`
	Prefs    *chat.Prefs       `json:"prefs,omitempty"`
	// Fork is a fork found in a room (room_forked).
	Fork *chat.RoomFork `json:"fork,omitempty"`
	// Invitation is a room invitation that arrived, or was accepted or
	// declined (its state says which).
	Invitation *chat.RoomInvitation `json:"invitation,omitempty"`
	// Nearby: the other workspaces seen on the network now (a pointer, so
	// that an empty list is written and the event stays comparable).
	Nearby *[]chat.NearbyWorkspace `json:"nearby,omitempty"`
	// RoomID is the room whose receipts changed (receipts_changed).
	RoomID string `json:"room_id,omitempty"`
	// Policy is the workspace policy now in force (policy_changed).
	Policy *chat.Policy `json:"policy,omitempty"`
	// Read is how far a colleague read our DMs (messages_read).
	Read *chat.ReadMark `json:"read,omitempty"`
	// Typing is a colleague typing to us, or stopping (typing).
	Typing *chat.TypingSignal `json:"typing,omitempty"`
	// Missed is how many events a lagged stream skipped.
	Missed int `json:"missed,omitempty"`
}

// Lagged is the wire event for a stream that skipped missed events.
func Lagged(missed int) WireEvent { return WireEvent{Type: TypeLagged, Missed: missed} }

// ToWire converts a core event for the stream.
func ToWire(e chat.Event) WireEvent {
	w := WireEvent{Type: e.EventType()}
	switch e := e.(type) {
	case chat.PeerOnline:
		w.Peer = &e.Peer
	case chat.PeerOffline:
		w.Peer = &e.Peer
	case chat.PeerUpdated:
		w.Peer = &e.Peer
	case chat.MessageReceived:
		w.Message = &e.Message
	case chat.MessageSent:
		w.Message = &e.Message
	case chat.MessageDelivered:
		w.Message = &e.Message
	case chat.ProfileChanged:
		w.Self = &e.Self
	case chat.RoomChanged:
		w.Room, w.Left = &e.Room, e.Left
	case chat.InvitationChanged:
		w.Invitation = &e.Invitation
	case chat.TransferChanged:
		w.Transfer = &e.Transfer
	case chat.TrustChanged:
		w.Trust = &e.Trust
	case chat.NameWarningRaised:
		w.Warning = &e.Warning
	case chat.PrefsChanged:
		w.Prefs = &e.Prefs
	case chat.NearbyChanged:
		ws := e.Workspaces
		if ws == nil {
			ws = []chat.NearbyWorkspace{}
		}
		w.Nearby = &ws
	case chat.RoomForked:
		w.Fork = &e.Fork
	case chat.ReceiptsChanged:
		w.RoomID = e.Room
	case chat.PolicyChanged:
		w.Policy = &e.Policy
	case chat.MessagesRead:
		w.Read = &e.Read
	case chat.TypingChanged:
		w.Typing = &e.Typing
	case chat.Lagged:
		return Lagged(e.Missed)
	}
	return w
}

// streamEvents writes one JSON event per line until the client goes away.
func streamEvents(w http.ResponseWriter, r *http.Request, b Events) {
	fl, ok := w.(http.Flusher)
	if !ok {
		fail(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	events := b.Subscribe(r.Context())
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	enc := json.NewEncoder(w)
	for e := range events {
		if err := enc.Encode(ToWire(e)); err != nil {
			return
		}
		fl.Flush()
	}
}
