package app

import (
	"image/color"
	"testing"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// TestOnColourWithoutThemeOverride: text on the strong background of the
// open-mode strip and of a banner draws white in light and dark, and no
// part of the window sits under a theme override, for which Fyne parses
// every font again (each time the override refreshes, too) and keeps it.
func TestOnColourWithoutThemeOverride(t *testing.T) {
	f := office()
	f.nearby = []chat.NearbyWorkspace{{Tag: "3f9a", Colleagues: 4}}
	u := newTestUI(t, f)
	u.banner.show("Could not reach Bob", true)
	deliverNow(u, chat.NearbyChanged{Workspaces: []chat.NearbyWorkspace{{Tag: "3f9a", Colleagues: 5}}})
	if !u.openPanel.obj.Visible() || !u.banner.obj.Visible() {
		t.Fatal("open-mode strip or banner not shown")
	}
	for _, pref := range []string{chat.ThemeLight, chat.ThemeDark, chat.ThemeSystem} {
		applyTheme(u.app, pref)
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			if c := u.app.Settings().Theme().Color(colorNameOnColour, v); !sameColour(c, color.White) {
				t.Errorf("theme %q, variant %d: text on colour is %v, want white", pref, v, c)
			}
		}
	}

	var white, overrides int
	walk(u.win.Canvas().Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *container.ThemeOverride:
			overrides++
		case *canvas.Text:
			if x.Text == "Could not reach Bob" || x.Text == "1 private workspace on this network (5 colleagues)." {
				if !sameColour(x.Color, color.White) {
					t.Errorf("%q drawn in %v, want white", x.Text, x.Color)
				}
				white++
			}
		}
	})
	if overrides > 0 {
		t.Errorf("%d theme overrides in the window", overrides)
	}
	if white != 2 {
		t.Errorf("found %d of the 2 texts on colour", white)
	}
}

func sameColour(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
