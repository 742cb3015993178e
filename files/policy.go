package files

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

var (
	// ErrRefused means the receiver's policy does not accept the transfer.
	ErrRefused = errors.New("refused by file policy")
	// ErrNoSpace means the transfer would not fit, with the reserve the
	// policy keeps free.
	ErrNoSpace = errors.New("not enough free space")
)

// DefaultKeepFree is the reserve Policy keeps when KeepFree is 0, so a
// transfer never fills the disk the rest of the computer needs.
const DefaultKeepFree = 256 << 20

// Policy is what a receiver accepts. The zero value accepts everything
// that fits with DefaultKeepFree to spare.
type Policy struct {
	Disabled          bool     // refuse every transfer
	MaxSize           int64    // per transfer; 0 = no limit beyond free space
	BlockedExtensions []string // e.g. ".exe"; case-insensitive, matched on every file of a folder
	// AllowedExtensions, when not empty, are the only types accepted:
	// every file of a folder must have one of them.
	AllowedExtensions []string
	KeepFree          uint64 // bytes that must stay free after the transfer; DefaultKeepFree if 0
}

// Check decides whether to accept m before a single byte is written, given
// free bytes on the downloads volume. A refusal wraps ErrRefused or
// ErrNoSpace, and its text is a sentence meant for the user, such as
// "report.exe: .exe files are not accepted".
func (p Policy) Check(m *Manifest, free uint64) error {
	if p.Disabled {
		return fmt.Errorf("file transfer is turned off on this computer: %w", ErrRefused)
	}
	if m == nil {
		return fmt.Errorf("no file description received: %w", ErrRefused)
	}
	if ext, path := p.blocked(m); ext != "" {
		return fmt.Errorf("%s: %s files are not accepted: %w", path, ext, ErrRefused)
	}
	if path := p.notAllowed(m); path != "" {
		return fmt.Errorf("%s: only %s files are accepted: %w", path, strings.Join(p.AllowedExtensions, ", "), ErrRefused)
	}
	total := m.TotalSize()
	if p.MaxSize > 0 && total > p.MaxSize {
		return fmt.Errorf("%s is more than the %s limit: %w", HumanBytes(total), HumanBytes(p.MaxSize), ErrRefused)
	}
	keep := p.KeepFree
	if keep == 0 {
		keep = DefaultKeepFree
	}
	need := uint64(max(total, 0))
	if need > math.MaxUint64-keep {
		need = math.MaxUint64
	} else {
		need += keep
	}
	if free < need {
		return fmt.Errorf("not enough free space: %s needed, %s free: %w", humanUint(need), humanUint(free), ErrNoSpace)
	}
	return nil
}

// blocked returns the first blocked extension found among m's files and
// the path, as the user would see it, of the file that has it.
func (p Policy) blocked(m *Manifest) (ext, path string) {
	for _, b := range p.BlockedExtensions {
		b = strings.ToLower(strings.TrimSpace(b))
		if b == "" || b == "." {
			continue
		}
		if b[0] != '.' {
			b = "." + b
		}
		for _, e := range m.Entries {
			// A whole-suffix match also catches multi-part extensions
			// such as ".tar.gz" and never matches "x.bexe" for ".exe".
			if strings.HasSuffix(strings.ToLower(e.Path), b) {
				if m.Folder {
					return b, m.Name + "/" + e.Path
				}
				return b, e.Path
			}
		}
	}
	return "", ""
}

// HumanBytes formats n with decimal units for messages: "512 B", "1.5 GB",
// "12.0 GB", "100 GB" (one decimal below 100, none above).
func HumanBytes(n int64) string {
	if n < 0 {
		if n == math.MinInt64 {
			return "-" + humanUint(1<<63)
		}
		return "-" + humanUint(uint64(-n))
	}
	return humanUint(uint64(n))
}

func humanUint(n uint64) string {
	if n < 1000 {
		return strconv.FormatUint(n, 10) + " B"
	}
	units := []string{"kB", "MB", "GB", "TB", "PB", "EB"}
	v := float64(n) / 1000
	u := 0
	for v >= 1000 && u < len(units)-1 {
		v /= 1000
		u++
	}
	for {
		// Decide on the rounded text, so 999.96 MB reads "1.0 GB" rather
		// than "1000 MB".
		var s string
		if v < 99.95 {
			s = strconv.FormatFloat(v, 'f', 1, 64)
		} else {
			s = strconv.FormatFloat(v, 'f', 0, 64)
		}
		if s != "1000" || u == len(units)-1 {
			return s + " " + units[u]
		}
		v /= 1000
		u++
	}
}

// notAllowed returns the path, as the user would see it, of the first of
// m's files whose type AllowedExtensions does not list ("" if none).
func (p Policy) notAllowed(m *Manifest) string {
	if len(p.AllowedExtensions) == 0 {
		return ""
	}
	for _, e := range m.Entries {
		ok := false
		for _, a := range p.AllowedExtensions {
			if a = strings.ToLower(strings.TrimSpace(a)); a != "" && a != "." && strings.HasSuffix(strings.ToLower(e.Path), a) {
				ok = true
				break
			}
		}
		if !ok {
			if m.Folder {
				return m.Name + "/" + e.Path
			}
			return e.Path
		}
	}
	return ""
}
