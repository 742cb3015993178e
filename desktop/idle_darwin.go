//go:build darwin && cgo

package desktop

/*
#cgo LDFLAGS: -framework CoreGraphics -framework CoreFoundation
#include <CoreFoundation/CoreFoundation.h>
#include <CoreGraphics/CoreGraphics.h>

// Seconds since the last keyboard, mouse or trackpad event of the session.
static double hallwayIdleSeconds(void) {
	return CGEventSourceSecondsSinceLastEventType(kCGEventSourceStateCombinedSessionState, kCGAnyInputEventType);
}

// 1 when the login window covers the session (screen locked).
static int hallwayScreenLocked(void) {
	CFDictionaryRef d = CGSessionCopyCurrentDictionary();
	if (d == NULL) {
		return 0;
	}
	int locked = 0;
	CFTypeRef v = CFDictionaryGetValue(d, CFSTR("CGSSessionScreenIsLocked"));
	if (v != NULL && CFGetTypeID(v) == CFBooleanGetTypeID() && CFBooleanGetValue((CFBooleanRef)v)) {
		locked = 1;
	}
	CFRelease(d);
	return locked;
}
*/
import "C"

import (
	"errors"
	"time"
)

// macIdle reads the HID idle time of the login session from CoreGraphics.
type macIdle struct{}

func openIdle() (Idle, string) { return macIdle{}, "" }

func (macIdle) Idle() (time.Duration, bool, error) {
	s := float64(C.hallwayIdleSeconds())
	if s < 0 {
		return 0, false, errors.New("macOS gave no idle time")
	}
	return time.Duration(s * float64(time.Second)), C.hallwayScreenLocked() != 0, nil
}

func (macIdle) Close() {}
