package chat

import (
	"fmt"
	"testing"
)

// hiddenInNames lists every rune a display name or room name must refuse.
func hiddenInNames() []rune {
	var rs []rune
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			rs = append(rs, r)
		}
	}
	add(0x00, 0x1f)
	add(0x7f, 0x9f)
	add(0x00ad, 0x00ad)
	add(0x034f, 0x034f)
	add(0x115f, 0x1160)
	add(0x17b4, 0x17b5)
	add(0x180b, 0x180f)
	add(0x200b, 0x200f)
	add(0x202a, 0x202e)
	add(0x2060, 0x2064)
	add(0x2066, 0x2069)
	add(0x3164, 0x3164)
	add(0xfe00, 0xfe0f)
	add(0xfeff, 0xfeff)
	add(0xffa0, 0xffa0)
	add(0xe0000, 0xe0fff)
	return rs
}

func TestNamesRefuseHiddenRunes(t *testing.T) {
	for _, r := range hiddenInNames() {
		for _, name := range []string{"Ann" + string(r), string(r) + "Ann", "A" + string(r) + "nn"} {
			if err := CheckProfileFields(name, StatusAvailable, ""); err == nil {
				t.Errorf("CheckProfileFields accepts a name with U+%04X", r)
			}
			if err := CheckRoomName(name); err == nil {
				t.Errorf("CheckRoomName accepts a name with U+%04X", r)
			}
		}
	}
}

func TestNamesAcceptOrdinaryText(t *testing.T) {
	for _, name := range []string{
		"Ann",
		"Ann Lee",
		"Zoë Ångström",
		"José-María O'Neil",
		"Łukasz Żółć",
		"Ελένη",
		"Анна",
		"王小明",
		"さくら",
		"김민준",
		"محمد",
		"דנה",
		"Ann 🚀",
		"👍",
		"Ann (design) #2",
	} {
		t.Run(name, func(t *testing.T) {
			if err := CheckProfileFields(name, StatusAvailable, ""); err != nil {
				t.Errorf("CheckProfileFields(%q) = %v", name, err)
			}
			if err := CheckRoomName(name); err != nil && name[0] != '#' {
				t.Errorf("CheckRoomName(%q) = %v", name, err)
			}
		})
	}
}

func TestNamesRefuseEmojiSequences(t *testing.T) {
	// A family emoji joins people with U+200D; a heart in emoji style is
	// followed by U+FE0F. Both hold a rune that draws nothing, so both are
	// refused in names, as any other joiner or selector.
	for _, name := range []string{"👩\u200d💻", "❤\ufe0f"} {
		if err := CheckProfileFields(name, StatusAvailable, ""); err == nil {
			t.Errorf("CheckProfileFields(%s) accepts an emoji sequence", fmt.Sprintf("%+q", name))
		}
	}
}
