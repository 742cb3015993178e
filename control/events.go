package control

import (
	"encoding/json"
	"net/http"
	"reflect"

	"hallway/core"
)

// TypeLagged is the type of the event that says the stream fell behind
// and skipped events: the reader re-reads the state it shows.
const TypeLagged = "lagged"

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
	// Missed is how many events a lagged stream skipped.
	Missed int `json:"missed,omitempty"`
}

// Lagged is the wire event for a stream that skipped missed events.
func Lagged(missed int) WireEvent { return WireEvent{Type: TypeLagged, Missed: missed} }

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
	default:
		if missed, ok := laggedMissed(e); ok {
			return Lagged(missed)
		}
	}
	return w
}

// laggedMissed is where the core's lag event maps to the wire: an event
// of type "lagged" with an int field Missed (core.Lagged{Missed int}).
//
// TODO(lagged): once core declares Lagged, replace this function with
// `case core.Lagged: return Lagged(e.Missed)` in ToWire.
func laggedMissed(e core.Event) (int, bool) {
	if e.EventType() != TypeLagged {
		return 0, false
	}
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Struct {
		return 0, false
	}
	f := v.FieldByName("Missed")
	if !f.IsValid() || !f.CanInt() {
		return 0, false
	}
	return int(f.Int()), true
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
