package chat

// Event is something that happened on a node, published after it is on
// disk. The set is closed: only this package defines events, so a consumer
// can switch over them knowing every case.
type Event interface {
	EventType() string
	isEvent()
}

// PeerOnline: the first live connection to a colleague.
type PeerOnline struct{ Peer Colleague }

// PeerOffline: the last connection to a colleague is gone.
type PeerOffline struct{ Peer Colleague }

// PeerUpdated: a colleague's name, status or status text changed, or
// the user blocked or unblocked them.
type PeerUpdated struct{ Peer Colleague }

// MessageReceived: a colleague's message was committed to history.
type MessageReceived struct{ Message Message }

// MessageSent: our message was committed to history and the outbox.
type MessageSent struct{ Message Message }

// MessageDelivered: the colleague committed our message.
type MessageDelivered struct{ Message Message }

// ProfileChanged: our own name or presence changed.
type ProfileChanged struct{ Self Self }

// RoomChanged: a room was joined or left, or its members changed.
type RoomChanged struct {
	Room Room
	Left bool
}

// InvitationChanged: a colleague's room invitation arrived (or was
// renewed), or was accepted or declined; Invitation.State says which.
type InvitationChanged struct{ Invitation RoomInvitation }

// TransferChanged: a transfer's state changed, or it progressed (at most
// ten times a second per transfer).
type TransferChanged struct{ Transfer Transfer }

// TrustChanged: a colleague was verified or unverified, or labelled.
type TrustChanged struct{ Trust Trust }

// NameWarningRaised: a colleague appeared, or renamed themselves, with a
// name that belongs to another key.
type NameWarningRaised struct{ Warning NameWarning }

// PrefsChanged: the preferences were saved.
type PrefsChanged struct{ Prefs Prefs }

// HistoryExpired: retention deleted messages; views of history refresh.
type HistoryExpired struct{ Result SweepResult }

// NearbyChanged: the other workspaces seen on this network changed (one
// appeared, went quiet, or its number of colleagues changed). Workspaces
// is the whole list now, the most populated first.
type NearbyChanged struct{ Workspaces []NearbyWorkspace }

// RoomForked: a room member signed two different envelopes under one
// sequence number; the room's history may differ between members.
type RoomForked struct{ Fork RoomFork }

// ReceiptsChanged: a member of Room shared a newer receipt; the delivered
// and read counts of our messages there may have changed.
type ReceiptsChanged struct{ Room string }

// PolicyChanged: a new version of the workspace policy is in force here.
type PolicyChanged struct{ Policy Policy }

// WorkspaceChanged: the workspace room's log changed here (its members,
// admins, admissions or passes); read them again.
type WorkspaceChanged struct{}

// MessagesRead: a colleague's window showed our direct messages to them
// up to and including Read.UpTo (they share read receipts, and so do we).
type MessagesRead struct{ Read ReadMark }

// TypingChanged: a colleague is typing to us, or stopped. Ephemeral:
// never stored, never synced.
type TypingChanged struct{ Typing TypingSignal }

// Lagged: the subscriber fell behind and Missed events were dropped
// before this one; whatever it shows from events should be read again.
type Lagged struct{ Missed int }

func (PeerOnline) EventType() string        { return "peer_online" }
func (PeerOffline) EventType() string       { return "peer_offline" }
func (PeerUpdated) EventType() string       { return "peer_updated" }
func (MessageReceived) EventType() string   { return "message_received" }
func (MessageSent) EventType() string       { return "message_sent" }
func (MessageDelivered) EventType() string  { return "message_delivered" }
func (ProfileChanged) EventType() string    { return "profile_changed" }
func (RoomChanged) EventType() string       { return "room_changed" }
func (InvitationChanged) EventType() string { return "invitation_changed" }
func (TransferChanged) EventType() string   { return "transfer_changed" }
func (TrustChanged) EventType() string      { return "trust_changed" }
func (NameWarningRaised) EventType() string { return "name_warning" }
func (PrefsChanged) EventType() string      { return "prefs_changed" }
func (HistoryExpired) EventType() string    { return "history_expired" }
func (NearbyChanged) EventType() string     { return "nearby_changed" }
func (RoomForked) EventType() string        { return "room_forked" }
func (ReceiptsChanged) EventType() string   { return "receipts_changed" }
func (PolicyChanged) EventType() string     { return "policy_changed" }
func (WorkspaceChanged) EventType() string  { return "workspace_changed" }
func (MessagesRead) EventType() string      { return "messages_read" }
func (TypingChanged) EventType() string     { return "typing" }
func (Lagged) EventType() string            { return "lagged" }

func (PeerOnline) isEvent()        {}
func (PeerOffline) isEvent()       {}
func (PeerUpdated) isEvent()       {}
func (MessageReceived) isEvent()   {}
func (MessageSent) isEvent()       {}
func (MessageDelivered) isEvent()  {}
func (ProfileChanged) isEvent()    {}
func (RoomChanged) isEvent()       {}
func (InvitationChanged) isEvent() {}
func (TransferChanged) isEvent()   {}
func (TrustChanged) isEvent()      {}
func (NameWarningRaised) isEvent() {}
func (PrefsChanged) isEvent()      {}
func (HistoryExpired) isEvent()    {}
func (NearbyChanged) isEvent()     {}
func (RoomForked) isEvent()        {}
func (ReceiptsChanged) isEvent()   {}
func (PolicyChanged) isEvent()     {}
func (WorkspaceChanged) isEvent()  {}
func (MessagesRead) isEvent()      {}
func (TypingChanged) isEvent()     {}
func (Lagged) isEvent()            {}
