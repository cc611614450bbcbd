package pki

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// DefaultUID is the SM2 user (distinguishing) id used for every signature:
// the GM/T 0009 default, `-sigopt distid:1234567812345678` in OpenSSL.
const DefaultUID = "1234567812345678"

// serverIDURIPrefix names a serverId in a certificate's URI SAN.
const serverIDURIPrefix = "urn:imi:server:"

var serverIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidateServerID enforces the standard's rule (table 1): letters, digits,
// '_' and '-' only. We also cap the length at 64 characters.
func ValidateServerID(id string) error {
	if serverIDPattern.MatchString(id) {
		return nil
	}
	switch {
	case id == "":
		return fmt.Errorf("serverId is empty: give the server's id, e.g. vrv_linkdood")
	case len(id) > 64:
		return fmt.Errorf("serverId %q is %d characters long: at most 64 are allowed", id, len(id))
	default:
		return fmt.Errorf("serverId %q is invalid: only letters, digits, '_' and '-' are allowed (e.g. vrv_linkdood)", id)
	}
}

// ServerIDURI is the URI SAN that binds a certificate to serverId id.
func ServerIDURI(id string) *url.URL {
	return &url.URL{Scheme: "urn", Opaque: strings.TrimPrefix(serverIDURIPrefix, "urn:") + id}
}

// serverIDFromURIs returns the serverIds named by URI SANs of our form.
func serverIDFromURIs(uris []*url.URL) []string {
	var ids []string
	for _, u := range uris {
		if s := u.String(); strings.HasPrefix(s, serverIDURIPrefix) {
			ids = append(ids, strings.TrimPrefix(s, serverIDURIPrefix))
		}
	}
	return ids
}

// boundServerID checks the binding rule shared by CSRs and certificates:
// exactly one URI SAN names the serverId, and the subject CN repeats it.
func boundServerID(cn string, uris []*url.URL) (string, error) {
	ids := serverIDFromURIs(uris)
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("no %s<serverId> URI SAN: it does not name an IM server", serverIDURIPrefix)
	case 1:
	default:
		return "", fmt.Errorf("%d serverId URI SANs (%s): exactly one is allowed", len(ids), strings.Join(ids, ", "))
	}
	id := ids[0]
	if err := ValidateServerID(id); err != nil {
		return "", err
	}
	if cn != id {
		return "", fmt.Errorf("subject CN %q differs from the serverId %q of its URI SAN", cn, id)
	}
	return id, nil
}
