package crypto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// A membership statement is what an admin signs when it admits a colleague
// to a workspace (the payload of its add operation, which names the
// colleague's peer id and, as any operation, is dated by the admin's
// clock): the name the admin knows them by, and when the membership
// expires, if it does. Encoding: uvarint expiry (unix milliseconds, 0 for
// never), then uvarint n and n bytes of name (UTF-8, 0..MaxStatementName).

// Bounds of a statement.
const (
	MaxStatementName  = 64
	MaxStatementBytes = 2*binary.MaxVarintLen64 + MaxStatementName
)

// Statement is an admin's membership statement.
type Statement struct {
	Name    string
	Expires int64 // unix milliseconds; 0: never
}

// Marshal encodes s.
func (s Statement) Marshal() []byte {
	out := binary.AppendUvarint(nil, uint64(s.Expires))
	return appendPrefixed(out, []byte(s.Name))
}

// ParseStatement decodes a statement, refusing anything but its one
// encoding.
func ParseStatement(b []byte) (Statement, error) {
	r := &wireReader{b: b}
	exp, err := r.uvarint("expiry")
	if err != nil {
		return Statement{}, fmt.Errorf("statement: %w", err)
	}
	name, err := r.prefixed(0, MaxStatementName, "name")
	if err != nil {
		return Statement{}, fmt.Errorf("statement: %w", err)
	}
	switch {
	case !r.empty():
		return Statement{}, errors.New("statement: trailing bytes")
	case exp > 1<<62:
		return Statement{}, errors.New("statement: expiry out of range")
	case !utf8.Valid(name):
		return Statement{}, errors.New("statement: name is not UTF-8")
	}
	return Statement{Name: string(name), Expires: int64(exp)}, nil
}
