package chat

import (
	"errors"
	"fmt"
)

// UserError carries a message meant for the person using Hallway, next to
// the technical cause. Interfaces show Message(), logs show Error().
type UserError struct {
	msg string
	err error
}

func (e *UserError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *UserError) Unwrap() error { return e.err }

// Message is the sentence to show the user.
func (e *UserError) Message() string { return e.msg }

// UserErrorf makes a UserError whose message is the formatted sentence.
func UserErrorf(format string, args ...any) error {
	return &UserError{msg: fmt.Sprintf(format, args...)}
}

// UserMessage returns the user-facing sentence of err: the UserError's
// message when there is one, else a generic sentence plus the cause.
func UserMessage(err error) string {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue.Message()
	}
	return err.Error()
}

// Conditions callers branch on.
var (
	ErrUnknownPeer   = errors.New("unknown colleague")
	ErrAmbiguousPeer = errors.New("ambiguous colleague name")
)

// Room conditions callers branch on.
var (
	ErrUnknownRoom   = errors.New("unknown room")
	ErrAmbiguousRoom = errors.New("ambiguous room name")
)

// ErrUnknownMessage: no message of that id is stored here.
var ErrUnknownMessage = errors.New("unknown message")

// NewUserError pairs the sentence to show the user with its cause, which
// errors.Is and errors.As still find.
func NewUserError(msg string, cause error) *UserError { return &UserError{msg: msg, err: cause} }
