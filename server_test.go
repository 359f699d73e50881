package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// syncBuffer is a bytes.Buffer that a server's logger and the test may use
// at the same time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newCapturingApp returns an app whose stdout and stderr are buffers.
func newCapturingApp() (*app, *syncBuffer, *syncBuffer) {
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	return &app{stdout: stdout, stderr: stderr, stdin: strings.NewReader("")}, stdout, stderr
}

func TestHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		a, stdout, _ := newCapturingApp()
		if err := runMain(context.Background(), a, args); err != nil {
			t.Fatalf("runMain(%q) error = %v, want nil", args, err)
		}
		out := stdout.String()
		for _, c := range commands() {
			line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(c.name) + ` +` + regexp.QuoteMeta(c.summary) + `$`)
			if !line.MatchString(out) {
				t.Errorf("runMain(%q) output has no line for command %q with its summary %q:\n%s", args, c.name, c.summary, out)
			}
		}
	}
}

// wantFlagHelp lists every flag of the demo, serve and import commands with
// the text its -h entry must contain. For a non-zero default that is the
// "(default X)" of flag.PrintDefaults. PrintDefaults omits zero defaults, so
// for those it is the words of the usage that state the default.
var wantFlagHelp = map[string]map[string]string{
	"serve": {
		"data":       "(required)",
		"addr":       `(default ":8080")`,
		"log-format": `(default "text")`,
		"log-level":  `(default "info")`,
	},
	"demo": {
		"addr":       `(default "127.0.0.1:8080")`,
		"data":       "default: a new temporary directory",
		"seed":       "(default 1)",
		"scale":      "(default 1)",
		"log-format": `(default "text")`,
		"log-level":  `(default "info")`,
	},
	"import": {
		"data":              "required; no default",
		"format":            "required; no default",
		"entity":            "default: from each file name",
		"encoding":          `(default "utf-8")`,
		"strict":            "default false",
		"batch":             "(default 500)",
		"time-zone":         "default: America/Sao_Paulo for olist",
		"progress-interval": "(default 5s)",
		"log-format":        `(default "text")`,
		"log-level":         `(default "info")`,
	},
}

// flagEntries splits flag.PrintDefaults output into one entry per flag,
// keyed by the flag name.
func flagEntries(out string) map[string]string {
	entries := map[string]string{}
	var name string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "  -"):
			name = strings.Fields(line)[0][1:]
			entries[name] = line
		case strings.HasPrefix(line, "    \t") && name != "":
			entries[name] += "\n" + line
		default:
			name = ""
		}
	}
	return entries
}

// targetNames returns the targets listed under "Targets:" in the help of a
// command with targets, such as "train recommend".
func targetNames(out string) []string {
	_, list, ok := strings.Cut(out, "Targets:\n")
	if !ok {
		return nil
	}
	var names []string
	for _, line := range strings.Split(list, "\n") {
		if !strings.HasPrefix(line, "  ") {
			break
		}
		names = append(names, strings.Fields(line)[0])
	}
	return names
}

// runHelp runs shopsight with args and -h, and returns the help output.
func runHelp(t *testing.T, args ...string) string {
	t.Helper()
	a, stdout, stderr := newCapturingApp()
	err := runMain(context.Background(), a, append(args, "-h"))
	out := stderr.String()
	if names := targetNames(out); len(names) > 0 {
		if err != nil {
			t.Errorf("runMain(%q, -h) listing targets: error = %v, want nil", args, err)
		}
		return out
	}
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("runMain(%q, -h) error = %v, want flag.ErrHelp", args, err)
	}
	if stdout.String() != "" {
		t.Errorf("runMain(%q, -h) wrote %q to stdout, want the help on stderr only", args, stdout.String())
	}
	return out
}

