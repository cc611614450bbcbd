// Package callinfo carries what the layers of a server learn about one
// incoming call (who made it, why it was refused) up to the observer that
// logs and counts it, without those layers knowing about logs or metrics.
// The observer puts an *Info in the request's context; the signature
// middleware and the handlers fill it in; every function is a no-op on a
// context without one.
package callinfo

import (
	"context"
	"sync"
)

// Info is what is known about one call once it has been answered.
type Info struct {
	mu sync.Mutex
	// Peer is the serverId the call was authenticated as; empty when the
	// signature was not checked or failed.
	peer string
	// Reason is the refusal reason of the answer, empty on success.
	reason string
	// Detail is the refusal's explanation for the log.
	detail string
	// Verification is the result of the signature check: "" when none was
	// made, "ok", or the signature layer's reason.
	verification string
}

type key struct{}

// With returns a context carrying a new Info, and that Info.
func With(ctx context.Context) (context.Context, *Info) {
	i := &Info{}
	return context.WithValue(ctx, key{}, i), i
}

func from(ctx context.Context) *Info {
	i, _ := ctx.Value(key{}).(*Info)
	return i
}

// Observed reports whether an observer will log the call; a layer that
// logs refusals itself can then leave it to the observer.
func Observed(ctx context.Context) bool { return from(ctx) != nil }

// Verified records a signature that checked out, made by peer.
func Verified(ctx context.Context, peer string) {
	if i := from(ctx); i != nil {
		i.mu.Lock()
		i.peer, i.verification = peer, "ok"
		i.mu.Unlock()
	}
}

// SignatureRefused records a call refused by the signature layer.
func SignatureRefused(ctx context.Context, reason, detail string) {
	if i := from(ctx); i != nil {
		i.mu.Lock()
		i.verification, i.reason, i.detail = reason, reason, detail
		i.mu.Unlock()
	}
}

// Refused records an application refusal of an authenticated call.
func Refused(ctx context.Context, reason, detail string) {
	if i := from(ctx); i != nil {
		i.mu.Lock()
		i.reason, i.detail = reason, detail
		i.mu.Unlock()
	}
}

// Snapshot is a copy of an Info's fields.
type Snapshot struct {
	Peer, Reason, Detail, Verification string
}

// Snapshot returns what was recorded.
func (i *Info) Snapshot() Snapshot {
	i.mu.Lock()
	defer i.mu.Unlock()
	return Snapshot{Peer: i.peer, Reason: i.reason, Detail: i.detail, Verification: i.verification}
}
