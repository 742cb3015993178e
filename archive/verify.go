package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	hcrypto "hallway/crypto"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Statuses of a message in a Report.
const (
	StatusVerified = "verified" // its author's proof holds and nothing in it changed
	StatusUnsigned = "unsigned" // stored before signatures existed; unchanged since export
	StatusTampered = "tampered" // changed after export, or its proof fails
)

// Report is what Verify found.
type Report struct {
	Format      string          `json:"format"` // "json" or "html"
	ExportedAt  string          `json:"exported_at,omitempty"`
	Signer      Author          `json:"signer"` // the exporting node, as the file names it
	DigestOK    bool            `json:"digest_ok"`
	SignatureOK bool            `json:"signature_ok"`
	PageOK      *bool           `json:"page_ok,omitempty"` // HTML: the page shows exactly the data
	Verified    int             `json:"verified"`
	Unsigned    int             `json:"unsigned"`
	Tampered    int             `json:"tampered"`
	Messages    []MessageResult `json:"messages"`
	// Forks is the verdict on each room's fork evidence.
	Forks []ForkResult `json:"forks,omitempty"`
	// Logs is the audit of each room's membership log (Options.Logs).
	Logs []LogResult `json:"logs,omitempty"`
	// Problems lists what is wrong outside single messages.
	Problems []string `json:"problems,omitempty"`
}

