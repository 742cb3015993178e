package app

import (
	"image/color"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// colorNameOnColour is text and icons on the strong background of a
// banner or a warning: white in light and dark alike.
const colorNameOnColour fyne.ThemeColorName = "hallwayOnColour"

// appTheme is the default theme, following the desktop's light or dark
// setting or, when fixed, held to one variant, for a user who wants light
// or dark whatever the desktop says. It also answers colorNameOnColour.
type appTheme struct {
	fixed   bool
	variant fyne.ThemeVariant
}

func (t appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == colorNameOnColour {
		return color.White
	}
	if t.fixed {
		v = t.variant
	}
	return theme.DefaultTheme().Color(n, v)
}
func (appTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (appTheme) Size(n fyne.ThemeSizeName) float32       { return theme.DefaultTheme().Size(n) }

// applyTheme follows the desktop's light or dark setting ("system"), or
// holds one.
func applyTheme(a fyne.App, pref string) {
	want := appTheme{}
	switch pref {
	case chat.ThemeLight:
		want = appTheme{fixed: true, variant: theme.VariantLight}
	case chat.ThemeDark:
		want = appTheme{fixed: true, variant: theme.VariantDark}
	}
	if a.Settings().Theme() != fyne.Theme(want) {
		a.Settings().SetTheme(want)
	}
}

// onColourLabel is wrapped text drawn in colorNameOnColour, for a banner
// or a warning on a strong background. It is a rich text whose one
// segment names the colour, laid out as a label, rather than a label
// under a theme override: Fyne gives every override, and every refresh
// of one, its own font cache, which parses the fonts (the emoji font
// with them) again, about 8 MB per text style, never freed.
type onColourLabel struct {
	obj *widget.RichText
	seg *widget.TextSegment
}

func newOnColourLabel(bold bool) *onColourLabel {
	seg := &widget.TextSegment{Style: widget.RichTextStyle{
		Inline: true, ColorName: colorNameOnColour, TextStyle: fyne.TextStyle{Bold: bold}, SizeName: theme.SizeNameText,
	}}
	obj := widget.NewRichText(seg)
	obj.Wrapping = fyne.TextWrapWord
	return &onColourLabel{obj: obj, seg: seg}
}

// Text is the text shown.
func (l *onColourLabel) Text() string { return l.seg.Text }

// SetText shows s.
func (l *onColourLabel) SetText(s string) {
	l.seg.Text = s
	l.obj.Refresh()
}
