package imserver

import (
	"net/http"

	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
)

// groupAdminRoutes are the admin API's group operations (adminapi).
func (s *Server) groupAdminRoutes() map[string]adminHandler {
	notBuilt := func(*http.Request) (any, error) {
		return nil, refuse(http.StatusNotImplemented, ReasonUnsupported, "group operations are not built yet")
	}
	return map[string]adminHandler{
		"GET " + adminapi.PathGroups:           notBuilt,
		"POST " + adminapi.PathGroups:          notBuilt,
		"GET " + adminapi.PathGroupShow:        notBuilt,
		"GET " + adminapi.PathGroupMembers:     notBuilt,
		"GET " + adminapi.PathGroupInvitations: notBuilt,
		"POST " + adminapi.PathGroupInvite:     notBuilt,
		"POST " + adminapi.PathGroupAnswer:     notBuilt,
		"POST " + adminapi.PathGroupRemove:     notBuilt,
		"POST " + adminapi.PathGroupQuit:       notBuilt,
		"POST " + adminapi.PathGroupDissolve:   notBuilt,
		"POST " + adminapi.PathGroupSet:        notBuilt,
		"POST " + adminapi.PathGroupAdmin:      notBuilt,
		"POST " + adminapi.PathGroupTransfer:   notBuilt,
		"POST " + adminapi.PathGroupMessages:   notBuilt,
		"GET " + adminapi.PathGroupHistory:     notBuilt,
	}
}
