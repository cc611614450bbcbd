package mgmtutil

import (
	"fmt"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/pki"
)

// CheckCSR refuses, before anything is sent or opened, a CSR that the CA
// would refuse, saying why in the applicant's terms; name is the file it
// came from. It returns the serverId the CSR binds, which must be wantID
// when that is given.
func CheckCSR(name string, data []byte, wantID string) (string, error) {
	csr, err := pki.ParseCSR(data)
	if err != nil {
		return "", &cmdutil.ExitError{Code: cmdutil.ExitFailure, Reason: "invalid_csr", Err: fmt.Errorf("%s: %w", name, err)}
	}
	id, err := pki.CheckCSR(csr)
	if err != nil {
		return "", &cmdutil.ExitError{Code: cmdutil.ExitFailure, Reason: "invalid_csr", Err: fmt.Errorf("%s: %w; make a new one with `imictl csr create`", name, err)}
	}
	if wantID != "" && id != wantID {
		return "", &cmdutil.ExitError{Code: cmdutil.ExitFailure, Reason: "csr_wrong_server_id",
			Err: fmt.Errorf("%s names serverId %q, not %q: pass the CSR made for %q (imictl csr create --server-id %s)", name, id, wantID, wantID, wantID)}
	}
	return id, nil
}

// CheckAdminCSR is CheckCSR for the CSR of administrator name
// (pki.CheckAdminCSR).
func CheckAdminCSR(name string, data []byte, admin string) error {
	csr, err := pki.ParseCSR(data)
	if err == nil {
		_, err = pki.CheckAdminCSR(csr, admin)
	}
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailure, Reason: "invalid_csr", Err: fmt.Errorf("%s: %w", name, err)}
	}
	return nil
}
