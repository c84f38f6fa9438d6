package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/store"
)

// ErrInsecureServer is returned by AdminClient for a plain http server
// URL that is not loopback: the admin credentials would cross the network
// in the clear.
var ErrInsecureServer = errors.New("admin credentials are sent over https or to loopback only")

// ProblemError is an error answer of the server: its RFC 9457 problem.
type ProblemError struct {
	Problem
}

// Error gives the status, the problem's detail and the JSON path.
func (e *ProblemError) Error() string {
	msg := fmt.Sprintf("server answered %d %s", e.Status, e.Title)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Path != "" {
		msg += " (at " + e.Path + ")"
	}
	return msg
}

// maxAdminResponse bounds an admin API answer (a list of records).
const maxAdminResponse = 256 << 20

// AdminClient calls the admin API of a running server: what the CLI does
// while serve holds the store's lock. Its zero value is not usable: set
// BaseURL and Token.
type AdminClient struct {
	// BaseURL is the server's public base URL.
	BaseURL string
	// Token is a bearer API key or access token with the admin scope.
	Token string
	// HTTPClient sends the requests. If nil, a client with a 60 second
	// timeout that follows no redirects.
	HTTPClient *http.Client
}

func (c *AdminClient) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u, err := url.Parse(strings.TrimSuffix(c.BaseURL, "/") + path)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("server url %q: want an absolute http(s) URL", c.BaseURL)
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return fmt.Errorf("server url %s: %w", c.BaseURL, ErrInsecureServer)
	}
	if c.Token == "" {
		return errors.New("no admin API key or access token")
	}
	if query != nil {
		u.RawQuery = query.Encode()
	}
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{
			Timeout:       60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u.Path, err)
	}
	defer resp.Body.Close()
	data, err := safehttp.ReadAtMost(resp.Body, maxAdminResponse)
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, u.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var p Problem
		if json.Unmarshal(data, &p) != nil || p.Type == "" {
			p = Problem{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
		}
		if p.Status == 0 {
			p.Status = resp.StatusCode
		}
		return fmt.Errorf("%s %s: %w", method, u.Path, &ProblemError{Problem: p})
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, u.Path, err)
	}
	return nil
}

// loopbackHost reports whether host (a URL's) is loopback.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// CreateAPIKey makes an API key; the answer holds its secret, shown once.
func (c *AdminClient) CreateAPIKey(ctx context.Context, req KeyRequest) (CreatedKey, error) {
	var out CreatedKey
	err := c.do(ctx, http.MethodPost, "/admin/apikeys", nil, req, &out)
	return out, err
}

// APIKeys lists the API keys, revoked ones included, without secrets.
func (c *AdminClient) APIKeys(ctx context.Context) ([]APIKey, error) {
	var out KeyList
	err := c.do(ctx, http.MethodGet, "/admin/apikeys", nil, nil, &out)
	return out.Keys, err
}

// RevokeAPIKey revokes the API key id.
func (c *AdminClient) RevokeAPIKey(ctx context.Context, id string) (APIKey, error) {
	var out APIKey
	err := c.do(ctx, http.MethodPost, "/admin/apikeys/"+url.PathEscape(id)+"/revoke", nil, nil, &out)
	return out, err
}

// CreateClient makes an OAuth client; the answer holds its client_id (ID)
// and client_secret (Secret), shown once.
func (c *AdminClient) CreateClient(ctx context.Context, req KeyRequest) (CreatedKey, error) {
	var out CreatedKey
	err := c.do(ctx, http.MethodPost, "/admin/clients", nil, req, &out)
	return out, err
}

// Clients lists the OAuth clients, revoked ones included.
func (c *AdminClient) Clients(ctx context.Context) ([]APIKey, error) {
	var out KeyList
	err := c.do(ctx, http.MethodGet, "/admin/clients", nil, nil, &out)
	return out.Keys, err
}

// RevokeClient revokes the OAuth client id: its tokens stop working at
// once.
func (c *AdminClient) RevokeClient(ctx context.Context, id string) (APIKey, error) {
	var out APIKey
	err := c.do(ctx, http.MethodPost, "/admin/clients/"+url.PathEscape(id)+"/revoke", nil, nil, &out)
	return out, err
}

// ChangeStatus revokes, suspends or reinstates a credential; the server
// signs the changed list again before answering.
func (c *AdminClient) ChangeStatus(ctx context.Context, req StatusChange) (StatusChanged, error) {
	var out StatusChanged
	err := c.do(ctx, http.MethodPost, "/admin/credentials/status", nil, req, &out)
	return out, err
}

// Publish signs every status list again now.
func (c *AdminClient) Publish(ctx context.Context) ([]HostedList, error) {
	var out PublishedLists
	err := c.do(ctx, http.MethodPost, "/admin/status/publish", nil, nil, &out)
	return out.Lists, err
}

// StatusLists lists the status lists and their use.
func (c *AdminClient) StatusLists(ctx context.Context) ([]ListUsage, error) {
	var out StatusLists
	err := c.do(ctx, http.MethodGet, "/admin/status/lists", nil, nil, &out)
	return out.Lists, err
}

// Records lists the issued records f selects (its BatchID and RowKey
// are not supported), at most 10000 at a time: page with f.Offset.
func (c *AdminClient) Records(ctx context.Context, f store.Filter) ([]store.Record, error) {
	if f.BatchID != "" || f.RowKey != "" {
		return nil, errors.New("records: filtering by batch is not supported over the admin API")
	}
	q := url.Values{}
	for k, v := range map[string]string{"recipient": f.Recipient, "achievement": f.AchievementID, "status": string(f.Status)} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if !f.IssuedAfter.IsZero() {
		q.Set("issuedAfter", f.IssuedAfter.UTC().Format(time.RFC3339Nano))
	}
	if !f.IssuedBefore.IsZero() {
		q.Set("issuedBefore", f.IssuedBefore.UTC().Format(time.RFC3339Nano))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(f.Offset))
	}
	var out Records
	err := c.do(ctx, http.MethodGet, "/admin/credentials", q, nil, &out)
	return out.Credentials, err
}

// Record returns one record and its audit trail.
func (c *AdminClient) Record(ctx context.Context, id string) (RecordDetail, error) {
	var out RecordDetail
	err := c.do(ctx, http.MethodGet, "/admin/credentials/record", url.Values{"id": {id}}, nil, &out)
	return out, err
}