func TestCommandHelpShowsFlagDefaults(t *testing.T) {
	known := map[string]bool{}
	for _, c := range commands() {
		known[c.name] = true
	}
	for name := range wantFlagHelp {
		if !known[name] {
			t.Errorf("command %q of wantFlagHelp is not in commands()", name)
		}
	}

	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			out := runHelp(t, c.name)
			if !strings.HasPrefix(out, "Usage: shopsight "+c.name) {
				t.Errorf("help output does not start with the usage line of %q:\n%s", c.name, out)
			}
			if targets := targetNames(out); len(targets) > 0 {
				for _, target := range targets {
					entries := flagEntries(runHelp(t, c.name, target))
					if len(entries) == 0 {
						t.Errorf("help of %s %s lists no flags", c.name, target)
					}
				}
				return
			}

			entries := flagEntries(out)
			if len(entries) == 0 {
				t.Fatalf("help output lists no flags:\n%s", out)
			}
			want, ok := wantFlagHelp[c.name]
			if !ok {
				return
			}
			for name, text := range want {
				entry, ok := entries[name]
				if !ok {
					t.Errorf("flag -%s is missing from the help output:\n%s", name, out)
					continue
				}
				if !strings.Contains(entry, text) {
					t.Errorf("help of -%s = %q, want it to contain %q", name, entry, text)
				}
			}
			// A flag added later without a wantFlagHelp entry must still
			// state its default.
			for name, entry := range entries {
				if !strings.Contains(entry, "default") && !strings.Contains(entry, "required") {
					t.Errorf("help of -%s states no default: %q", name, entry)
				}
			}

			a, _, stderr := newCapturingApp()
			if err := runMain(context.Background(), a, []string{"help", c.name}); !errors.Is(err, flag.ErrHelp) {
				t.Errorf("runMain(help, %q) error = %v, want flag.ErrHelp", c.name, err)
			}
			if stderr.String() != out {
				t.Errorf("help %s output differs from %s -h output:\n%s", c.name, c.name, stderr.String())
			}
		})
	}
}

func TestUnknownCommandErrors(t *testing.T) {
	a, stdout, stderr := newCapturingApp()
	err := runMain(context.Background(), a, []string{"srve"})
	if err == nil {
		t.Fatal("runMain(srve) error = nil, want an unknown command error")
	}
	if !strings.Contains(err.Error(), `unknown command "srve"`) {
		t.Errorf("error = %q, want it to name the unknown command", err)
	}
	if !strings.Contains(err.Error(), `run "shopsight help"`) {
		t.Errorf("error = %q, want the hint to run shopsight help", err)
	}
	if !strings.Contains(stderr.String(), "Commands:") {
		t.Errorf("stderr = %q, want the command list", stderr.String())
	}
	if stdout.String() != "" {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}

// liveServer is runServer serving an on-disk store on a loopback port.
type liveServer struct {
	url    string // such as http://127.0.0.1:41234
	addr   string // host:port
	dir    string
	store  *storage.Store
	ready  *readiness
	cancel context.CancelFunc
	// done receives runServer's result.
	done   chan error
	client *http.Client
}

// startLiveServer opens a store in a temporary directory and serves it with
// runServer on 127.0.0.1 port 0. The server starts not ready.
func startLiveServer(t *testing.T) *liveServer {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	store, err := storage.Open(storage.DefaultOptions(dir).WithLogger(logger))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	s := &liveServer{
		dir: dir, store: store, ready: newReadiness("loading test data"), cancel: cancel,
		done: make(chan error, 1),
		// A Transport without Proxy never sends loopback requests to a
		// proxy from the environment.
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{}},
	}

	bound := make(chan net.Addr, 1)
	go func() {
		s.done <- runServer(ctx, serverParams{
			addr: "127.0.0.1:0", store: store, logger: logger, ready: s.ready,
			started: func(a net.Addr) { bound <- a },
		})
	}()
	select {
	case a := <-bound:
		s.addr = a.String()
		s.url = "http://" + s.addr
	case err := <-s.done:
		t.Fatalf("runServer returned before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("runServer did not listen within 10 s")
	}

	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			t.Error("runServer did not return within 15 s of the cancel")
		}
		s.client.CloseIdleConnections()
		if s.store != nil {
			s.store.Close()
		}
	})
	return s
}

// fetch sends a GET to path and returns the status, the headers and the
// body.
func (s *liveServer) fetch(t *testing.T, path string) (int, http.Header, string) {
	t.Helper()
	res, err := s.client.Get(s.url + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body of GET %s: %v", path, err)
	}
	return res.StatusCode, res.Header, string(body)
}

// graphQLResult is a decoded GraphQL HTTP response.
type graphQLResult struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r graphQLResult) firstCode() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

func decodeGraphQL(t *testing.T, res *http.Response) graphQLResult {
	t.Helper()
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read GraphQL response: %v", err)
	}
	var out graphQLResult
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode GraphQL response %q: %v", body, err)
	}
	out.Status = res.StatusCode
	return out
}

// postRaw sends body as a JSON POST to /graphql.
func (s *liveServer) postRaw(t *testing.T, body string) graphQLResult {
	t.Helper()
	res, err := s.client.Post(s.url+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	return decodeGraphQL(t, res)
}

func (s *liveServer) post(t *testing.T, query string, vars map[string]any) graphQLResult {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatalf("encode request: %v", err)
	}
	return s.postRaw(t, string(body))
}

