package policy

import (
	"fmt"
	"slices"
	"strings"

	"hallway/files"
)

// FilePolicy lays the workspace's file rules over a node's own: the
// stricter of the two wins on each point (the user may refuse more than
// the workspace does, never less).
func (d Document) FilePolicy(own files.Policy) files.Policy {
	p := own
	p.BlockedExtensions = slices.Clone(own.BlockedExtensions)
	if d.Files.Disabled {
		p.Disabled = true
	}
	if m := d.Files.MaxSize; m > 0 && (p.MaxSize == 0 || m < p.MaxSize) {
		p.MaxSize = m
	}
	for _, e := range d.Files.Blocked {
		if !slices.Contains(p.BlockedExtensions, e) {
			p.BlockedExtensions = append(p.BlockedExtensions, e)
		}
	}
	if len(d.Files.Allowed) > 0 {
		if len(p.AllowedExtensions) == 0 {
			p.AllowedExtensions = slices.Clone(d.Files.Allowed)
		} else {
			// Both restrict: only what both allow.
			p.AllowedExtensions = slices.DeleteFunc(slices.Clone(p.AllowedExtensions), func(e string) bool {
				return !slices.Contains(d.Files.Allowed, e)
			})
			if len(p.AllowedExtensions) == 0 {
				p.Disabled = true
			}
		}
	}
	return p
}

// AutoAcceptMax caps a user's auto-accept size by the workspace's.
func (d Document) AutoAcceptMax(own int64) int64 {
	if c := d.Files.AutoAcceptMax; c > 0 && (own == 0 || own > c) {
		return c
	}
	return own
}

// AdmitsByAdmins reports whether only members an admin admitted may
// join and connect.
func (d Document) AdmitsByAdmins() bool { return d.Admission == AdmitByAdmins }

// MayCreateRooms reports whether a member with admin rights (or without)
// may make a room.
func (d Document) MayCreateRooms(admin bool) bool {
	return admin || d.RoomCreation != RoomsByAdmins
}

// Describe says what d restricts, one short line per rule, for people:
// the command line and the window show these.
func (d Document) Describe() []string {
	var out []string
	f := d.Files
	if f.Disabled {
		out = append(out, "file transfer off")
	} else {
		if f.MaxSize > 0 {
			out = append(out, "files up to "+files.HumanBytes(f.MaxSize))
		}
		if len(f.Allowed) > 0 {
			out = append(out, "only "+strings.Join(f.Allowed, ", ")+" files")
		}
		if len(f.Blocked) > 0 {
			out = append(out, strings.Join(f.Blocked, ", ")+" files refused")
		}
		if f.AutoAcceptMax > 0 {
			out = append(out, "files accepted without asking up to "+files.HumanBytes(f.AutoAcceptMax))
		}
	}
	if days := d.Retention.WorkspaceDays; days > 0 {
		out = append(out, fmt.Sprintf("history kept %d days", days))
	}
	for _, room := range d.RoomRules() {
		out = append(out, fmt.Sprintf("history of room %s kept %d days", room, d.Retention.RoomDays[room]))
	}
	for _, scope := range d.HeldScopes() {
		what := "the workspace"
		if scope != HoldWorkspace {
			what = "room " + scope
		}
		out = append(out, fmt.Sprintf("legal hold on %s: %s", what, d.Holds[scope]))
	}
	if d.OpenLANForbidden {
		out = append(out, "open LAN workspace forbidden")
	}
	if d.NetworkEpoch > 0 {
		out = append(out, fmt.Sprintf("network key rotated (from #general's key %d)", d.NetworkEpoch))
	}
	if d.RoomCreation == RoomsByAdmins {
		out = append(out, "rooms created by admins only")
	}
	if d.AdmitsByAdmins() {
		out = append(out, "members admitted by admins only")
	}
	return out
}
