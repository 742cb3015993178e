package app

import (
	"image/color"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// fixedTheme is the default theme held to one variant, for a user who
// wants light or dark whatever the desktop says.
type fixedTheme struct{ variant fyne.ThemeVariant }

func (t fixedTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return theme.DefaultTheme().Color(n, t.variant)
}
func (fixedTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (fixedTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (fixedTheme) Size(n fyne.ThemeSizeName) float32       { return theme.DefaultTheme().Size(n) }

// applyTheme follows the desktop's light or dark setting ("system"), or
// holds one.
func applyTheme(a fyne.App, pref string) {
	var want fyne.Theme
	switch pref {
	case chat.ThemeLight:
		want = fixedTheme{theme.VariantLight}
	case chat.ThemeDark:
		want = fixedTheme{theme.VariantDark}
	default:
		want = theme.DefaultTheme()
	}
	if a.Settings().Theme() != want {
		a.Settings().SetTheme(want)
	}
}

// onColourTheme draws text white, for banners on a strong background.
type onColourTheme struct{}

func (onColourTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameForeground {
		return color.White
	}
	return fyne.CurrentApp().Settings().Theme().Color(n, v)
}
func (onColourTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }
func (onColourTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return theme.DefaultTheme().Icon(n)
}
func (onColourTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }

// onColour shows o with white text.
func onColour(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, onColourTheme{})
}
