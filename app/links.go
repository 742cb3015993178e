package app

import (
	"net/url"
	"regexp"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// linkPattern finds web and mail links in message text.
var linkPattern = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"]+|\bmailto:[^\s<>"]+`)

// textSegments splits a message into text and clickable links. Only
// http, https and mailto links are made clickable: a message cannot make
// the window open a file or run a program.
func textSegments(text string) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	plain := func(s string) {
		if s != "" {
			segs = append(segs, &widget.TextSegment{Text: s, Style: widget.RichTextStyleInline})
		}
	}
	last := 0
	for _, loc := range linkPattern.FindAllStringIndex(text, -1) {
		raw := strings.TrimRight(text[loc[0]:loc[1]], ".,;:!?)]}'")
		end := loc[0] + len(raw)
		target := raw
		if strings.HasPrefix(strings.ToLower(raw), "www.") {
			target = "https://" + raw
		}
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
			continue
		}
		plain(text[last:loc[0]])
		segs = append(segs, &widget.HyperlinkSegment{Text: raw, URL: u})
		last = end
	}
	plain(text[last:])
	if len(segs) == 0 {
		plain(" ")
	}
	return segs
}

// messageSegments is a message's text as the conversation shows it: its
// links, and each mention as "@" and the name that key is known by here,
// in bold, in the accent colour when it is the reader.
func messageSegments(text string, name func(id string) string, self string) []widget.RichTextSegment {
	parts := chat.SplitMentions(text)
	if len(parts) == 1 && parts[0].Mention == "" {
		return textSegments(text)
	}
	var segs []widget.RichTextSegment
	for _, p := range parts {
		if p.Mention == "" {
			segs = append(segs, textSegments(p.Text)...)
			continue
		}
		style := widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}
		if p.Mention == self {
			style.ColorName = theme.ColorNamePrimary
		}
		segs = append(segs, &widget.TextSegment{Text: "@" + name(p.Mention), Style: style})
	}
	return segs
}
