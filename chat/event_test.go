package chat

import "testing"

// The event types are what `watch --json` prints; they never change.
func TestEventTypes(t *testing.T) {
	for _, tc := range []struct {
		e    Event
		want string
	}{
		{PeerOnline{}, "peer_online"},
		{PeerOffline{}, "peer_offline"},
		{PeerUpdated{}, "peer_updated"},
		{MessageReceived{}, "message_received"},
		{MessageSent{}, "message_sent"},
		{MessageDelivered{}, "message_delivered"},
		{ProfileChanged{}, "profile_changed"},
		{RoomChanged{}, "room_changed"},
		{InvitationChanged{}, "invitation_changed"},
		{TransferChanged{}, "transfer_changed"},
		{TrustChanged{}, "trust_changed"},
		{NameWarningRaised{}, "name_warning"},
		{PrefsChanged{}, "prefs_changed"},
		{HistoryExpired{}, "history_expired"},
		{PolicyChanged{}, "policy_changed"},
		{NearbyChanged{}, "nearby_changed"},
		{RoomForked{}, "room_forked"},
		{MessagesRead{}, "messages_read"},
		{TypingChanged{}, "typing"},
		{Lagged{Missed: 3}, "lagged"},
	} {
		if got := tc.e.EventType(); got != tc.want {
			t.Errorf("%T.EventType() = %q, want %q", tc.e, got, tc.want)
		}
	}
}
