package server

import (
	"bufio"
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sample is one line of the text exposition format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseExposition parses the text exposition format as a scraper does,
// failing the test on any line it cannot read and on a sample whose
// metric has no TYPE line before it.
func parseExposition(t *testing.T, body []byte) []sample {
	t.Helper()
	var out []sample
	typed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			typed[name] = typ
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		var s sample
		s.labels = map[string]string{}
		name, rest := line, ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name, rest = line[:i], line[i:]
		}
		s.name = name
		if labels, ok := strings.CutPrefix(rest, "{"); ok {
			for !strings.HasPrefix(labels, "}") {
				k, after, ok := strings.Cut(labels, "=")
				if !ok {
					t.Fatalf("metric line %q: bad labels", line)
				}
				v, err := strconv.QuotedPrefix(after)
				if err != nil {
					t.Fatalf("metric line %q: %v", line, err)
				}
				s.labels[k], _ = strconv.Unquote(v)
				labels = strings.TrimPrefix(after[len(v):], ",")
			}
			rest = labels[1:]
		}
		val, ok := strings.CutPrefix(rest, " ")
		if !ok {
			t.Fatalf("metric line %q: no value", line)
		}
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("metric line %q: value: %v", line, err)
		}
		s.value = f
		base := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(name, suf); ok && typed[b] == "histogram" {
				base = b
			}
		}
		if typed[base] == "" {
			t.Errorf("metric %s has no TYPE line", name)
		}
		out = append(out, s)
	}
	return out
}

// value returns the sample of name with exactly the given labels, and
// whether there is one.
func value(samples []sample, name string, labels ...string) (float64, bool) {
	for _, s := range samples {
		if s.name != name || len(s.labels) != len(labels)/2 {
			continue
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			match = match && s.labels[labels[i]] == labels[i+1]
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	ts := startServer(t, testConfig{})
	scraper := ts.addKey(t, ScopeMetrics)
	reader := ts.addKey(t, ScopeRead)

	vc := ts.issue(t, sampleCredential(t))
	if code, _ := ts.verifyVC(t, vc); code != http.StatusOK {
		t.Fatalf("verify: %d", code)
	}
	if code, _ := ts.verifyVC(t, map[string]any{"type": "nothing"}); code != http.StatusBadRequest {
		t.Fatalf("verify of junk: %d", code)
	}
	if resp := ts.setStatus(t, vc["id"].(string), "revocation", true); resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d %s", resp.StatusCode, resp.Body)
	}
	ts.do(t, "BREW", "/coffee", "", nil)

	for _, tc := range []struct {
		name, key string
		status    int
	}{{"no key", "", http.StatusUnauthorized}, {"read scope", reader, http.StatusForbidden}} {
		if resp := ts.do(t, "GET", "/metrics", tc.key, nil); resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}
	resp := ts.do(t, "GET", "/metrics", scraper, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("scrape: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	samples := parseExposition(t, resp.Body)
	for _, want := range []struct {
		name   string
		labels []string
		v      float64
	}{
		{"badgesmith_http_requests_total", []string{"method", "POST", "route", "/credentials/issue", "code", "201"}, 1},
		{"badgesmith_http_requests_total", []string{"method", "POST", "route", "/credentials/verify", "code", "200"}, 1},
		{"badgesmith_http_requests_total", []string{"method", "POST", "route", "/credentials/verify", "code", "400"}, 1},
		{"badgesmith_http_requests_total", []string{"method", "POST", "route", "/credentials/status", "code", "200"}, 1},
		{"badgesmith_http_requests_total", []string{"method", "GET", "route", "/metrics", "code", "401"}, 1},
		{"badgesmith_http_requests_total", []string{"method", "GET", "route", "/metrics", "code", "403"}, 1},
		{"badgesmith_http_requests_total", []string{"method", "other", "route", "unmatched", "code", "404"}, 1},
		{"badgesmith_http_request_duration_seconds_count", []string{"method", "POST", "route", "/credentials/verify"}, 2},
		{"badgesmith_http_request_duration_seconds_bucket", []string{"method", "POST", "route", "/credentials/verify", "le", "+Inf"}, 2},
		{"badgesmith_credentials_issued_total", []string{"issuer", ""}, 1},
		{"badgesmith_credentials_verified_total", []string{"verdict", "valid"}, 1},
		{"badgesmith_status_updates_total", []string{"purpose", "revocation", "status", "true"}, 1},
		// The scrape itself is in flight.
		{"badgesmith_http_requests_in_flight", nil, 1},
	} {
		got, ok := value(samples, want.name, want.labels...)
		if !ok || got != want.v {
			t.Errorf("%s%v = %v (found %v), want %v", want.name, want.labels, got, ok, want.v)
		}
	}
	// Buckets are cumulative: each at least the one before, the last the
	// count.
	var prev float64
	for _, s := range samples {
		if s.name == "badgesmith_http_request_duration_seconds_bucket" && s.labels["route"] == "/credentials/issue" {
			if s.value < prev {
				t.Errorf("bucket le=%s holds %v, less than the one before (%v)", s.labels["le"], s.value, prev)
			}
			prev = s.value
		}
	}
	if prev != 1 {
		t.Errorf("issue's +Inf bucket %v, want 1", prev)
	}
}

// TestHistogramBuckets puts durations on each side of a bucket bound.
func TestHistogramBuckets(t *testing.T) {
	m := newMetrics()
	for _, d := range []time.Duration{500 * time.Microsecond, time.Millisecond, 3 * time.Millisecond, 20 * time.Second} {
		m.request("GET", "/x", 200, d)
	}
	var buf bytes.Buffer
	m.write(&buf)
	samples := parseExposition(t, buf.Bytes())
	for le, want := range map[string]float64{"0.001": 2, "0.0025": 2, "0.005": 3, "10": 3, "+Inf": 4} {
		if got, _ := value(samples, "badgesmith_http_request_duration_seconds_bucket", "method", "GET", "route", "/x", "le", le); got != want {
			t.Errorf("le=%s: %v, want %v", le, got, want)
		}
	}
	if got, _ := value(samples, "badgesmith_http_request_duration_seconds_sum", "method", "GET", "route", "/x"); got < 20.004 || got > 20.0046 {
		t.Errorf("sum %v", got)
	}
}
