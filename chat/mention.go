package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A message mentions a colleague by key, never by name: its text holds
// the token "<@" + peer id + ">" where the author typed "@Name". Whoever
// shows the message puts back the name that key is known by to the
// reader, so a mention survives a rename and a look-alike name cannot
// pass for the colleague. The token is part of the signed text.

const (
	mentionOpen  = "<@"
	mentionClose = ">"
	// maxMentionID bounds the peer id inside a token (an Ed25519 peer id
	// has 52 characters).
	maxMentionID = 64
)

// MentionToken is how a text mentions the colleague with peer id id.
func MentionToken(id string) string { return mentionOpen + id + mentionClose }

// TextPart is a run of a text: plain, or a mention of Mention's key.
type TextPart struct {
	Text    string
	Mention string // the peer id mentioned; "" for plain text
}

// SplitMentions cuts text into plain runs and mentions, in order. Only a
// well-formed token (a base58 peer id between "<@" and ">") is a mention.
func SplitMentions(text string) []TextPart {
	var out []TextPart
	for text != "" {
		i := strings.Index(text, mentionOpen)
		if i < 0 {
			break
		}
		rest := text[i+len(mentionOpen):]
		j := strings.Index(rest, mentionClose)
		if j <= 0 || j > maxMentionID || !isBase58(rest[:j]) {
			out = appendPlain(out, text[:i+len(mentionOpen)])
			text = rest
			continue
		}
		out = appendPlain(out, text[:i])
		out = append(out, TextPart{Text: text[i : i+len(mentionOpen)+j+1], Mention: rest[:j]})
		text = rest[j+1:]
	}
	return appendPlain(out, text)
}

func appendPlain(parts []TextPart, s string) []TextPart {
	if s == "" {
		return parts
	}
	if n := len(parts); n > 0 && parts[n-1].Mention == "" {
		parts[n-1].Text += s
		return parts
	}
	return append(parts, TextPart{Text: s})
}

func isBase58(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", r) {
			return false
		}
	}
	return s != ""
}

// Mentions lists the peer ids text mentions, first mention first, each
// once.
func Mentions(text string) []string {
	var ids []string
	for _, p := range SplitMentions(text) {
		if p.Mention != "" && !contains(ids, p.Mention) {
			ids = append(ids, p.Mention)
		}
	}
	return ids
}

func contains(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}

// RenderMentions is text as a reader sees it: each mention as "@" and the
// name its key is known by.
func RenderMentions(text string, name func(id string) string) string {
	var b strings.Builder
	for _, p := range SplitMentions(text) {
		if p.Mention != "" {
			b.WriteString("@" + name(p.Mention))
			continue
		}
		b.WriteString(p.Text)
	}
	return b.String()
}

// EncodeMentions turns each "@Name" the author typed into the token of
// the colleague called Name among members (peer id → name), matching
// names without regard to case and preferring the longest. A name two
// keys share is left as typed, as is one followed by a letter or digit
// ("@Annabel" is not Ann).
func EncodeMentions(text string, members map[string]string) string {
	if !strings.Contains(text, "@") || len(members) == 0 {
		return text
	}
	owners := map[string][]string{}
	for id, name := range members {
		if name != "" {
			k := strings.ToLower(name)
			owners[k] = append(owners[k], id)
		}
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '@')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		rest := text[i+1:]
		best, id := 0, ""
		for name, ids := range owners {
			n := len(name)
			if n <= best || len(rest) < n || strings.ToLower(rest[:n]) != name || !wordEnd(rest[n:]) {
				continue
			}
			best, id = n, ""
			if len(ids) == 1 {
				id = ids[0]
			}
		}
		if id == "" {
			b.WriteByte('@')
			text = rest
			continue
		}
		b.WriteString(MentionToken(id))
		text = rest[best:]
	}
}

// wordEnd reports whether a name may end where s starts.
func wordEnd(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s == "" || !(unicode.IsLetter(r) || unicode.IsDigit(r))
}