// get sends the document and variables as URL parameters of a GET.
func (s *liveServer) get(t *testing.T, query string, vars map[string]any) graphQLResult {
	t.Helper()
	params := url.Values{"query": {query}}
	if vars != nil {
		b, err := json.Marshal(vars)
		if err != nil {
			t.Fatalf("encode variables: %v", err)
		}
		params.Set("variables", string(b))
	}
	res, err := s.client.Get(s.url + "/graphql?" + params.Encode())
	if err != nil {
		t.Fatalf("GET /graphql: %v", err)
	}
	return decodeGraphQL(t, res)
}

// ok sends query by POST, fails the test on any error and decodes the data
// into out.
func (s *liveServer) ok(t *testing.T, query string, vars map[string]any, out any) {
	t.Helper()
	r := s.post(t, query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %+v\nquery: %s", r.Status, r.Errors, query)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

const productsQuery = `query Products($filter: ProductFilter) {
	products(first: 20, filter: $filter) { totalCount edges { node { id title category price } } } }`

const ordersQuery = `query Orders($from: DateTime!, $to: DateTime!) {
	orders(first: 10, filter: {purchased: {from: $from, to: $to}}) {
		totalCount edges { node { id userId purchasedAt items { productId quantity unitPrice product { id title } } } } } }`

const userOrdersQuery = `query UserOrders($id: ID!) {
	user(id: $id) { id name orders(first: 5) { totalCount edges { node { id userId items { productId } } } } } }`

// TestServerEndToEnd serves a demo store with runServer and checks every
// route through real HTTP on loopback, in the order of a deployment's life:
// not ready, ready, and shut down with a request in flight.
func TestServerEndToEnd(t *testing.T) {
	s := startLiveServer(t)

	t.Run("not ready", func(t *testing.T) { checkNotReady(t, s) })

	stats, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.05), s.store)
	if err != nil {
		t.Fatalf("generate demo data: %v", err)
	}
	s.ready.setReady()

	t.Run("ready", func(t *testing.T) {
		if status, _, body := s.fetch(t, "/readyz"); status != http.StatusOK || strings.TrimSpace(body) != "ready" {
			t.Errorf("/readyz = %d %q, want 200 ready", status, body)
		}
		if status, _, body := s.fetch(t, "/healthz"); status != http.StatusOK || strings.TrimSpace(body) != "ok" {
			t.Errorf("/healthz = %d %q, want 200 ok", status, body)
		}
	})
	t.Run("products with filter", func(t *testing.T) { checkProducts(t, s) })
	var buyer string
	t.Run("orders in a time range", func(t *testing.T) { buyer = checkOrders(t, s) })
	t.Run("user with orders", func(t *testing.T) {
		if buyer == "" {
			t.Skip("the orders subtest found no buyer")
		}
		checkUserOrders(t, s, buyer)
	})
	t.Run("bad input", func(t *testing.T) { checkBadInput(t, s) })
	t.Run("metrics", func(t *testing.T) { checkMetrics(t, s, stats) })
	t.Run("explorer", func(t *testing.T) { checkExplorer(t, s) })
	t.Run("second serve on the data directory", func(t *testing.T) { checkDirectoryLocked(t, s) })
	t.Run("graceful shutdown", func(t *testing.T) { checkGracefulShutdown(t, s, stats) })
}

func checkNotReady(t *testing.T, s *liveServer) {
	if status, _, _ := s.fetch(t, "/healthz"); status != http.StatusOK {
		t.Errorf("/healthz before ready = %d, want 200", status)
	}
	status, _, body := s.fetch(t, "/readyz")
	if status != http.StatusServiceUnavailable {
		t.Errorf("/readyz before ready = %d, want 503", status)
	}
	if !strings.Contains(body, "loading test data") {
		t.Errorf("/readyz body = %q, want the reason %q", body, "loading test data")
	}
	r := s.post(t, `{ products(first: 1) { totalCount } }`, nil)
	if r.Status != http.StatusServiceUnavailable {
		t.Errorf("/graphql before ready: status %d, want 503", r.Status)
	}
	if r.firstCode() != "UNAVAILABLE" {
		t.Errorf("/graphql before ready: errors %+v, want code UNAVAILABLE", r.Errors)
	}
}

