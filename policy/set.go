package policy

import (
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"hallway/files"
)

// Keys lists what `hallway policy set KEY VALUE` changes, with the values
// each takes, for help texts.
var Keys = []struct{ Key, Values string }{
	{"files", "on | off"},
	{"files.max_size", "a size like 500M, or none"},
	{"files.allowed", "file types like .pdf,.docx, or none (any not blocked)"},
	{"files.blocked", "file types like .exe,.bat, or none"},
	{"files.auto_accept_max", "a size like 10M, or none"},
	{"retention.days", "days to keep history, 0 for ever"},
	{"retention.room.ROOM", "days to keep ROOM's history (room id), or default"},
	{"open_lan", "allowed | forbidden"},
	{"rooms.create", "everyone | admins"},
	{"members.admission", "key (whoever holds the workspace key) | admins (only members an admin admitted)"},
	{"notice", "the acceptable-use text members acknowledge, or none"},
	{"network.allow", "address ranges beyond the LAN where colleagues are, like 100.64.0.0/10 (a VPN), or none"},
	{"hold.SCOPE", "a legal hold's reason, or none to release it (SCOPE: workspace or a room id)"},
}

// WithNetworkKey returns the next version of d, whose network key
// derives from the key of #general's epoch with commitment commit, as
// the admin by signed it (sig): what a rotation of the network key posts.
func (d Document) WithNetworkKey(epoch uint64, commit [32]byte, by string, sig []byte) Document {
	n := d.clone()
	n.Version = d.Version + 1
	n.NetworkEpoch, n.NetworkCommit = epoch, hex.EncodeToString(commit[:])
	n.NetworkBy, n.NetworkSig = by, sig
	return n
}

// Set returns the next version of d with key set to value, or an error a
// user can act on.
func (d Document) Set(key, value string) (Document, error) {
	n := d.clone()
	n.Version = d.Version + 1
	v := strings.TrimSpace(value)
	none := strings.EqualFold(v, "none")
	var err error
	switch {
	case key == "files":
		switch strings.ToLower(v) {
		case "on":
			n.Files.Disabled = false
		case "off":
			n.Files.Disabled = true
		default:
			err = fmt.Errorf("files is on or off, not %q", value)
		}
	case key == "files.max_size":
		n.Files.MaxSize, err = sizeOrNone(v, none)
	case key == "files.auto_accept_max":
		n.Files.AutoAcceptMax, err = sizeOrNone(v, none)
	case key == "files.allowed":
		n.Files.Allowed, err = extensions(v, none)
	case key == "files.blocked":
		n.Files.Blocked, err = extensions(v, none)
	case key == "retention.days":
		n.Retention.WorkspaceDays, err = days(v)
	case strings.HasPrefix(key, "retention.room."):
		room := strings.TrimPrefix(key, "retention.room.")
		if strings.EqualFold(v, "default") {
			delete(n.Retention.RoomDays, room)
			break
		}
		var dd int
		if dd, err = days(v); err == nil {
			if n.Retention.RoomDays == nil {
				n.Retention.RoomDays = map[string]int{}
			}
			n.Retention.RoomDays[room] = dd
		}
	case key == "open_lan":
		switch strings.ToLower(v) {
		case "allowed":
			n.OpenLANForbidden = false
		case "forbidden":
			n.OpenLANForbidden = true
		default:
			err = fmt.Errorf("open_lan is allowed or forbidden, not %q", value)
		}
	case key == "rooms.create":
		switch strings.ToLower(v) {
		case RoomsByEveryone, RoomsByAdmins:
			n.RoomCreation = strings.ToLower(v)
		default:
			err = fmt.Errorf("rooms.create is everyone or admins, not %q", value)
		}
	case key == "members.admission":
		switch strings.ToLower(v) {
		case AdmitByKey, AdmitByAdmins:
			n.Admission = strings.ToLower(v)
		default:
			err = fmt.Errorf("members.admission is key or admins, not %q", value)
		}
	case strings.HasPrefix(key, "hold."):
		scope := strings.TrimPrefix(key, "hold.")
		if none {
			if _, ok := n.Holds[scope]; !ok {
				err = fmt.Errorf("no legal hold on %s", scope)
			}
			delete(n.Holds, scope)
			break
		}
		if n.Holds == nil {
			n.Holds = map[string]string{}
		}
		n.Holds[scope] = v
	case key == "network.allow":
		var nets []netip.Prefix
		if nets, err = ParseNetRanges(v); err == nil {
			n.AllowNets = nil
			for _, p := range nets {
				n.AllowNets = append(n.AllowNets, p.String())
			}
		}
	case key == "notice":
		n.Notice = value
		if none {
			n.Notice = ""
		}
	default:
		err = fmt.Errorf("no policy setting %q; the settings are %s", key, keyList())
	}
	if err != nil {
		return Document{}, err
	}
	if err := n.Check(); err != nil {
		return Document{}, err
	}
	return n, nil
}

func (d Document) clone() Document {
	n := d
	n.Files.Allowed = slices.Clone(d.Files.Allowed)
	n.Files.Blocked = slices.Clone(d.Files.Blocked)
	n.AllowNets = slices.Clone(d.AllowNets)
	n.NetworkSig = slices.Clone(d.NetworkSig)
	if d.Holds != nil {
		n.Holds = maps.Clone(d.Holds)
	}
	if d.Retention.RoomDays != nil {
		n.Retention.RoomDays = make(map[string]int, len(d.Retention.RoomDays))
		for k, v := range d.Retention.RoomDays {
			n.Retention.RoomDays[k] = v
		}
	}
	return n
}

func keyList() string {
	var ks []string
	for _, k := range Keys {
		ks = append(ks, k.Key)
	}
	return strings.Join(ks, ", ")
}

func sizeOrNone(v string, none bool) (int64, error) {
	if none {
		return 0, nil
	}
	return files.ParseSize(v)
}

func days(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > MaxRetentionDays {
		return 0, fmt.Errorf("%q is not a number of days from 0 (for ever) to %d", v, MaxRetentionDays)
	}
	return n, nil
}

// extensions reads a comma-separated list of file types into the sorted,
// distinct form documents keep.
func extensions(v string, none bool) ([]string, error) {
	if none {
		return nil, nil
	}
	var out []string
	for _, e := range strings.Split(v, ",") {
		if strings.TrimSpace(e) == "" {
			continue
		}
		n := NormalizeExtension(e)
		if n == "" {
			return nil, fmt.Errorf("%q is not a file type like .pdf", strings.TrimSpace(e))
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no file type in %q; say none to clear the list", v)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
