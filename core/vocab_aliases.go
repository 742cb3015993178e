package core

import "hallway/chat"

// Names of the chat vocabulary as core's users have known them. core itself
// speaks chat; these keep the packages built on core unchanged.
type (
	Message       = chat.Message
	Room          = chat.Room
	RoomMember    = chat.RoomMember
	Colleague     = chat.Colleague
	Self          = chat.Self
	Transfer      = chat.Transfer
	Trust         = chat.Trust
	NameWarning   = chat.NameWarning
	Prefs         = chat.Prefs
	AddPeerResult = chat.AddPeerResult
	SearchQuery   = chat.SearchQuery
	SearchHit     = chat.SearchHit
	SweepResult   = chat.SweepResult

	Event             = chat.Event
	PeerOnline        = chat.PeerOnline
	PeerOffline       = chat.PeerOffline
	PeerUpdated       = chat.PeerUpdated
	MessageReceived   = chat.MessageReceived
	MessageSent       = chat.MessageSent
	MessageDelivered  = chat.MessageDelivered
	ProfileChanged    = chat.ProfileChanged
	RoomChanged       = chat.RoomChanged
	TransferChanged   = chat.TransferChanged
	TrustChanged      = chat.TrustChanged
	NameWarningRaised = chat.NameWarningRaised
	PrefsChanged      = chat.PrefsChanged
)

const (
	MaxTextBytes      = chat.MaxTextBytes
	WarnImpersonation = chat.WarnImpersonation
	ThemeSystem       = chat.ThemeSystem
	ThemeLight        = chat.ThemeLight
	ThemeDark         = chat.ThemeDark
)

// User-facing errors and the conditions callers branch on.
type UserError = chat.UserError

var (
	UserMessage      = chat.UserMessage
	ErrUnknownPeer   = chat.ErrUnknownPeer
	ErrAmbiguousPeer = chat.ErrAmbiguousPeer
	ErrUnknownRoom   = chat.ErrUnknownRoom
	ErrAmbiguousRoom = chat.ErrAmbiguousRoom
)
