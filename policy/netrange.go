package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// MaxAllowNets bounds the address ranges allowed beyond the LAN.
const MaxAllowNets = 16

// ParseNetRange reads an address range allowed beyond the LAN's private
// ones (say a VPN's 100.64.0.0/10), as a user or a document writes it:
// canonical CIDR, no broader than /8 (IPv4) or /16 (IPv6), and not the
// unspecified, multicast or loopback space.
func ParseNetRange(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address range like 100.64.0.0/10", s)
	}
	a := p.Addr()
	switch {
	case a.Zone() != "" || a.Is4In6():
		return netip.Prefix{}, fmt.Errorf("%q: write an IPv4 range as 100.64.0.0/10, without a zone", s)
	case p.Masked() != p:
		return netip.Prefix{}, fmt.Errorf("%q has bits set past /%d: %s", s, p.Bits(), p.Masked())
	case a.Is4() && p.Bits() < 8, a.Is6() && p.Bits() < 16:
		return netip.Prefix{}, fmt.Errorf("%q is too broad to allow: at most /8 for IPv4, /16 for IPv6", s)
	case a.IsUnspecified(), a.IsMulticast(), a.IsLoopback():
		return netip.Prefix{}, fmt.Errorf("%q is not a range colleagues are on", s)
	}
	return p, nil
}

// ParseNetRanges reads a comma-separated list of ranges; "none" is none.
func ParseNetRanges(s string) ([]netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "none") {
		return nil, nil
	}
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		p, err := ParseNetRange(f)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) > MaxAllowNets {
		return nil, fmt.Errorf("%d address ranges: at most %d", len(out), MaxAllowNets)
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// AllowedNets are the document's ranges allowed beyond the LAN.
func (d Document) AllowedNets() []netip.Prefix {
	out, err := ParseNetRanges(strings.Join(d.AllowNets, ","))
	if err != nil {
		return nil // Check refuses such a document
	}
	return out
}

// checkAllowNets is Check's rule for AllowNets: canonical and sorted.
func (d Document) checkAllowNets() error {
	if len(d.AllowNets) == 0 {
		return nil
	}
	got, err := ParseNetRanges(strings.Join(d.AllowNets, ","))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(got) != len(d.AllowNets) {
		return fmt.Errorf("%w: allowed address ranges are not distinct", ErrInvalid)
	}
	for i, p := range got {
		if p.String() != d.AllowNets[i] {
			return fmt.Errorf("%w: allowed address ranges are not canonical and sorted", ErrInvalid)
		}
	}
	return nil
}
