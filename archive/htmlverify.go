package archive

import (
	"bytes"
	"html"
)

func looksLikeHTML(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	const doctype = "<!doctype html"
	return len(trimmed) >= len(doctype) && bytes.EqualFold(trimmed[:len(doctype)], []byte(doctype))
}

// verifyHTML checks the export the page embeds, then that the page is
// exactly what that export renders to; where it is not, it names the
// messages shown differently.
func verifyHTML(data []byte, o Options) *Report {
	r := &Report{Format: "html"}
	pageOK := false
	r.PageOK = &pageOK
	i := bytes.Index(data, []byte(dataOpen))
	if i < 0 {
		r.problem("%v: the page embeds no export data", errNotExport)
		return r
	}
	start := i + len(dataOpen)
	j := bytes.Index(data[start:], []byte(dataClose))
	if j < 0 {
		r.problem("%v: the embedded export data is cut short", errNotExport)
		return r
	}
	embedded := data[start : start+j]
	verifyJSON(r, embedded, o)
	var want bytes.Buffer
	if err := WriteHTML(&want, bytes.NewReader(embedded)); err != nil {
		r.problem("the page cannot be rebuilt from its data: %v", err)
		return r
	}
	if bytes.Equal(want.Bytes(), data) {
		pageOK = true
		return r
	}
	wantArts, wantRest := articles(want.Bytes())
	gotArts, gotRest := articles(data)
	for id, w := range wantArts {
		if g, ok := gotArts[id]; !ok || !bytes.Equal(g, w) {
			markTampered(r, id, "the page shows this message differently from its signed data")
		}
	}
	for id := range gotArts {
		if _, ok := wantArts[id]; !ok {
			markTampered(r, id, "the page shows a message its data does not hold")
		}
	}
	if !bytes.Equal(wantRest, gotRest) {
		r.problem("the page outside the messages differs from its data")
	}
	return r
}

const (
	articleOpen  = `<article class="msg" id="m-`
	articleClose = "</article>\n"
)

// articles splits a page into its message blocks, by message id, and the
// rest of the page.
func articles(page []byte) (map[string][]byte, []byte) {
	arts := map[string][]byte{}
	var rest []byte
	for {
		i := bytes.Index(page, []byte(articleOpen))
		if i < 0 {
			return arts, append(rest, page...)
		}
		rest = append(rest, page[:i]...)
		page = page[i:]
		end := bytes.Index(page, []byte(articleClose))
		if end < 0 {
			end = len(page)
		} else {
			end += len(articleClose)
		}
		block := page[:end]
		id := block[len(articleOpen):]
		if q := bytes.IndexByte(id, '"'); q >= 0 {
			id = id[:q]
		}
		key := html.UnescapeString(string(id))
		if _, dup := arts[key]; dup {
			key += "\x00" + string(block) // two blocks claim one id: keep both apart
		}
		arts[key] = block
		page = page[end:]
	}
}

// markTampered records that the page alters message id.
func markTampered(r *Report, id, reason string) {
	if k := bytes.IndexByte([]byte(id), 0); k >= 0 {
		id = id[:k]
	}
	for i := range r.Messages {
		m := &r.Messages[i]
		if m.ID != id {
			continue
		}
		switch m.Status {
		case StatusVerified:
			r.Verified--
		case StatusUnsigned:
			r.Unsigned--
		default:
			return // already tampered, with its own reason
		}
		r.Tampered++
		m.Status, m.Reason = StatusTampered, reason
		return
	}
	r.add(MessageResult{Index: -1, ID: id, Status: StatusTampered, Reason: reason})
}