func checkProducts(t *testing.T, s *liveServer) {
	vars := map[string]any{"filter": map[string]any{"category": []string{"electronics"}, "price": map[string]any{"max": "150.00"}}}
	var data struct {
		Products struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Title, Price string
					Category         []string
				}
			}
		}
	}
	s.ok(t, productsQuery, vars, &data)
	edges := data.Products.Edges
	if len(edges) == 0 {
		t.Fatal("products in electronics up to 150.00: none, want some")
	}
	if data.Products.TotalCount < len(edges) {
		t.Errorf("totalCount = %d, fewer than the %d edges", data.Products.TotalCount, len(edges))
	}
	for _, e := range edges {
		if len(e.Node.Category) == 0 || e.Node.Category[0] != "electronics" {
			t.Errorf("product %s category = %v, want under electronics", e.Node.ID, e.Node.Category)
		}
		if price, err := strconv.ParseFloat(e.Node.Price, 64); err != nil || price > 150 {
			t.Errorf("product %s price = %q, want at most 150.00", e.Node.ID, e.Node.Price)
		}
	}

	// The same document by GET returns the same data.
	r := s.get(t, productsQuery, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("GET products: status %d, errors %+v", r.Status, r.Errors)
	}
	var post, get any
	json.Unmarshal(s.post(t, productsQuery, vars).Data, &post)
	json.Unmarshal(r.Data, &get)
	if !reflect.DeepEqual(post, get) {
		t.Errorf("GET data differs from POST data:\nGET  %s\nPOST %v", r.Data, post)
	}
}

// checkOrders checks a purchase-time range with nested items and returns
// the user id of the first order.
func checkOrders(t *testing.T, s *liveServer) string {
	from := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	var data struct {
		Orders struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, UserID  string
					PurchasedAt time.Time
					Items       []struct {
						ProductID string
						Quantity  int
						UnitPrice string
						Product   *struct{ ID, Title string }
					}
				}
			}
		}
	}
	s.ok(t, ordersQuery, map[string]any{"from": from, "to": to}, &data)
	edges := data.Orders.Edges
	if len(edges) == 0 {
		t.Fatal("orders in June 2024: none, want some")
	}
	for _, e := range edges {
		o := e.Node
		if o.PurchasedAt.Before(from) || !o.PurchasedAt.Before(to) {
			t.Errorf("order %s purchasedAt %s is outside [%s, %s)", o.ID, o.PurchasedAt, from, to)
		}
		if len(o.Items) == 0 {
			t.Errorf("order %s has no items", o.ID)
		}
		for _, it := range o.Items {
			if it.Product == nil || it.Product.ID != it.ProductID || it.Quantity < 1 {
				t.Errorf("order %s item %+v: want quantity >= 1 and the product %s resolved", o.ID, it, it.ProductID)
			}
		}
	}
	return edges[0].Node.UserID
}

func checkUserOrders(t *testing.T, s *liveServer, userID string) {
	var data struct {
		User *struct {
			ID, Name string
			Orders   struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ID, UserID string
						Items      []struct{ ProductID string }
					}
				}
			}
		}
	}
	s.ok(t, userOrdersQuery, map[string]any{"id": userID}, &data)
	if data.User == nil || data.User.ID != userID {
		t.Fatalf("user(id: %q) = %+v, want the user", userID, data.User)
	}
	if data.User.Orders.TotalCount < 1 || len(data.User.Orders.Edges) == 0 {
		t.Errorf("user %s orders: totalCount %d, %d edges; want at least one", userID, data.User.Orders.TotalCount, len(data.User.Orders.Edges))
	}
	for _, e := range data.User.Orders.Edges {
		if e.Node.UserID != userID || len(e.Node.Items) == 0 {
			t.Errorf("order %s of user %s: userId %s, %d items", e.Node.ID, userID, e.Node.UserID, len(e.Node.Items))
		}
	}
}

func checkBadInput(t *testing.T, s *liveServer) {
	r := s.postRaw(t, `{"query": `)
	if r.Status != http.StatusBadRequest || r.firstCode() != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("malformed JSON body: status %d, errors %+v; want 400 GRAPHQL_PARSE_FAILED", r.Status, r.Errors)
	}

	// Each repetition adds four levels (orders, edges, node, user).
	deep := "{ " + strings.Repeat("orders { edges { node { user { ", 5) + "id" + strings.Repeat(" } } } }", 5) + " }"
	r = s.post(t, deep, nil)
	if r.firstCode() != "LIMIT_EXCEEDED" {
		t.Fatalf("query of depth 21: errors %+v, want LIMIT_EXCEEDED", r.Errors)
	}
	if limit := r.Errors[0].Extensions["limit"]; limit != "depth" {
		t.Errorf("query of depth 21: extensions.limit = %v, want depth", limit)
	}

	var data map[string]any
	s.ok(t, `{ user(id: "no-such-user") { id } product(id: "no-such-product") { id } order(id: "no-such-order") { id } }`, nil, &data)
	for field, v := range data {
		if v != nil {
			t.Errorf("%s of an unknown id = %v, want null", field, v)
		}
	}
}

