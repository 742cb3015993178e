package chat

import "unicode"

// hiddenRanges are runes that draw nothing, or change how their neighbours
// draw, beyond what the range tables below already hold: filler letters
// and the tag block, listed whole so a newer Unicode cannot move them.
var hiddenRanges = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x00ad, Hi: 0x00ad, Stride: 1}, // soft hyphen
		{Lo: 0x034f, Hi: 0x034f, Stride: 1}, // combining grapheme joiner
		{Lo: 0x115f, Hi: 0x1160, Stride: 1}, // Hangul choseong and jungseong fillers
		{Lo: 0x17b4, Hi: 0x17b5, Stride: 1}, // Khmer inherent vowels
		{Lo: 0x180b, Hi: 0x180f, Stride: 1}, // Mongolian selectors and vowel separator
		{Lo: 0x200b, Hi: 0x200f, Stride: 1}, // zero-width space, joiners, direction marks
		{Lo: 0x2028, Hi: 0x202e, Stride: 1}, // line and paragraph separators, bidi embeddings
		{Lo: 0x2060, Hi: 0x206f, Stride: 1}, // word joiner, invisible operators, bidi isolates
		{Lo: 0x3164, Hi: 0x3164, Stride: 1}, // Hangul filler
		{Lo: 0xfe00, Hi: 0xfe0f, Stride: 1}, // variation selectors
		{Lo: 0xfeff, Hi: 0xfeff, Stride: 1}, // zero-width no-break space
		{Lo: 0xffa0, Hi: 0xffa0, Stride: 1}, // half-width Hangul filler
		{Lo: 0xfff0, Hi: 0xfffb, Stride: 1}, // unassigned specials and interlinear annotations
	},
	R32: []unicode.Range32{
		{Lo: 0x1bca0, Hi: 0x1bca3, Stride: 1}, // shorthand format controls
		{Lo: 0xe0000, Hi: 0xe0fff, Stride: 1}, // tags and variation selectors supplement
	},
}

// hiddenTables are the Unicode properties of runes a reader cannot see:
// default-ignorable code points, format characters, bidi controls,
// variation selectors and joiners.
var hiddenTables = []*unicode.RangeTable{
	hiddenRanges,
	unicode.Other_Default_Ignorable_Code_Point,
	unicode.Cf,
	unicode.Bidi_Control,
	unicode.Variation_Selector,
	unicode.Join_Control,
}

// isHiddenInName reports runes a display name or a room name must not
// hold: control characters, and every rune that is invisible or changes
// how the text around it displays, which would let two names that look
// the same differ, or a name display as something it is not. Emoji
// sequences built with the zero-width joiner (U+200D) or presented with a
// variation selector (U+FE0F) are refused with them; single emoji are not.
func isHiddenInName(r rune) bool {
	return isControl(r) || unicode.IsOneOf(hiddenTables, r)
}
