package imserver

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
)

// groupAdminRoutes are the admin API's group operations (adminapi;
// groupops.go does them).
func (s *Server) groupAdminRoutes() map[string]adminHandler {
	return map[string]adminHandler{
		"GET " + adminapi.PathGroups: func(r *http.Request) (any, error) { return s.Groups(r.URL.Query().Get("user")) },
		"POST " + adminapi.PathGroups: func(r *http.Request) (any, error) {
			var req adminapi.NewGroup
			return decodeThen(r, &req, func() (any, error) { return s.CreateGroup(req) })
		},
		"GET " + adminapi.PathGroupShow: func(r *http.Request) (any, error) {
			q := r.URL.Query()
			return s.GroupShow(r.Context(), q.Get("user"), q.Get("group"))
		},
		"GET " + adminapi.PathGroupMembers: func(r *http.Request) (any, error) {
			q := r.URL.Query()
			return s.GroupMembers(r.Context(), q.Get("user"), q.Get("group"))
		},
		"GET " + adminapi.PathGroupInvitations: func(r *http.Request) (any, error) { return s.Invitations(r.URL.Query().Get("user")) },
		"POST " + adminapi.PathGroupInvite: func(r *http.Request) (any, error) {
			var req adminapi.GroupInvite
			return decodeThen(r, &req, func() (any, error) { return s.InviteToGroup(r.Context(), req.User, req.Group, req.Users) })
		},
		"POST " + adminapi.PathGroupAnswer: func(r *http.Request) (any, error) {
			var req adminapi.GroupAnswer
			return decodeThen(r, &req, func() (any, error) { return s.AnswerGroupInvite(r.Context(), req.User, req.Group, req.Agree) })
		},
		"POST " + adminapi.PathGroupRemove: func(r *http.Request) (any, error) {
			var req adminapi.GroupMembersChange
			return decodeThen(r, &req, func() (any, error) { return s.RemoveGroupMembers(r.Context(), req.User, req.Group, req.Members) })
		},
		"POST " + adminapi.PathGroupQuit: func(r *http.Request) (any, error) {
			var req adminapi.GroupUser
			return decodeThen(r, &req, func() (any, error) { return s.QuitGroup(r.Context(), req.User, req.Group) })
		},
		"POST " + adminapi.PathGroupDissolve: func(r *http.Request) (any, error) {
			var req adminapi.GroupUser
			return decodeThen(r, &req, func() (any, error) { return s.DissolveGroup(req.User, req.Group) })
		},
		"POST " + adminapi.PathGroupSet: func(r *http.Request) (any, error) {
			var req adminapi.GroupSet
			return decodeThen(r, &req, func() (any, error) { return s.SetGroup(r.Context(), req) })
		},
		"POST " + adminapi.PathGroupAdmin: func(r *http.Request) (any, error) {
			var req adminapi.GroupAdmin
			return decodeThen(r, &req, func() (any, error) { return s.SetGroupAdmin(req.User, req.Group, req.Member, req.Admin) })
		},
		"POST " + adminapi.PathGroupTransfer: func(r *http.Request) (any, error) {
			var req adminapi.GroupTransfer
			return decodeThen(r, &req, func() (any, error) { return s.TransferGroup(req.User, req.Group, req.To) })
		},
		"POST " + adminapi.PathGroupMessages: func(r *http.Request) (any, error) {
			var req adminapi.GroupSend
			return decodeThen(r, &req, func() (any, error) { return s.SendGroup(req) })
		},
		"GET " + adminapi.PathGroupHistory: func(r *http.Request) (any, error) {
			q := r.URL.Query()
			limit, err := strconv.Atoi(q.Get("limit"))
			if q.Get("limit") != "" && (err != nil || limit < 0) {
				return nil, invalid(fmt.Errorf("limit=%q: want a whole number", q.Get("limit")))
			}
			return s.GroupHistory(r.Context(), q.Get("user"), q.Get("group"), q.Get("after"), limit)
		},
	}
}

// decodeThen reads the JSON body into req and runs op.
func decodeThen(r *http.Request, req any, op func() (any, error)) (any, error) {
	if err := readJSON(r, req); err != nil {
		return nil, err
	}
	return op()
}
