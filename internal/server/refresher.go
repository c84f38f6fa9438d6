package server

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultRefreshInterval is how often the background refresher looks at
// the status lists when Options.RefreshInterval is zero: the lists'
// default ttl (issuer.DefaultStatusTTL), so a change to the store that
// did not come through this server (none should, while it holds the
// store) is published within one ttl.
const DefaultRefreshInterval = 5 * time.Minute

// RefreshLists signs again, for every issuer instance, the status lists
// that changed or near their validUntil (within a quarter of their
// validity, at most issuer.DefaultRefreshWindow), and serves the new
// ones. Each list file is replaced atomically: a reader, or a crash, sees
// the old list or the new one. Serve runs it in the background on every
// tick of Options.RefreshInterval; an admin command may run it at once.
// Once started, a pass finishes even if ctx is cancelled, so shutting
// down never interrupts a store read between two lists; ctx is checked
// between instances.
func (s *Server) RefreshLists(ctx context.Context) error {
	var errs []error
	signed := false
	for _, in := range s.instances {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		ok, err := in.lists.refreshed(context.WithoutCancel(ctx))
		signed = signed || ok
		if err != nil {
			name := in.name
			if name == "" {
				name = "default"
			}
			errs = append(errs, fmt.Errorf("refreshing the status lists of issuer %s: %w", name, err))
		}
	}
	if signed {
		// A list new to the status directory is only found by a new
		// verifier (see renewVerifier).
		errs = append(errs, s.renewVerifier())
	}
	return errors.Join(errs...)
}

// refreshLoop runs RefreshLists on every tick until ctx is done.
func (s *Server) refreshLoop(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		err := s.RefreshLists(ctx)
		s.metrics.listRefresh(err == nil)
		if err != nil {
			s.opts.Logger.Error("background status list refresh", "error", err.Error())
		}
		if s.afterRefresh != nil {
			s.afterRefresh(err)
		}
	}
}

// startRefresher starts the background refresher of Serve and returns a
// channel closed once it has stopped, after ctx is done and any pass in
// progress has finished.
func (s *Server) startRefresher(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	ticks := s.refreshTicks
	var stop func()
	if ticks == nil && s.opts.RefreshInterval >= 0 {
		every := s.opts.RefreshInterval
		if every == 0 {
			every = DefaultRefreshInterval
		}
		t := time.NewTicker(every)
		ticks, stop = t.C, t.Stop
	}
	go func() {
		defer close(done)
		if stop != nil {
			defer stop()
		}
		if ticks == nil {
			<-ctx.Done()
			return
		}
		s.refreshLoop(ctx, ticks)
	}()
	return done
}