// MessageResult is one message's verdict.
type MessageResult struct {
	Index  int    `json:"index"` // position in the export, from 0
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// OK reports whether the export is exactly as its signer wrote it and every
// signed message verifies. Unsigned messages do not make it fail.
func (r *Report) OK() bool {
	return r.DigestOK && r.SignatureOK && r.Tampered == 0 && len(r.Problems) == 0 && (r.PageOK == nil || *r.PageOK)
}

// TamperedIDs lists the ids of the messages found tampered.
func (r *Report) TamperedIDs() []string {
	var ids []string
	for _, m := range r.Messages {
		if m.Status == StatusTampered {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

func (r *Report) add(res MessageResult) {
	switch res.Status {
	case StatusVerified:
		r.Verified++
	case StatusUnsigned:
		r.Unsigned++
	default:
		r.Tampered++
	}
	r.Messages = append(r.Messages, res)
}

// MaxExportBytes bounds what Verify reads into memory.
const MaxExportBytes = 4 << 30

// Verify checks an export, JSON or HTML, with nothing but its bytes: that
// the body is what the exporter signed (digest and signature), that every
// message is unchanged (its recorded hash) and its author's proof holds,
// and, for HTML, that the page shows exactly the embedded data. It never
// fails: what it finds wrong is in the report.
func Verify(data []byte) *Report { return VerifyWith(data, Options{}) }

// VerifyWith is Verify, checking also what o asks for.
func VerifyWith(data []byte, o Options) *Report {
	if looksLikeHTML(data) {
		return verifyHTML(data, o)
	}
	r := &Report{Format: "json"}
	verifyJSON(r, data, o)
	return r
}

func verifyJSON(r *Report, data []byte, o Options) {
	var doc Document
	if err := decodeStrict(data, &doc); err != nil {
		r.problem("%v: %v", errNotExport, err)
		nameBroken(r, data, err)
		return
	}
	if doc.Format != Format || doc.Version != Version {
		r.problem("%v: format %q version %d (this Hallway reads %q version %d)", errNotExport, doc.Format, doc.Version, Format, Version)
		return
	}
	sum := sha256.Sum256(doc.Body)
	want := digestPrefix + hex.EncodeToString(sum[:])
	r.DigestOK = doc.Digest == want
	if !r.DigestOK {
		r.problem("the body does not match its digest: the export was changed after it was written")
	}
	if err := checkExportSignature(doc.Signature, sum[:]); err != nil {
		r.problem("the exporter's signature does not hold: %v", err)
	} else {
		r.SignatureOK = true
	}
	r.Signer.PeerID = doc.Signature.Signer
	var body Body
	if err := decodeStrict(doc.Body, &body); err != nil {
		r.problem("the body cannot be read: %v", err)
		verifyLeniently(r, doc.Body)
		return
	}
	r.ExportedAt = body.ExportedAt
	if body.ExportedBy.PeerID != doc.Signature.Signer {
		r.problem("exported by %s but signed by %s", body.ExportedBy.PeerID, doc.Signature.Signer)
	}
	r.Signer = body.ExportedBy
	checkAuthors(r, append([]Author{body.ExportedBy}, body.Authors...))
	checkForks(r, body.Rooms)
	for i := range body.Messages {
		r.add(checkMessage(i, &body.Messages[i]))
	}
	if o.Logs != nil {
		auditLogs(r, &body, o.Logs)
	}
}

// verifyLeniently names what it can when the body as a whole cannot be
// decoded: each message that decodes alone is checked, each that does not
// is tampered.
func verifyLeniently(r *Report, body []byte) {
	var loose struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(body, &loose); err != nil {
		nameBroken(r, body, err)
		return
	}
	for i, raw := range loose.Messages {
		var m Message
		if err := decodeStrict(raw, &m); err != nil {
			r.add(MessageResult{Index: i, ID: idIn(raw), Status: StatusTampered, Reason: fmt.Sprintf("cannot be read: %v", err)})
			continue
		}
		r.add(checkMessage(i, &m))
	}
}

var idField = regexp.MustCompile(`"id":"((?:[^"\\]|\\.){0,200})"`)

// idIn finds the id a damaged message object starts with.
func idIn(raw []byte) string {
	if m := idField.FindSubmatch(raw); m != nil {
		return string(m[1])
	}
	return ""
}

// nameBroken names the message in which the JSON stops being valid, when
// the damage lies inside the messages.
func nameBroken(r *Report, data []byte, err error) {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return
	}
	// The offending byte is the last one read.
	at := int(min(max(se.Offset-1, 0), int64(len(data))))
	start := bytes.Index(data, []byte(`"messages": [`))
	if start < 0 || at < start {
		return
	}
	line := bytes.LastIndexByte(data[:at], '\n')
	if line < start {
		return
	}
	// Each message has a line of its own (see Writer).
	index := bytes.Count(data[start:line], []byte("\n"))
	end := bytes.IndexByte(data[line+1:], '\n')
	if end < 0 {
		end = len(data) - line - 1
	}
	id := idIn(data[line : line+1+end])
	r.add(MessageResult{Index: index, ID: id, Status: StatusTampered, Reason: "the message is no longer valid JSON"})
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err == nil {
		return errors.New("trailing data")
	}
	return nil
}

// publicKeyOf decodes a base64 libp2p public key and checks it is the key
// the peer ID inlines.
func publicKeyOf(peerID, b64 string) (ic.PubKey, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("public key: %v", err)
	}
	pub, err := ic.UnmarshalPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("public key: %v", err)
	}
	id, err := peer.Decode(peerID)
	if err != nil {
		return nil, fmt.Errorf("peer ID %q: %v", peerID, err)
	}
	inlined, err := hcrypto.PublicKeyOfPeerID([]byte(id))
	if err != nil {
		return nil, fmt.Errorf("peer ID %s: %v", peerID, err)
	}
	if !inlined.Equals(pub) {
		return nil, fmt.Errorf("public key is not the key of %s", peerID)
	}
	return pub, nil
}

func checkExportSignature(s Signature, digest []byte) error {
	pub, err := publicKeyOf(s.Signer, s.PublicKey)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(s.Value)
	if err != nil {
		return fmt.Errorf("signature: %v", err)
	}
	ok, err := pub.Verify(append([]byte(signatureDomain), digest...), sig)
	if err != nil || !ok {
		return errors.New("bad signature")
	}
	return nil
}

// checkAuthors checks that each author's key is theirs and the
// fingerprint is the key's.
func checkAuthors(r *Report, authors []Author) {
	for _, a := range authors {
		pub, err := publicKeyOf(a.PeerID, a.PublicKey)
		if err != nil {
			r.problem("author %s: %v", a.PeerID, err)
			continue
		}
		if fp := hcrypto.Fingerprint(pub); !strings.EqualFold(fp, a.Fingerprint) {
			r.problem("author %s: fingerprint %q is not the key's (%s)", a.PeerID, a.Fingerprint, fp)
		}
	}
}
