package chat

import (
	"encoding/json"
	"time"
)

// Policy is one version of a workspace's policy, as its admin signed it.
type Policy struct {
	// Version is 0 before any admin set one: nothing is restricted.
	Version   uint64    `json:"version"`
	SetBy     string    `json:"set_by,omitempty"` // the admin's peer id
	SetByName string    `json:"set_by_name,omitempty"`
	SetAt     time.Time `json:"set_at,omitzero"` // the admin's clock
	// Document is the policy itself (policy.Document in JSON); Rules say
	// what it restricts, one line each, and Notice is its acceptable-use
	// notice, for people.
	Document json.RawMessage `json:"document"`
	Rules    []string        `json:"rules,omitempty"`
	Notice   string          `json:"notice,omitempty"`
	// NoticeAcknowledged: this member acknowledged the policy's notice
	// (true when it has none); AcknowledgedBy lists every member who
	// did, as their signed acknowledgements say.
	NoticeAcknowledged bool     `json:"notice_acknowledged"`
	AcknowledgedBy     []string `json:"acknowledged_by,omitempty"`
	// Admins are the workspace's creator and admins, by the log, each
	// named as this node knows its key.
	Admins []Colleague `json:"admins,omitempty"`
}

// NetworkKeyState is the network key a node runs on: the workspace key,
// or the one an admin last rotated to.
type NetworkKeyState struct {
	// Tag is the key's public label, the same on every node that runs on
	// it; "" in the open LAN.
	Tag string `json:"tag"`
	// Epoch is #general's epoch the key derives from; 0: the workspace
	// key.
	Epoch   uint64 `json:"epoch"`
	Rotated bool   `json:"rotated"`
	// GraceUntil says until when each older key still gets members who
	// were away the new one.
	GraceUntil []time.Time `json:"grace_until,omitempty"`
}
