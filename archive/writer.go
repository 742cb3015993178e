package archive

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
)

// signatureDomain precedes the digest in what the exporter signs, so the
// signature cannot be passed off as one over anything else.
const signatureDomain = "hallway-export-v1\x00"

// digestPrefix names the digest's algorithm in the file.
const digestPrefix = "sha256:"

// Signer is the exporting node's identity.
type Signer interface {
	PeerID() string
	PublicKey() []byte // libp2p-marshalled
	Sign(data []byte) ([]byte, error)
}

// Writer writes an export as JSON, one message at a time, so that an
// export of any size needs little memory. The layout is fixed (see
// docs/ARCHIVE.md): every author, room, file and message is one compact
// JSON object on a line of its own, and JSON's HTML-sensitive characters
// are escaped, so that the file embeds as is in a web page.
type Writer struct {
	out      *bufio.Writer
	digest   hash.Hash
	body     io.Writer // out and digest
	messages int
	err      error
}

// NewWriter starts an export on out with everything of head but its
// messages, which follow through Message.
func NewWriter(out io.Writer, head Body) (*Writer, error) {
	w := &Writer{out: bufio.NewWriterSize(out, 64<<10), digest: sha256.New()}
	w.body = io.MultiWriter(w.out, w.digest)
	fmt.Fprintf(w.out, "{\n \"format\": %q,\n \"version\": %d,\n \"body\": ", Format, Version)
	w.write("{\n")
	w.field("exported_at", head.ExportedAt, ",")
	w.field("exported_by", head.ExportedBy, ",")
	w.field("scope", head.Scope, ",")
	w.list("authors", len(head.Authors), func(i int) any { return head.Authors[i] })
	w.write(",\n")
	w.list("rooms", len(head.Rooms), func(i int) any { return head.Rooms[i] })
	w.write(",\n")
	w.list("files", len(head.Files), func(i int) any { return head.Files[i] })
	w.write(",\n  \"messages\": [")
	return w, w.err
}

// Message appends m, filling in its Hash.
func (w *Writer) Message(m Message) error {
	m.Hash = m.RecordHash()
	if w.messages > 0 {
		w.write(",")
	}
	w.write("\n   ")
	w.value(m)
	w.messages++
	return w.err
}

// Close ends the body, then writes its digest and the signer's signature
// of the digest.
func (w *Writer) Close(s Signer) error {
	if w.messages > 0 {
		w.write("\n  ")
	}
	w.write("]\n }")
	if w.err != nil {
		return w.err
	}
	sum := w.digest.Sum(nil)
	sig, err := s.Sign(append([]byte(signatureDomain), sum...))
	if err != nil {
		return fmt.Errorf("export: sign: %w", err)
	}
	signature := Signature{Signer: s.PeerID(), PublicKey: base64.StdEncoding.EncodeToString(s.PublicKey()),
		Value: base64.StdEncoding.EncodeToString(sig)}
	sb, err := json.Marshal(signature)
	if err != nil {
		return err
	}
	fmt.Fprintf(w.out, ",\n \"digest\": %q,\n \"signature\": %s\n}\n", digestPrefix+hex.EncodeToString(sum), sb)
	return w.out.Flush()
}

// Messages is how many messages were written.
func (w *Writer) Messages() int { return w.messages }

func (w *Writer) write(s string) {
	if w.err == nil {
		_, w.err = io.WriteString(w.body, s)
	}
}

func (w *Writer) value(v any) {
	if w.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("export: %w", err)
		return
	}
	_, w.err = w.body.Write(b)
}

func (w *Writer) field(name string, v any, sep string) {
	w.write("  \"" + name + "\": ")
	w.value(v)
	w.write(sep + "\n")
}

func (w *Writer) list(name string, n int, item func(int) any) {
	w.write("  \"" + name + "\": [")
	for i := range n {
		if i > 0 {
			w.write(",")
		}
		w.write("\n   ")
		w.value(item(i))
	}
	if n > 0 {
		w.write("\n  ")
	}
	w.write("]")
}

// errNotExport is the problem with a file that is not an export at all.
var errNotExport = errors.New("not a Hallway export")
