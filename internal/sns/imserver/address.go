package imserver

import (
	"context"
	"errors"
	"net/http"

	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// isSelf reports whether an id's server part names this server: its
// serverId, or the host:port of its registered address.
func (s *Server) isSelf(a wire.Address) bool {
	if a.IsDirectory() {
		return a.ServerID == s.self
	}
	return a.Domain() == s.selfHostPort
}

// localUser checks that id names a user of this server and returns the
// user. field names the id in messages.
func (s *Server) localUser(field, id string) (imstore.User, error) {
	a, err := wire.ParseAddress(id)
	if err != nil {
		return imstore.User{}, refuse(http.StatusBadRequest, ReasonBadRequest, "%s: %v", field, err)
	}
	if !s.isSelf(a) {
		return imstore.User{}, refuse(http.StatusBadRequest, ReasonNotLocal, "%s %s names server %s, not this one (%s): send it to that server", field, id, a.Domain(), s.self)
	}
	u, err := s.st.GetUser(a.Local)
	if errors.Is(err, imstore.ErrNotFound) || errors.Is(err, imstore.ErrInvalid) {
		return u, refuse(http.StatusNotFound, ReasonUnknownUser, "%s: %s has no user %q", field, s.self, a.Local)
	}
	return u, err
}

// fromCaller checks that id (a sender, a requester, a message or file id)
// belongs to origin, the authenticated caller, and returns the id in
// canonical form. An id of the form user@host:port belongs to origin when
// that host:port is the one of origin's registered address.
func (s *Server) fromCaller(ctx context.Context, field, id, origin string) (string, error) {
	a, err := wire.ParseAddress(id)
	if err != nil {
		return "", refuse(http.StatusBadRequest, ReasonBadRequest, "%s: %v", field, err)
	}
	if a.IsDirectory() && a.ServerID == origin {
		return a.String(), nil
	}
	if !a.IsDirectory() {
		if info, err := s.resolver.Resolve(ctx, origin); err == nil && info.Address != "" {
			if hp, err := hostPort(info.Address); err == nil && hp == a.Domain() {
				return a.String(), nil
			}
		}
	}
	return "", refuse(http.StatusForbidden, ReasonWrongSender, "%s %s is not of the calling server %s: a server speaks only for its own users and ids", field, id, origin)
}