func checkMetrics(t *testing.T, s *liveServer, stats demo.Stats) {
	s.ok(t, productsQuery, nil, new(any))
	status, _, body := s.fetch(t, "/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics status = %d, want 200", status)
	}
	wantLines := []string{
		`shopsight_graphql_requests_total{operation="Products",outcome="ok"} `,
		fmt.Sprintf(`shopsight_store_records{kind="user"} %d`, stats.Users),
		fmt.Sprintf(`shopsight_store_records{kind="order"} %d`, stats.Orders),
		`shopsight_http_requests_total{code="200",route="/graphql"} `,
	}
	for _, want := range wantLines {
		if !strings.Contains(body, "\n"+want) {
			t.Errorf("/metrics has no line starting %q", want)
		}
	}
}

// externalReference matches a src or href attribute whose URL names a host,
// such as src="https://cdn.example/x.js" or href="//fonts.example/css".
var externalReference = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//`)

func checkExplorer(t *testing.T, s *liveServer) {
	status, header, body := s.fetch(t, "/")
	if status != http.StatusOK {
		t.Fatalf("/ status = %d, want 200", status)
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("/ Content-Type = %q, want text/html", ct)
	}
	if !strings.Contains(strings.ToLower(body), "<html") || !strings.Contains(body, "graphql") {
		t.Errorf("/ body is not the explorer page: %.200q", body)
	}
	if m := externalReference.FindAllString(body, -1); len(m) > 0 {
		t.Errorf("explorer page references other hosts: %q", m)
	}
	if csp := header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("/ Content-Security-Policy = %q, want default-src 'self'", csp)
	}
}

func checkDirectoryLocked(t *testing.T, s *liveServer) {
	// The timeout ends the second server if the lock check ever lets it
	// start.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, _, _ := newCapturingApp()
	err := runMain(ctx, a, []string{"serve", "--data", s.dir, "--addr", "127.0.0.1:0", "--log-level", "error"})
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("second serve on %s: error = %v, want storage.ErrLocked", s.dir, err)
	}
	if !strings.Contains(err.Error(), s.dir) {
		t.Errorf("error = %q, want it to name the directory %s", err, s.dir)
	}
	if holder := fmt.Sprintf("process %d", os.Getpid()); !strings.Contains(err.Error(), holder) {
		t.Errorf("error = %q, want it to name the holder, %s", err, holder)
	}
}

// checkGracefulShutdown cancels the server's context while a request is in
// flight: the request must complete, runServer must return nil, and the
// store must reopen.
func checkGracefulShutdown(t *testing.T, s *liveServer, stats demo.Stats) {
	conn, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", s.addr, err)
	}
	defer conn.Close()
	body := `{"query": "{ users(first: 1) { totalCount } }"}`
	head := fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", s.addr, len(body))
	// The server reads the head and waits in the handler for the rest of
	// the body, so the request is in flight.
	if _, err := io.WriteString(conn, head+body[:10]); err != nil {
		t.Fatalf("send request head: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	s.cancel()

	select {
	case err := <-s.done:
		t.Fatalf("runServer returned %v with a request in flight, want it to wait", err)
	case <-time.After(300 * time.Millisecond):
	}
	if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted during shutdown, want it refused")
	}

	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatalf("send rest of body: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response of the in-flight request: %v", err)
	}
	r := decodeGraphQL(t, res)
	want := fmt.Sprintf(`{"users":{"totalCount":%d}}`, stats.Users)
	if r.Status != http.StatusOK || string(r.Data) != want {
		t.Errorf("in-flight request: status %d, data %s, errors %+v; want 200 %s", r.Status, r.Data, r.Errors, want)
	}

	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("runServer after cancel = %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("runServer did not return within 15 s of the cancel")
	}
	// The cleanup must not wait for runServer again.
	s.done <- nil

	if err := s.store.Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}
	s.store = nil
	reopened, err := storage.Open(storage.DefaultOptions(s.dir).WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatalf("reopen store after shutdown: %v", err)
	}
	defer reopened.Close()
	counts, err := reopened.Counts(context.Background())
	if err != nil {
		t.Fatalf("count records after reopen: %v", err)
	}
	if counts[storage.KindUser] != int64(stats.Users) {
		t.Errorf("users after reopen = %d, want %d", counts[storage.KindUser], stats.Users)
	}
}
