package control

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hallway/chat"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// sampleQuery is the query a golden request sends, for routes chosen by it.
var sampleQuery = map[string]string{"trust_of": "peer=Bob"}

// serveRoute sends a minimal valid request for rt to h.
func serveRoute(h http.Handler, rt Route) *httptest.ResponseRecorder {
	body := strings.NewReader("")
	switch {
	case rt.Method == http.MethodGet:
	case rt.Request == rt.Response:
		// The reply echoes the request (prefs_set): send it filled.
		b, _ := json.Marshal(fillOf(rt.Request))
		body = strings.NewReader(string(b))
	default:
		body = strings.NewReader("{}")
	}
	target := "http://hallway" + rt.Path
	if q := sampleQuery[rt.Name]; q != "" {
		target += "?" + q
	}
	req := httptest.NewRequest(rt.Method, target, body)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./control -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed: the JSON of the control API is a contract.\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// indent pretty-prints JSON for a readable golden file, keeping field
// order and values.
func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(b), "", "  "); err != nil {
		t.Fatalf("not JSON: %v: %q", err, b)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// checkFilled fails on a JSON value that is empty, zero or null anywhere:
// the fixture must show every field with a value.
func checkFilled(t *testing.T, name string, b []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case nil:
			t.Errorf("%s: %s is null", name, path)
		case string:
			if v == "" {
				t.Errorf("%s: %s is empty", name, path)
			}
		case float64:
			if v == 0 {
				t.Errorf("%s: %s is 0", name, path)
			}
		case bool:
			if !v {
				t.Errorf("%s: %s is false", name, path)
			}
		case []any:
			if len(v) == 0 {
				t.Errorf("%s: %s is empty", name, path)
			}
			for _, e := range v {
				walk(path+"[]", e)
			}
		case map[string]any:
			for k, e := range v {
				walk(path+"."+k, e)
			}
		}
	}
	walk("", v)
}

// TestGoldenResponses serves every route of the table with filled values
// and compares each reply's JSON with its golden file.
func TestGoldenResponses(t *testing.T) {
	h := routes(fixtureBackends())
	for _, rt := range Table() {
		t.Run(rt.Name, func(t *testing.T) {
			w := serveRoute(h, rt)
			res := w.Result()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", rt.Pattern(), res.StatusCode, w.Body.String())
			}
			var body []byte
			switch rt.Kind {
			case "call":
				body = w.Body.Bytes()
			case "stream":
				body = []byte(res.Trailer.Get(trailerSummary))
			case "events":
				// Every event type, one line each, as watch --json reads them.
				golden(t, "responses/events.ndjson", w.Body.Bytes())
				return
			}
			if rt.Response != reflectNone {
				checkFilled(t, rt.Name, body)
			}
			golden(t, "responses/"+rt.Name+".json", indent(t, body))
		})
	}
}

// TestGoldenEvents compares the JSON of every event type with its golden
// file, as `hallway watch --json` prints it.
func TestGoldenEvents(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range fixtureEvents() {
		w := ToWire(e)
		if seen[w.Type] {
			t.Fatalf("two fixture events of type %s", w.Type)
		}
		seen[w.Type] = true
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		checkFilled(t, w.Type, b)
		if _, ok := e.(chat.HistoryExpired); !ok && w == (WireEvent{Type: w.Type}) {
			t.Errorf("%s carries nothing: ToWire misses its case", w.Type)
		}
		golden(t, "events/"+w.Type+".json", indent(t, b))
	}
	if b, _ := json.Marshal(ToWire(chat.Lagged{Missed: 7})); string(b) != `{"type":"lagged","missed":7}` {
		t.Errorf("lagged event: %s", b)
	}
}

// TestGoldenError compares the error reply's JSON with its golden file.
func TestGoldenError(t *testing.T) {
	w := httptest.NewRecorder()
	fail(w, http.StatusBadRequest, "no colleague called Bob")
	golden(t, "responses/error.json", indent(t, w.Body.Bytes()))
}
