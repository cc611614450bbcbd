package httpsig

import "context"

type ctxKey int

const (
	originKey ctxKey = iota
	destinationKey
)

// OriginFrom returns the authenticated serverId of the caller, which
// Verifier.Middleware puts in the request's context.
func OriginFrom(ctx context.Context) (serverID string, ok bool) {
	serverID, ok = ctx.Value(originKey).(string)
	return serverID, ok
}

func withOrigin(ctx context.Context, serverID string) context.Context {
	return context.WithValue(ctx, originKey, serverID)
}

// WithDestination names the serverId a request made with this context is
// for; it overrides Transport.Destination.
func WithDestination(ctx context.Context, serverID string) context.Context {
	return context.WithValue(ctx, destinationKey, serverID)
}

func destinationFrom(ctx context.Context) string {
	s, _ := ctx.Value(destinationKey).(string)
	return s
}
