// Package explorer serves a small GraphQL explorer page. It loads nothing
// from other hosts, so it works on machines without internet access
// (gqlgen's bundled playground fetches its scripts from a CDN).
package explorer

import (
	_ "embed"
	"net/http"
)

//go:embed index.html
var page []byte

// Handler serves the explorer page at its root path; it posts queries to
// the relative path "graphql".
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
		w.Write(page)
	})
}
