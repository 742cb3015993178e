package archive

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"hallway/chat"
)

// The page embeds the JSON export it was made from, unchanged, between
// these two markers; verification re-renders the page from it and compares.
const (
	dataOpen  = `<script type="application/json" id="hallway-export">`
	dataClose = `</script>`
)

// WriteHTML renders a JSON export (as Writer wrote it, read from src) as
// one self-contained page: inline style, no script that runs, no external
// resource, every text escaped. The page is a function of the export
// alone, which is how verification checks it. src is read twice: once to
// render, once to embed.
func WriteHTML(out io.Writer, src io.ReadSeeker) error {
	w := bufio.NewWriterSize(out, 64<<10)
	p := &page{w: w}
	if err := p.render(json.NewDecoder(src)); err != nil {
		return fmt.Errorf("export page: %w", err)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("export page: %w", err)
	}
	w.WriteString(dataOpen)
	if err := copyData(w, src); err != nil {
		return fmt.Errorf("export page: %w", err)
	}
	w.WriteString(dataClose + "\n</body>\n</html>\n")
	return w.Flush()
}

// copyData embeds the export. JSON as Writer writes it escapes '<', so it
// cannot close the script element; anything else is refused.
func copyData(w io.Writer, src io.Reader) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if bytes.IndexByte(buf[:n], '<') >= 0 {
			return errors.New("the export holds a raw '<' and cannot be embedded")
		}
		if _, werr := w.Write(buf[:n]); werr != nil {
			return werr
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

type page struct {
	w       *bufio.Writer
	head    Body
	names   map[string]Author
	conv    string // the conversation whose section is open
	count   int
	digest  string
	signer  Signature
	started bool
}

func esc(s string) string { return html.EscapeString(s) }

func (p *page) printf(format string, args ...any) { fmt.Fprintf(p.w, format, args...) }

// render walks the export's tokens, so that messages stream through.
func (p *page) render(dec *json.Decoder) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := nextKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "body":
			if err := p.body(dec); err != nil {
				return err
			}
		case "digest":
			err = dec.Decode(&p.digest)
		case "signature":
			err = dec.Decode(&p.signer)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	p.footer()
	return nil
}

func (p *page) body(dec *json.Decoder) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := nextKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "exported_at":
			err = dec.Decode(&p.head.ExportedAt)
		case "exported_by":
			err = dec.Decode(&p.head.ExportedBy)
		case "scope":
			err = dec.Decode(&p.head.Scope)
		case "authors":
			err = dec.Decode(&p.head.Authors)
		case "rooms":
			err = dec.Decode(&p.head.Rooms)
		case "files":
			err = dec.Decode(&p.head.Files)
		case "messages":
			err = p.messages(dec)
		default:
			return fmt.Errorf("unknown field %q", key)
		}
		if err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

func (p *page) messages(dec *json.Decoder) error {
	p.header()
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for dec.More() {
		var m Message
		if err := dec.Decode(&m); err != nil {
			return err
		}
		p.message(&m)
	}
	if p.conv != "" {
		p.w.WriteString("</section>\n")
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}

func nextKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected a key, found %v", tok)
	}
	return key, nil
}

