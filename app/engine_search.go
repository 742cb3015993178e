package app

import (
	"context"
	"errors"

	"hallway/core"
)

// errNoSearch is what the search box says when the core cannot search.
var errNoSearch = errors.New("archive search is not available in this build")

// searchCore is the one place the window's search reaches the core's
// archive search, converting the query and the hits between the window's
// mirror types and the core's.
//
// WIRE-UP POINT: the core service does not offer Search in this build, so
// this reports that; once it does, call svc.Search here and convert
// core.SearchQuery / core.SearchHit field by field.
func searchCore(ctx context.Context, svc *core.Service, q SearchQuery) ([]SearchHit, error) {
	_, _, _ = ctx, svc, q
	return nil, errNoSearch
}
