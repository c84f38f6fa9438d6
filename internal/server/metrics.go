package server

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/badgesmith/badgesmith/status"
)

// ScopeMetrics lets a key (a Prometheus scraper's) read GET /metrics and
// nothing else; ScopeAdmin allows it too.
const ScopeMetrics = "read:/metrics"

// latencyBuckets are the upper bounds, in seconds, of the request
// duration histogram: from a cached status list to a slow issue.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics are the server's Prometheus metrics, written by hand in the
// text exposition format (version 0.0.4): a few counters do not need a
// client library and its dependencies. Every label value comes from a
// fixed set (routes, status codes, verdicts, configured instances), so
// the number of series is bounded whatever clients send.
type metrics struct {
	inFlight atomic.Int64

	mu        sync.Mutex
	requests  map[[3]string]uint64 // method, route, code
	latency   map[[2]string]*histogram
	issued    map[string]uint64 // instance
	verified  map[string]uint64 // verdict
	statusUpd map[[2]string]uint64
	limited   map[string]uint64
	refreshes map[string]uint64 // ok, error
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{
		requests:  map[[3]string]uint64{},
		latency:   map[[2]string]*histogram{},
		issued:    map[string]uint64{},
		verified:  map[string]uint64{},
		statusUpd: map[[2]string]uint64{},
		limited:   map[string]uint64{},
		refreshes: map[string]uint64{},
	}
}

func (m *metrics) request(method, route string, code int, d time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions:
	default:
		method = "other" // any token is a method: keep the label set fixed
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{method, route, strconv.Itoa(code)}]++
	h := m.latency[[2]string{method, route}]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.latency[[2]string{method, route}] = h
	}
	s := d.Seconds()
	for i, b := range latencyBuckets {
		if s <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += s
	h.n++
}

func (m *metrics) add(counter map[string]uint64, label string) {
	m.mu.Lock()
	counter[label]++
	m.mu.Unlock()
}

func (m *metrics) credentialIssued(instance string)  { m.add(m.issued, instance) }
func (m *metrics) credentialVerified(verdict string) { m.add(m.verified, verdict) }
func (m *metrics) rateLimited(kind string)           { m.add(m.limited, kind) }
func (m *metrics) listRefresh(ok bool) {
	if ok {
		m.add(m.refreshes, "ok")
	} else {
		m.add(m.refreshes, "error")
	}
}

func (m *metrics) statusUpdated(purpose status.Purpose, set bool) {
	m.mu.Lock()
	m.statusUpd[[2]string{string(purpose), strconv.FormatBool(set)}]++
	m.mu.Unlock()
}

// write renders every metric in the text exposition format.
func (m *metrics) write(buf *bytes.Buffer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	header := func(name, typ, help string) {
		fmt.Fprintf(buf, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	header("badgesmith_http_requests_in_flight", "gauge", "HTTP requests being served.")
	fmt.Fprintf(buf, "badgesmith_http_requests_in_flight %d\n", m.inFlight.Load())

	header("badgesmith_http_requests_total", "counter", "HTTP requests answered, by method, route and status code.")
	for _, k := range sortedKeys(m.requests) {
		fmt.Fprintf(buf, "badgesmith_http_requests_total{method=%s,route=%s,code=%s} %d\n", quote(k[0]), quote(k[1]), quote(k[2]), m.requests[k])
	}

	header("badgesmith_http_request_duration_seconds", "histogram", "HTTP request latency, by method and route.")
	for _, k := range sortedKeys(m.latency) {
		h := m.latency[k]
		labels := "method=" + quote(k[0]) + ",route=" + quote(k[1])
		var cum uint64
		for i, b := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(buf, "badgesmith_http_request_duration_seconds_bucket{%s,le=%s} %d\n", labels, quote(strconv.FormatFloat(b, 'g', -1, 64)), cum)
		}
		fmt.Fprintf(buf, "badgesmith_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.n)
		fmt.Fprintf(buf, "badgesmith_http_request_duration_seconds_sum{%s} %s\n", labels, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(buf, "badgesmith_http_request_duration_seconds_count{%s} %d\n", labels, h.n)
	}

	counter := func(name, label, help string, c map[string]uint64) {
		header(name, "counter", help)
		for _, k := range sortedKeys(c) {
			fmt.Fprintf(buf, "%s{%s=%s} %d\n", name, label, quote(k), c[k])
		}
	}
	counter("badgesmith_credentials_issued_total", "issuer", "Credentials issued, by issuer instance (\"\" is the default one).", m.issued)
	counter("badgesmith_credentials_verified_total", "verdict", "Credentials verified, by verdict.", m.verified)
	header("badgesmith_status_updates_total", "counter", "Status changes made through POST .../credentials/status, by purpose and value.")
	for _, k := range sortedKeys(m.statusUpd) {
		fmt.Fprintf(buf, "badgesmith_status_updates_total{purpose=%s,status=%s} %d\n", quote(k[0]), quote(k[1]), m.statusUpd[k])
	}
	counter("badgesmith_rate_limited_total", "limit", "Requests refused with 429, by limit (key or ip).", m.limited)
	counter("badgesmith_status_list_refreshes_total", "result", "Background status list refresh runs, by result.", m.refreshes)
}

// quote writes a label value as the exposition format escapes it.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func sortedKeys[K [2]string | [3]string | string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b K) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

// getMetrics handles GET /metrics (scope ScopeMetrics).
func (s *Server) getMetrics(w http.ResponseWriter, _ *http.Request) error {
	var buf bytes.Buffer
	s.metrics.write(&buf)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// routeOf is the route label of a request the mux matched: its pattern's
// path without the base path, or "unmatched".
func (s *Server) routeOf(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	_, path, ok := strings.Cut(r.Pattern, " ")
	if !ok {
		path = r.Pattern
	}
	if p := strings.TrimPrefix(path, s.prefix); p != "" {
		return p
	}
	return path
}
