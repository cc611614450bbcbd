package ops

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/callinfo"
)

// Observe wraps a service's handler: every call is counted by endpoint,
// status and reason, timed, its signature check counted, and logged in
// one line (peer, endpoint, status, reason, duration; never a body).
// endpoint names the call's endpoint for the labels; it must return one
// of a fixed set of values (unknown paths as "other") so that callers
// cannot grow the series without bound.
func (s *Service) Observe(next http.Handler, endpoint func(*http.Request) string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, info := callinfo.With(r.Context())
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		d := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		ep := endpoint(r)
		c := info.Snapshot()
		s.requests.WithLabelValues(ep, strconv.Itoa(status), c.Reason).Inc()
		s.duration.WithLabelValues(ep).Observe(d.Seconds())
		if c.Verification != "" {
			s.verifications.WithLabelValues(c.Verification).Inc()
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("service", s.name), slog.String("peer", c.Peer), slog.String("remote", r.RemoteAddr),
			slog.String("method", r.Method), slog.String("endpoint", ep), slog.Int("status", status),
			slog.Duration("duration", d),
		}
		if c.Reason != "" {
			attrs = append(attrs, slog.String("reason", c.Reason), slog.String("detail", c.Detail))
		}
		log.LogAttrs(ctx, level, "call", attrs...)
	})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