const pageStyle = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK JP",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header,section,footer{max-width:920px;margin:0 auto;padding:16px 24px}
header{background:#fff;border-bottom:1px solid #dde1e7}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #dde1e7;padding-bottom:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dt{color:#5b6475}dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7ec;vertical-align:top;word-break:break-all}
.msg{background:#fff;border:1px solid #e4e7ec;border-radius:6px;margin:6px 0;padding:8px 12px}
.meta{font-size:12px;color:#5b6475}.who{font-weight:600;color:#1d2330}.fp{font-family:ui-monospace,monospace}
.text{white-space:pre-wrap;word-wrap:break-word;margin-top:4px}.event{color:#5b6475;font-style:italic}
.proof{float:right;font-size:11px;padding:0 6px;border-radius:8px}.signed{background:#e3f4e8;color:#1c6b35}.unsigned{background:#fdf1d8;color:#7a5600}
.ok{color:#1c6b35}.warn{color:#a61b1b;font-weight:600}.claim{color:#7a5600}
.note{font-size:13px;color:#5b6475}.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}`

func (p *page) header() {
	if p.started {
		return
	}
	p.started = true
	p.names = map[string]Author{p.head.ExportedBy.PeerID: p.head.ExportedBy}
	for _, a := range p.head.Authors {
		p.names[a.PeerID] = a
	}
	by := p.head.ExportedBy
	p.printf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p.printf("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p.printf("<meta name=\"generator\" content=\"%s %d\">\n", Format, Version)
	p.printf("<title>Hallway export by %s, %s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n", esc(by.Name), esc(p.head.ExportedAt), pageStyle)
	p.printf("<header>\n<h1>Hallway export</h1>\n<dl>\n")
	p.printf("<dt>Exported by</dt><dd>%s</dd>\n", esc(by.Name))
	p.printf("<dt>Fingerprint</dt><dd class=\"fp\">%s</dd>\n", esc(by.Fingerprint))
	p.printf("<dt>Peer ID</dt><dd class=\"mono\">%s</dd>\n", esc(by.PeerID))
	p.printf("<dt>Exported at</dt><dd>%s</dd>\n", esc(p.head.ExportedAt))
	sc := p.head.Scope
	scope := "every conversation"
	if sc.Conversation != "" {
		scope = sc.Conversation
	}
	p.printf("<dt>Scope</dt><dd>%s", esc(scope))
	if sc.Since != "" {
		p.printf(", from %s", esc(sc.Since))
	}
	if sc.Until != "" {
		p.printf(", until %s", esc(sc.Until))
	}
	p.printf("</dd>\n</dl>\n<p class=\"note\">Every message carries its author's signature. To check that nothing on this page was changed, run <code>hallway verify-export</code> on this file; it needs no network and no Hallway running. Times are UTC.</p>\n</header>\n")
	p.printf("<section class=\"people\">\n<h2>People</h2>\n<p class=\"note\">Each person is their key: the name is the one the exporter knows that key by, never what a message claims.</p>\n<table>\n<tr><th>Name</th><th>Fingerprint</th><th>Peer ID</th></tr>\n")
	for _, a := range p.head.Authors {
		p.printf("<tr><td>%s%s</td><td class=\"fp\">%s</td><td class=\"mono\">%s</td></tr>\n", esc(a.Name), marks(a), esc(a.Fingerprint), esc(a.PeerID))
	}
	p.printf("</table>\n</section>\n")
}

func (p *page) message(m *Message) {
	if m.ConversationID != p.conv {
		if p.conv != "" {
			p.w.WriteString("</section>\n")
		}
		p.conv = m.ConversationID
		title := m.ConversationName
		if m.Room {
			title = "#" + title
		} else {
			title = "Conversation with " + title
		}
		p.printf("<section class=\"conv\">\n<h2>%s</h2>\n<p class=\"mono\">%s</p>\n", esc(title), esc(m.ConversationID))
	}
	p.count++
	// The name is the one the author's key is known by; a room message's
	// own claim is shown apart, quoted, when it says something else.
	a := p.names[m.From]
	who := a.Name
	if who == "" {
		who = "(no name)"
	}
	claim := ""
	if m.Room && m.FromName != a.Name {
		claim = fmt.Sprintf(" <span class=\"claim\">signed as %s</span>", esc(strconv.Quote(m.FromName)))
	}
	proof, label := "signed", "signed"
	if m.Proof.Type == ProofNone {
		proof, label = "unsigned", "unsigned"
	}
	p.printf("<article class=\"msg\" id=\"m-%s\">\n", esc(m.ID))
	p.printf("<div class=\"meta\"><span class=\"proof %s\">%s</span><span class=\"who\">%s</span>%s <span class=\"fp\">%s</span>%s · <time>%s</time> · <span class=\"mono\">%s</span></div>\n",
		proof, label, esc(who), marks(a), esc(shortPrint(a.Fingerprint)), claim, esc(m.Time), esc(m.ID))
	switch {
	case m.Kind == string(chat.KindJoin):
		p.printf("<div class=\"text event\">%s joined</div>\n", esc(who))
	case m.Kind == string(chat.KindLeave):
		p.printf("<div class=\"text event\">%s left</div>\n", esc(who))
	case m.File != nil:
		p.printf("<div class=\"text\">File: %s (%s, content hash <span class=\"mono\">%s</span>)</div>\n",
			esc(m.File.Name), esc(humanBytes(m.File.Size)), esc(m.File.Hash))
	case m.Invite != nil:
		p.printf("<div class=\"text\">%s</div>\n<div class=\"meta\">Invitation to #%s (<span class=\"mono\">%s</span>)</div>\n",
			esc(m.Text), esc(m.Invite.Name), esc(m.Invite.Room))
	default:
		p.printf("<div class=\"text\">%s</div>\n", esc(m.Text))
	}
	p.w.WriteString("</article>\n")
}

func (p *page) footer() {
	p.header() // an export without a messages list still gets its head
	if len(p.head.Files) > 0 {
		p.printf("<section class=\"files\">\n<h2>Files</h2>\n<table>\n<tr><th>Name</th><th>Size</th><th>Direction</th><th>State</th><th>Content hash</th></tr>\n")
		for _, f := range p.head.Files {
			dir := "received"
			if f.Direction == "out" {
				dir = "sent"
			}
			p.printf("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=\"mono\">%s</td></tr>\n",
				esc(f.Name), esc(humanBytes(f.Size)), dir, esc(f.State), esc(f.Hash))
		}
		p.printf("</table>\n</section>\n")
	}
	p.printf("<footer>\n<h2>Proof</h2>\n<dl>\n<dt>Messages</dt><dd>%d</dd>\n", p.count)
	p.printf("<dt>Digest</dt><dd class=\"mono\">%s</dd>\n", esc(p.digest))
	p.printf("<dt>Signed by</dt><dd class=\"mono\">%s</dd>\n", esc(p.signer.Signer))
	p.printf("<dt>Signature</dt><dd class=\"mono\">%s</dd>\n</dl>\n</footer>\n", esc(p.signer.Value))
}

// shortPrint is the first group of a fingerprint.
// shortPrint is the first two groups of a fingerprint, enough to tell
// two keys apart at a glance (one group is cheap to collide).
func shortPrint(fp string) string {
	groups := strings.FieldsFunc(fp, func(r rune) bool { return r == ' ' || r == '-' })
	return strings.Join(groups[:min(2, len(groups))], " ")
}

// marks are the verified mark and the warning of an author.
func marks(a Author) string {
	var s string
	if a.Verified {
		s += ` <span class="ok">✓ verified</span>`
	}
	if a.Warning != "" {
		s += ` <span class="warn">⚠ ` + esc(a.Warning) + `</span>`
	}
	return s
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
