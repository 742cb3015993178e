package crypto

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// A workspace code may end in where its maker listens, so that a newcomer
// on another subnet, where mDNS does not reach, connects to it at once:
// "-U-" and groups of five Crockford base32 symbols. U is no Crockford
// symbol, so it can never occur inside a code and marks where the
// addresses begin; they have a checksum of their own, so a typo in them is
// an error and not a wrong address. Each address is 7 bytes (IPv4) or 19
// (IPv6): one IPv4 address adds 15 symbols to a code.
const (
	hintMark   = "U"
	hintDomain = "hallway-code-addrs"
	hintSumLen = 2
	// MaxCodeAddrs bounds the addresses a code carries.
	MaxCodeAddrs = 3
)

// AppendCodeAddrs writes up to MaxCodeAddrs of addrs after code; with none
// it returns code unchanged.
func AppendCodeAddrs(code string, addrs []netip.AddrPort) string {
	var payload []byte
	n := 0
	for _, a := range addrs {
		if n == MaxCodeAddrs || !a.IsValid() || a.Port() == 0 {
			continue
		}
		ip := a.Addr().Unmap()
		if ip.Is4() {
			payload = append(payload, 4)
		} else {
			payload = append(payload, 6)
		}
		payload = append(payload, ip.AsSlice()...)
		payload = binary.BigEndian.AppendUint16(payload, a.Port())
		n++
	}
	if n == 0 {
		return code
	}
	payload = append(payload, codeChecksum(hintDomain, payload)[:hintSumLen]...)
	return code + "-" + formatInvite(hintMark, payload)
}

// SplitCodeAddrs separates a code as a person typed or pasted it from the
// addresses it ends in, if any. The code comes back as its symbols, which
// every code parser reads; an error means the address part has a typo.
func SplitCodeAddrs(s string) (code string, addrs []netip.AddrPort, err error) {
	symbols, err := readInviteSymbols(s, maxPassCodeText)
	if err != nil {
		return "", nil, err
	}
	code, rest, found := strings.Cut(string(symbols), hintMark)
	if !found {
		return s, nil, nil
	}
	if rest == "" || strings.Contains(rest, hintMark) {
		return "", nil, errors.New("the address part of the code is malformed")
	}
	raw, err := decodeCrockford([]byte(rest))
	if err != nil {
		return "", nil, fmt.Errorf("the address part of the code: %w", err)
	}
	addrs, err = parseCodeAddrs(raw, len(rest))
	if err != nil {
		return "", nil, fmt.Errorf("the address part of the code %w", err)
	}
	return code, addrs, nil
}

// parseCodeAddrs reads the decoded address part of symbols symbols.
func parseCodeAddrs(raw []byte, symbols int) ([]netip.AddrPort, error) {
	if len(raw) <= hintSumLen {
		return nil, errors.New("is too short")
	}
	body, sum := raw[:len(raw)-hintSumLen], raw[len(raw)-hintSumLen:]
	if subtle.ConstantTimeCompare(sum, codeChecksum(hintDomain, body)[:hintSumLen]) != 1 || (len(raw)*8+4)/5 != symbols {
		return nil, errors.New("has a typo")
	}
	var out []netip.AddrPort
	for len(body) > 0 {
		size := map[byte]int{4: 4, 6: 16}[body[0]]
		if size == 0 || len(body) < 1+size+2 || len(out) == MaxCodeAddrs {
			return nil, errors.New("is malformed")
		}
		ip, _ := netip.AddrFromSlice(body[1 : 1+size])
		port := binary.BigEndian.Uint16(body[1+size:])
		if port == 0 {
			return nil, errors.New("names port 0")
		}
		out = append(out, netip.AddrPortFrom(ip, port))
		body = body[1+size+2:]
	}
	return out, nil
}
