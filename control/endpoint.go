package control

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
)

// input says where an endpoint's request travels.
type input int

const (
	inNone  input = iota // nothing the server reads (a POST still carries {})
	inJSON               // a strict JSON body
	inQuery              // URL query parameters
)

// Endpoint is one request/reply route of the control API. The server
// serves it and the client calls it through the same value, so a route
// cannot exist on one side only.
type Endpoint[Req, Resp any] struct {
	Name         string // stable name, used for golden files
	Method, Path string
	in           input
	needs        resource
	// query encodes and parse decodes an inQuery request; a parse error
	// is the 400 reply's message.
	query func(Req) url.Values
	parse func(url.Values) (Req, error)
	// when picks this endpoint among several sharing method and path;
	// the one without it is the default.
	when  func(url.Values) bool
	serve func(ctx context.Context, b Backends, req Req) (Resp, error)
}

// StreamEndpoint is a route whose reply body is a stream written by the
// backend (export, backup); how it ended comes in trailers, Resp in
// trailerSummary.
type StreamEndpoint[Req, Resp any] struct {
	Name         string
	Method, Path string
	in           input
	needs        resource
	contentType  func(Req) string
	serve        func(ctx context.Context, b Backends, req Req, w io.Writer) (Resp, error)
}

// Route is a table entry: an endpoint without its types, as the server
// mounts it and tests walk it.
type Route struct {
	Name, Method, Path string
	Request, Response  reflect.Type
	// Kind is "call", "stream" (streamed body, trailers) or "events"
	// (newline-delimited JSON until the client leaves).
	Kind    string
	needs   resource
	when    func(url.Values) bool
	handler func(Backends) http.HandlerFunc
}

// Pattern is the route's ServeMux pattern.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// table lists every route in declaration order; define adds to it.
var table []Route

// Table returns every route of the control API.
func Table() []Route { return append([]Route(nil), table...) }

func define[Req, Resp any](e *Endpoint[Req, Resp]) *Endpoint[Req, Resp] {
	table = append(table, Route{
		Name: e.Name, Method: e.Method, Path: e.Path, Kind: "call",
		Request: reflect.TypeFor[Req](), Response: reflect.TypeFor[Resp](),
		needs: e.needs, when: e.when,
		handler: func(b Backends) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				req, ok := readRequest[Req](w, r, e.in, e.parse)
				if ok {
					v, err := e.serve(callContext(r), b, req)
					reply(w, v, err)
				}
			}
		},
	})
	return e
}

// callContext is the context a call runs under. A change the user asked
// for (any method but GET) is carried out to the end even if the asking
// connection goes away meanwhile: a closed terminal must not leave half a
// setting written. (Under Wine 8 the named pipe reported the client gone
// early, which canceled such writes halfway.) Reads stop with it.
func callContext(r *http.Request) context.Context {
	if r.Method == http.MethodGet {
		return r.Context()
	}
	return context.WithoutCancel(r.Context())
}

func defineStream[Req, Resp any](e *StreamEndpoint[Req, Resp]) *StreamEndpoint[Req, Resp] {
	table = append(table, Route{
		Name: e.Name, Method: e.Method, Path: e.Path, Kind: "stream",
		Request: reflect.TypeFor[Req](), Response: reflect.TypeFor[Resp](),
		needs: e.needs,
		handler: func(b Backends) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				req, ok := readRequest[Req](w, r, e.in, nil)
				if ok {
					stream(w, e.contentType(req), func(out io.Writer) (any, error) { return e.serve(r.Context(), b, req, out) })
				}
			}
		},
	})
	return e
}

// readRequest decodes a request as the endpoint takes it, answering the
// client itself when it cannot.
func readRequest[Req any](w http.ResponseWriter, r *http.Request, in input, parse func(url.Values) (Req, error)) (Req, bool) {
	var req Req
	switch in {
	case inJSON:
		ok := readJSON(w, r, &req)
		return req, ok
	case inQuery:
		req, err := parse(r.URL.Query())
		if err != nil {
			fail(w, http.StatusBadRequest, err.Error())
			return req, false
		}
		return req, true
	}
	return req, true
}

// routes mounts every route whose backend is present.
func routes(b Backends) http.Handler {
	mux := http.NewServeMux()
	groups := map[string][]Route{}
	var order []string
	for _, rt := range table {
		if !b.has(rt.needs) {
			continue
		}
		p := rt.Pattern()
		if groups[p] == nil {
			order = append(order, p)
		}
		groups[p] = append(groups[p], rt)
	}
	for _, p := range order {
		mux.HandleFunc(p, pick(groups[p], b))
	}
	return mux
}

// pick serves a group of routes sharing a pattern: the first whose when
// matches the query, else the one without when.
func pick(rs []Route, b Backends) http.HandlerFunc {
	if len(rs) == 1 {
		return rs[0].handler(b)
	}
	hs := make([]http.HandlerFunc, len(rs))
	for i, rt := range rs {
		hs[i] = rt.handler(b)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		def := -1
		for i, rt := range rs {
			switch {
			case rt.when == nil:
				def = i
			case rt.when(q):
				hs[i](w, r)
				return
			}
		}
		if def >= 0 {
			hs[def](w, r)
			return
		}
		http.NotFound(w, r)
	}
}

// call sends req to e and decodes its reply.
func call[Req, Resp any](ctx context.Context, c *Client, e *Endpoint[Req, Resp], req Req) (Resp, error) {
	var out Resp
	var body any
	p := e.Path
	switch {
	case e.in == inQuery:
		if q := e.query(req); len(q) > 0 {
			p += "?" + q.Encode()
		}
	case e.Method != http.MethodGet:
		body = req
	}
	return out, c.do(ctx, e.Method, p, body, &out)
}

// callStream sends req to e, copies the streamed reply to out and returns
// the summary the server sent at the end.
func callStream[Req, Resp any](ctx context.Context, c *Client, e *StreamEndpoint[Req, Resp], req Req, out io.Writer) (Resp, error) {
	var sum Resp
	return sum, c.stream(ctx, e.Method, e.Path, req, out, &sum)
}
